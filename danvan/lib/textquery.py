"""A search box's text turned into what the database matches, the same way on both databases:
the search page's (``search``) and the lists' search boxes (the inbox, the issues).

The text is cut into words (letters and digits; everything else, quotes, ``*``, operators,
separates), case folded, NFC with the new-style tone placement. Each word is matched without its
diacritics ("sut" finds "sụt", "duong" finds "đường"), an abbreviation also as what it stands
for ("ubnd" finds "ủy ban nhân dân"). Results come in four tiers, each newest first:

1. the words next to each other in order (a phrase), each word that was typed with marks found
   with exactly those marks;
2. a phrase, found only without marks ("đường" typed, "dương" found: stripping merges words);
3. all the words, apart, with the typed marks;
4. all the words, apart, without marks.

Nothing the user types reaches the database as syntax: words are only letters and digits, quoted
as literals in the ``tsquery`` (PostgreSQL) or the FTS5 expression (SQLite).
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from danvan.lib.text import fold, tone_canonical
from danvan.lib.vietnamese import expand_abbreviations

#: Longer texts are refused with a message (a search box, not a document).
MAX_QUERY_CHARS = 200
#: At most this many words are used; more are refused with a message.
MAX_TERMS = 12
#: At least this many letters or digits in all, without marks.
MIN_CHARS = 2

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_TONES = "\u0300\u0301\u0309\u0303\u0323"
_NEW_STYLE = re.compile(rf"([oOuU])([aAeEyY])([{_TONES}])(?![a-zA-Z])")


def _expand(word: str) -> str:
    """What an abbreviation stands for, or the word itself (the shared list of abbreviations and
    teencode of ``lib.vietnamese``)."""
    return expand_abbreviations(word)


def _old_style(word: str) -> str:
    """ "hoà" → "hòa": the tone mark on the first vowel of oa, oe, uy, as older texts write it."""
    decomposed = unicodedata.normalize("NFD", word)
    return unicodedata.normalize("NFC", _NEW_STYLE.sub(r"\1\3\2", decomposed))


@dataclass(frozen=True)
class Term:
    """One word of the query."""

    #: As typed: NFC, case folded, new-style tone placement.
    word: str
    #: Without diacritics ("đ" → "d").
    folded: str
    #: The folded words of what it abbreviates ("ubnd" → uy ban nhan dan), or empty.
    expansion: tuple[str, ...] = ()

    @property
    def marked(self) -> bool:
        """Typed with diacritics: exact matches of it rank first."""
        return self.word != self.folded and not self.expansion

    @property
    def exact_forms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys([self.word, _old_style(self.word)]))


class QueryError:
    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    TOO_MANY_WORDS = "too_many_words"


def error_message(error: str) -> str:
    """What to tell the person whose search has ``error`` ("" for none)."""
    if error == QueryError.TOO_SHORT:
        return _("Type at least %(n)s letters or digits.") % {"n": MIN_CHARS}
    if error == QueryError.TOO_LONG:
        return _("The search is too long: at most %(n)s characters.") % {"n": MAX_QUERY_CHARS}
    if error == QueryError.TOO_MANY_WORDS:
        return _("The search has too many words: at most %(n)s.") % {"n": MAX_TERMS}
    return ""


@dataclass(frozen=True)
class Query:
    text: str
    terms: tuple[Term, ...]
    error: str = ""

    @property
    def words(self) -> set[str]:
        """Every folded word a match may contain: for highlighting."""
        found = set()
        for term in self.terms:
            found.add(term.folded)
            found.update(term.expansion)
        return found


def parse(text: str) -> Query:
    """The query, or a ``Query`` whose ``error`` says why it cannot be searched."""
    text = text or ""
    if len(text) > MAX_QUERY_CHARS:
        return Query(text[:MAX_QUERY_CHARS], (), QueryError.TOO_LONG)
    normal = tone_canonical(unicodedata.normalize("NFC", text)).casefold()
    words = _WORD.findall(normal)
    if not words:
        return Query(text, (), QueryError.EMPTY if not text.strip() else QueryError.TOO_SHORT)
    if len(words) > MAX_TERMS:
        return Query(text, (), QueryError.TOO_MANY_WORDS)
    terms = []
    for word in words:
        folded = fold(word)
        # An abbreviation's words, or a number glued to its word split off ("xóm3" → xom 3).
        expanded = tuple(fold(_expand(word)).split())
        expansion = expanded if expanded and expanded != (folded,) else ()
        terms.append(Term(word=word, folded=folded, expansion=expansion))
    if sum(len(t.folded) for t in terms) < MIN_CHARS:
        return Query(text, (), QueryError.TOO_SHORT)
    return Query(text, tuple(terms))


# --- PostgreSQL: tsquery text (cast with ::tsquery, no parsing by a configuration) ---------------


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def pg_term(term: Term) -> str:
    """One word's ``tsquery``: the folded word, or its abbreviation's phrase."""
    if not term.expansion:
        return _lexeme(term.folded)
    phrase = " <-> ".join(_lexeme(w) for w in term.expansion)
    return f"({_lexeme(term.folded)} | {phrase})"


def _pg_exact(term: Term) -> str:
    forms = [_lexeme(w) for w in term.exact_forms]
    return forms[0] if len(forms) == 1 else "(" + " | ".join(forms) + ")"


@dataclass(frozen=True)
class Tiers:
    """The match condition, and the tiers as nested sets: a result's tier is the first set it is
    in (the last set is the match itself). Sets, not "this and not the ones above": PostgreSQL
    estimates ``a & !b`` badly when a and b go together (dương/đường), and then reads a whole
    index looking for rows that do not exist."""

    match: str
    tiers: tuple[str, ...]


def pg_tiers(query: Query) -> Tiers:
    terms = query.terms
    every = " & ".join(pg_term(t) for t in terms)
    phrase = " <-> ".join(pg_term(t) for t in terms) if len(terms) > 1 else ""
    exact = " & ".join(_pg_exact(t) for t in terms if t.marked)
    tiers: tuple[str, ...]
    if phrase and exact:
        tiers = (f"{phrase} & {exact}", phrase, f"{every} & {exact}", every)
    elif phrase:
        tiers = (phrase, every)
    elif exact:
        tiers = (f"{every} & {exact}", every)
    else:
        tiers = (every,)
    return Tiers(match=every, tiers=tiers)


# --- SQLite: FTS5 expressions on the exact and folded tables ------------------------------------


def _fts(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _fts_term(term: Term) -> str:
    if not term.expansion:
        return _fts(term.folded)
    return f"({_fts(term.folded)} OR {_fts(' '.join(term.expansion))})"


#: A phrase with abbreviations is tried in every spelling, up to this many.
MAX_PHRASE_SPELLINGS = 8


def _fts_phrase(terms: tuple[Term, ...]) -> str:
    choices = [[t.folded, *([" ".join(t.expansion)] if t.expansion else [])] for t in terms]
    spellings = list(itertools.islice(itertools.product(*choices), MAX_PHRASE_SPELLINGS))
    return " OR ".join(_fts(" ".join(s)) for s in spellings)


@dataclass(frozen=True)
class FtsCondition:
    """One tier on SQLite: (table flavour, expression) conditions, all to hold."""

    parts: tuple[tuple[str, str], ...]


def fts_tiers(query: Query, column: str) -> tuple[str, tuple[FtsCondition, ...]]:
    """The folded match expression and the tiers' conditions for one FTS column."""
    terms = query.terms
    every = f"{column} : (" + " AND ".join(_fts_term(t) for t in terms) + ")"
    phrase = f"{column} : (" + _fts_phrase(terms) + ")" if len(terms) > 1 else ""
    marked = [t for t in terms if t.marked]
    exact = (
        f"{column} : ("
        + " AND ".join("(" + " OR ".join(_fts(w) for w in t.exact_forms) + ")" for t in marked)
        + ")"
        if marked
        else ""
    )
    p, e, m = ("folded", phrase), ("exact", exact), ("folded", every)
    tiers: list[tuple[tuple[str, str], ...]]
    if phrase and exact:
        tiers = [(p, e), (p,), (m, e), (m,)]
    elif phrase:
        tiers = [(p,), (m,)]
    elif exact:
        tiers = [(m, e), (m,)]
    else:
        tiers = [(m,)]
    return every, tuple(FtsCondition(parts=tuple(t)) for t in tiers)


