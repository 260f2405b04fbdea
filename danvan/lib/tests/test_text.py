from __future__ import annotations

import unicodedata

import pytest

from danvan.lib.text import clean_name, fold, name_key, nfc, tone_canonical


@pytest.mark.parametrize(
    ("value", "folded"),
    [
        ("Nghệ An", "nghe an"),
        ("NGHỆ AN", "nghe an"),
        ("nghe an", "nghe an"),
        ("Đắk Lắk", "dak lak"),
        ("đồng", "dong"),
        ("Xã  Anh\tSơn ", "xa anh son"),
        ("Thành phố Hồ Chí Minh", "thanh pho ho chi minh"),
        ("Mường Xén", "muong xen"),
        ("", ""),
    ],
)
def test_fold_drops_case_diacritics_and_extra_spaces(value, folded):
    assert fold(value) == folded


def test_fold_gives_the_same_result_for_composed_and_decomposed_text():
    composed = "Phường Hoàn Kiếm"
    decomposed = unicodedata.normalize("NFD", composed)

    assert decomposed != composed
    assert fold(decomposed) == fold(composed) == "phuong hoan kiem"


def test_clean_name_keeps_case_and_marks_but_normalizes_form_and_spaces():
    decomposed = unicodedata.normalize("NFD", "  Xóm   Hòa\u00a0Bình ")

    cleaned = clean_name(decomposed)

    assert cleaned == "Xóm Hòa Bình"
    assert cleaned == nfc(cleaned)


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [
        ("Hòa", "Hoà"),
        ("hóa", "hoá"),
        ("Thủy", "Thuỷ"),
        ("khỏe", "khoẻ"),
        ("Hòa Bình", "Hoà Bình"),
        ("THỦY", "THUỶ"),
    ],
)
def test_tone_canonical_moves_the_tone_mark_to_the_new_style_position(old_style, new_style):
    assert tone_canonical(old_style) == new_style
    assert tone_canonical(new_style) == new_style


@pytest.mark.parametrize("word", ["Hoàng", "Toàn", "Quý", "thuyền", "Nguyễn", "hoạch"])
def test_tone_canonical_leaves_syllables_where_the_mark_has_one_place(word):
    assert tone_canonical(word) == word


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Xóm 1", "xóm  1"),
        ("Hòa Bình", "Hoà Bình"),
        ("Thủy Lợi", "THUỶ LỢI"),
        (unicodedata.normalize("NFD", "Bản Na Xái"), "Bản Na Xái"),
    ],
)
def test_name_key_treats_these_names_as_the_same(first, second):
    assert name_key(first) == name_key(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("Văn Lăng", "Văn Lang"), ("Xóm 1", "Xóm 2"), ("Bản Hạ", "Bản Hà")],
)
def test_name_key_keeps_names_with_different_letters_apart(first, second):
    assert name_key(first) != name_key(second)
