"""Vietnamese text normalization shared by search, grouping and topic classification (insight).

Citizens write the same words in many ways: with or without tone marks ("đường xá bị sụt lún",
"duong xa bi sut lun"), with the tone on either vowel ("hoà"/"hòa", "thuỷ"/"thủy"), in teencode or
officials' abbreviations ("ko dc", "UBND"), in capitals, with stray punctuation. Everything that
compares texts goes through here, so that they all agree on what "the same word" is:

* ``normalize``: NFC, the new-style tone placement, case folded, abbreviations expanded,
  punctuation turned into spaces, single spaces. Marks are kept.
* ``syllables``: the syllable tokens of ``normalize``.
* ``folded_syllables``: the same with diacritics stripped ("đ" → "d"): what matches text typed
  without marks.
* ``expand_abbreviations``: only the abbreviations, for a search box.

Word segmentation (underthesea, pyvi) is not used: ``../shared/domain/text-research.md`` measured
that it is 10–25 times slower than syllables and makes classification worse on text typed without
marks; syllable 1–2-grams carry the same information.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from danvan.lib.text import fold, tone_canonical

__all__ = [
    "ABBREVIATIONS",
    "cased_syllables",
    "expand_abbreviations",
    "fold",
    "folded_syllables",
    "normalize",
    "syllables",
]

#: Abbreviations and teencode seen in citizens' messages and officials' documents, with what they
#: stand for. Keys are matched against the whole token, case folded, after "đ" is written "d"
#: (so "đc" and "dc" are one entry); tokens with other marks never match, so "cá", "hồng" or
#: "hẻm" are never read as abbreviations. Only unambiguous ones: "đk" can be "được", "điều
#: kiện" or "đăng ký", "ca" can be "công an" or a work shift, so they stay as written.
ABBREVIATIONS: dict[str, str] = {
    # Teencode and texting.
    "ko": "không",
    "k": "không",
    "kh": "không",
    "khg": "không",
    "hok": "không",
    "dc": "được",
    "ng": "người",
    "vs": "với",
    "cx": "cũng",
    "cg": "cũng",
    "r": "rồi",
    "j": "gì",
    "mn": "mọi người",
    "mng": "mọi người",
    "ntn": "như thế nào",
    "bn": "bao nhiêu",
    "bh": "bây giờ",
    "bjo": "bây giờ",
    "trc": "trước",
    "tr": "triệu",
    "nhg": "nhưng",
    "nhưg": "nhưng",
    "ns": "nói",
    "lm": "làm",
    "hnay": "hôm nay",
    "hqua": "hôm qua",
    # Bodies and terms of the administration.
    "ubnd": "ủy ban nhân dân",
    "hdnd": "hội đồng nhân dân",
    "mttq": "mặt trận tổ quốc",
    "ubmttq": "ủy ban mặt trận tổ quốc",
    "gpmb": "giải phóng mặt bằng",
    "qsdd": "quyền sử dụng đất",
    "gcnqsdd": "giấy chứng nhận quyền sử dụng đất",
    "sdd": "sử dụng đất",
    "tdc": "tái định cư",
    "bhyt": "bảo hiểm y tế",
    "bhxh": "bảo hiểm xã hội",
    "csgt": "cảnh sát giao thông",
    "tp": "thành phố",
    "tx": "thị xã",
    "tt": "thị trấn",
    "sdt": "số điện thoại",
    "dt": "điện thoại",
    "bqp": "ban quản lý",
    "bql": "ban quản lý",
    "dbqh": "đại biểu quốc hội",
    "dbhdnd": "đại biểu hội đồng nhân dân",
    "cb": "cán bộ",
    "cbcc": "cán bộ công chức",
    "thcs": "trung học cơ sở",
    "thpt": "trung học phổ thông",
    "tyt": "trạm y tế",
    "hcc": "hành chính công",
}

# Tokens: runs of letters and digits (Vietnamese letters included); everything else separates.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
# A number glued to its unit or its hamlet ("xóm3", "50m", "20tr") is split so that "xóm 3" and
# "xóm3" are the same tokens.
_LETTER_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])", re.UNICODE)


def _nfc_tones(text: str) -> str:
    return tone_canonical(unicodedata.normalize("NFC", text))


# The expansions written with the same tone placement as the text they are put into.
_EXPANSIONS = {key: tone_canonical(value) for key, value in ABBREVIATIONS.items()}


@lru_cache(maxsize=8192)
def _expand_token(token: str) -> str:
    return _EXPANSIONS.get(token.replace("đ", "d"), token)


def expand_abbreviations(text: str) -> str:
    """Replace whole-word abbreviations and teencode by their full words, case folded."""
    words = _TOKEN.findall(_LETTER_DIGIT.sub(" ", _nfc_tones(text).casefold()))
    return " ".join(_expand_token(w) for w in words)


_SENTENCE_OR_TOKEN = re.compile(r"[.:!?;\n]+|[^\W_]+", re.UNICODE)


def cased_syllables(text: str) -> list[tuple[str, bool]]:
    """``syllables(text)`` each with whether it was written with a capital (a name's sign).

    A capital that only starts a sentence says nothing, nor does an expanded abbreviation
    ("UBND" is not a place's name): both count as not capitalised.
    """
    out: list[tuple[str, bool]] = []
    sentence_start = True
    for word in _SENTENCE_OR_TOKEN.findall(_LETTER_DIGIT.sub(" ", _nfc_tones(text))):
        if not (word[0].isalnum()):
            sentence_start = True
            continue
        lower = word.casefold()
        expanded = _expand_token(lower)
        if expanded != lower:
            out.extend((w, False) for w in expanded.split())
        else:
            out.append((lower, word[:1].isupper() and not sentence_start))
        sentence_start = False
    return out


def normalize(text: str) -> str:
    """The comparable form of a text: NFC, new-style tones, folded case, expansions, no punctuation.

    Diacritics are kept: ``fold(normalize(x))`` is the form without them.
    """
    return expand_abbreviations(text)


def syllables(text: str) -> list[str]:
    """Syllable tokens of ``normalize(text)``; an expansion gives several ("ubnd" → 4)."""
    return normalize(text).split()


def folded_syllables(text: str) -> list[str]:
    """Syllables with diacritics stripped: "Đường xá" and "duong xa" give the same tokens."""
    return fold(normalize(text)).split()