# --- The conditions on an indexed text column ---------------------------------------------------


@dataclass(frozen=True)
class TextIndex:
    """A text column as search indexes it (``search/schema.py`` makes the indexes): on
    PostgreSQL the ``tsvector`` column of ``table``, on SQLite the FTS5 tables
    ``{fts_table}_folded`` / ``{fts_table}_exact`` and their column."""

    table: str
    pg_column: str
    fts_table: str
    fts_column: str


#: The indexed texts: a voice's content and its answer, an issue's title and answer.
VOICE_TEXT = TextIndex("voices_voice", "search_text", "search_voice", "text")
VOICE_ANSWER = TextIndex("voices_voice", "search_answer", "search_voice", "answer")
ISSUE_DOC = TextIndex("insight_issue", "search_doc", "search_issue", "doc")


def _condition(sql: str, params: list[Any]) -> RawSQL:
    # The SQL names only a TextIndex's table and columns; the query's text is a parameter.
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611


def pg_match(index: TextIndex, tsquery: str) -> RawSQL:
    return _condition(f'"{index.table}"."{index.pg_column}" @@ %s::tsquery', [tsquery])


def fts_match(index: TextIndex, flavour: str, expression: str) -> RawSQL:
    fts = f"{index.fts_table}_{flavour}"
    return _condition(
        f'"{index.table}"."id" IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)',  # noqa: S608
        [expression],
    )


def matching(index: TextIndex, query: Query) -> tuple[RawSQL, list[list[RawSQL]]]:
    """The condition every row found meets, and each tier's set (see ``Tiers``)."""
    if connection.vendor == "postgresql":
        tiers = pg_tiers(query)
        return pg_match(index, tiers.match), [[pg_match(index, t)] for t in tiers.tiers]
    every, conditions = fts_tiers(query, index.fts_column)
    return fts_match(index, "folded", every), [
        [fts_match(index, flavour, expr) for flavour, expr in tier.parts] for tier in conditions
    ]


def text_match(index: TextIndex, query: Query) -> RawSQL | None:
    """The condition on the rows whose text holds every word of ``query``, with or without marks,
    as on the search page (for a list's search box); None when it has no words."""
    if query.error or not query.terms:
        return None
    return matching(index, query)[0]
