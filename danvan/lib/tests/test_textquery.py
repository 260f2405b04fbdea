"""What a search box's text becomes: words, folded forms, abbreviations, refusals."""

from __future__ import annotations

import pytest

from danvan.lib.textquery import (
    MAX_QUERY_CHARS,
    QueryError,
    fts_tiers,
    parse,
    pg_tiers,
)


def test_words_are_folded_and_keep_what_was_typed():
    query = parse("  Sụt   LÚN, đường! ")
    assert [(t.word, t.folded, t.marked) for t in query.terms] == [
        ("sụt", "sut", True),
        ("lún", "lun", True),
        ("đường", "duong", True),
    ]


def test_d_with_stroke_folds_to_d():
    assert parse("Đê điều").terms[0].folded == "de"
    assert parse("Đê điều").terms[1].folded == "dieu"


def test_old_and_new_tone_placement_are_both_exact_forms():
    (term,) = parse("hòa").terms
    assert term.word == "hoà"
    assert set(term.exact_forms) == {"hoà", "hòa"}


def test_abbreviations_also_match_what_they_stand_for():
    (term,) = parse("UBND").terms
    assert term.expansion == ("uy", "ban", "nhan", "dan")
    assert not term.marked
    assert "'uy' <-> 'ban' <-> 'nhan' <-> 'dan'" in pg_tiers(parse("UBND")).match


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", QueryError.EMPTY),
        ("   ", QueryError.EMPTY),
        ("a", QueryError.TOO_SHORT),
        ('"', QueryError.TOO_SHORT),
        ("* ! & | :", QueryError.TOO_SHORT),
        ("x" * (MAX_QUERY_CHARS + 1), QueryError.TOO_LONG),
        (" ".join(["ab"] * 13), QueryError.TOO_MANY_WORDS),
    ],
)
def test_what_cannot_be_searched_says_why(text, error):
    query = parse(text)
    assert query.error == error
    assert query.terms == ()


@pytest.mark.parametrize(
    "text",
    [
        "'; DROP TABLE voices_voice; --",
        '"sụt lún',
        "sụt* NEAR(lún đường)",
        "a & b | !c <-> d:*",
        "text : lún",
        "\\' \\\" ''",
        "{text answer} : đường",
    ],
)
def test_operators_never_reach_the_database_as_syntax(text):
    query = parse(text)
    tiers = pg_tiers(query)
    every, _conditions = fts_tiers(query, "text")
    for term in query.terms:
        assert term.word.isalnum()
    # Every lexeme is a quoted run of letters and digits.
    for lexeme in tiers.match.replace("(", " ").replace(")", " ").split():
        assert lexeme in {"&", "|", "<->", "!"} or (
            lexeme.startswith("'") and lexeme.endswith("'") and lexeme[1:-1].isalnum()
        )
    assert every.startswith("text : (")
