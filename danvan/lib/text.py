"""Vietnamese text helpers shared by every app.

``fold`` turns a string into the form used for matching: NFC, lower case, tone marks and
diacritics removed, "đ" → "d". "Nghe An", "nghệ an" and "NGHỆ AN" all fold to "nghe an".
"""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_DIGITS = re.compile(r"(\d+)")


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def fold(value: str) -> str:
    """Fold case and Vietnamese diacritics; collapse runs of white space."""
    decomposed = unicodedata.normalize("NFD", value.casefold())
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    stripped = stripped.replace("đ", "d").replace("Đ", "d")
    return _SPACES.sub(" ", stripped).strip()


def clean_name(value: str) -> str:
    """Normalize a human-entered name: NFC and single spaces, original case and marks kept."""
    return _SPACES.sub(" ", nfc(value)).strip()


# "hòa" (old style) and "hoà" (new style) are the same syllable with the tone mark on another
# vowel. Keys use the new style: the mark sits on the second vowel of oa, oe and uy.
_TONES = "\u0300\u0301\u0309\u0303\u0323"  # grave, acute, hook, tilde, dot below
_OLD_STYLE = re.compile(rf"([oOuU])([{_TONES}])([aAeEyY])(?![a-zA-Z])")


def tone_canonical(value: str) -> str:
    decomposed = unicodedata.normalize("NFD", value)
    return unicodedata.normalize("NFC", _OLD_STYLE.sub(r"\1\3\2", decomposed))


def natural_key(value: str) -> tuple[object, ...]:
    """Sort key that puts "Xóm 2" before "Xóm 10" and ignores diacritics for the order."""
    return tuple(int(part) if part.isdigit() else part for part in _DIGITS.split(fold(value)))


def name_key(value: str) -> str:
    """What makes two names "the same name": case, spacing and tone placement ignored, marks kept.

    "Xóm 1" = "xóm  1", "Hòa Bình" = "Hoà Bình", but "Văn Lăng" ≠ "Văn Lang".
    """
    return _SPACES.sub(" ", tone_canonical(nfc(value)).casefold()).strip()
