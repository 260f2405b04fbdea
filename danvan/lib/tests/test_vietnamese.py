"""Normalization: the forms every comparison of Vietnamese text goes through."""

from __future__ import annotations

import pytest

from danvan.lib.vietnamese import (
    cased_syllables,
    expand_abbreviations,
    folded_syllables,
    normalize,
    syllables,
)


def test_text_typed_without_marks_folds_to_the_same_syllables_as_with_them():
    assert folded_syllables("duong xa bi sut lun") == folded_syllables("Đường xá bị sụt lún")
    assert folded_syllables("ĐƯỜNG XÁ BỊ SỤT LÚN") == ["duong", "xa", "bi", "sut", "lun"]


def test_both_tone_placements_and_both_unicode_forms_are_one_syllable():
    decomposed = "ho\u0300a"  # o + combining grave, then a: old placement, NFD
    assert normalize("hòa") == normalize("hoà") == normalize(decomposed) == "hoà"
    assert normalize("Thủy lợi") == normalize("thuỷ lợi")


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("ko", "không"),
        ("k", "không"),
        ("hok", "không"),
        ("dc", "được"),
        ("đc", "được"),
        ("UBND", "uỷ ban nhân dân"),
        ("HĐND", "hội đồng nhân dân"),
        ("GPMB", "giải phóng mặt bằng"),
        ("ng", "người"),
    ],
)
def test_teencode_and_officials_abbreviations_are_expanded(written, meant):
    assert expand_abbreviations(written) == meant


@pytest.mark.parametrize("word", ["cá", "hồng", "hẻm", "kg"])
def test_words_with_marks_are_never_read_as_abbreviations(word):
    assert expand_abbreviations(word) == word


def test_numbers_glued_to_words_are_split_and_punctuation_separates():
    assert syllables("Đường xóm3 bị ngập 50cm!!!") == [
        "đường",
        "xóm",
        "3",
        "bị",
        "ngập",
        "50",
        "cm",
    ]


def test_capitals_starting_a_sentence_or_an_abbreviation_are_not_a_name():
    cased = dict(cased_syllables("Kính gửi UBND xã. Bản Na Lướt thiếu nước"))
    assert cased["kính"] is False
    assert cased["uỷ"] is False
    assert cased["bản"] is False  # starts a sentence
    assert cased["na"] is True
    assert cased["lướt"] is True
