"""How the report names a unit inside a sentence and quotes a voice (Vietnamese, the language of
the document)."""

from __future__ import annotations

import re

from danvan.units.models import UnitKind

__all__ = ["QUOTE_CHARS", "quote", "unit_label"]

#: How long a quoted voice may be, in characters (cut at a word).
QUOTE_CHARS = 300

#: The words a unit's name starts with when it says what the unit is ("Xã Anh Sơn"); inside a
#: sentence they are written in lower case ("xã Anh Sơn"), the name itself is left as it is.
_KIND_WORDS = (
    "Thành phố",
    "Tỉnh",
    "Xã",
    "Phường",
    "Đặc khu",
    "Thị trấn",
    "Huyện",
    "Quận",
    "Thị xã",
    "Thôn",
    "Xóm",
    "Bản",
    "Làng",
    "Ấp",
    "Buôn",
    "Sóc",
    "Khối",
    "Khu phố",
    "Tổ dân phố",
    "Tổ",
    "Khu",
)

_PHONE = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.\-]?\d){8,10}(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


#: The word for a unit whose name does not say what it is (provinces are stored as "Nghệ An").
_KIND_WORD: dict[str, str] = {
    UnitKind.PROVINCE: "tỉnh",
    UnitKind.CENTRAL_CITY: "thành phố",
    UnitKind.COMMUNE: "xã",
    UnitKind.WARD: "phường",
    UnitKind.SPECIAL_ZONE: "đặc khu",
}


def unit_label(name: str, kind: str = "") -> str:
    """The unit as named in a sentence: "Xã Anh Sơn" → "xã Anh Sơn"; a name that does not say
    what the unit is gets the word of its ``kind`` ("Nghệ An", province → "tỉnh Nghệ An")."""
    for word in _KIND_WORDS:
        if name.startswith(word + " "):
            return word.lower() + name[len(word) :]
    word = _KIND_WORD.get(kind, "")
    return f"{word} {name}" if word else name


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """A voice's text for the report: one paragraph, phone numbers and email addresses left out,
    cut at a word to about ``limit`` characters."""
    flat = " ".join((text or "").split())
    flat = _EMAIL.sub("…", _PHONE.sub("…", flat))
    if len(flat) <= limit:
        return flat
    cut = flat[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–") + "…"
