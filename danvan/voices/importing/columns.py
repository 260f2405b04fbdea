"""The columns of a voices spreadsheet and how their cells are read: the titles officers write
(any case, with or without diacritics), the names of the kinds, dates and unit codes."""

from __future__ import annotations

import datetime
import functools
import re
import unicodedata

from danvan.deadlines.models import VoiceKind
from danvan.lib.importing import Column, Columns
from danvan.lib.text import fold

#: The columns of a voices file, in the template's order, with the other titles officers write
#: (any case, with or without diacritics). The titles are in the officer's language, for the
#: templates and the error messages.
COLUMNS = Columns(
    Column(
        "kind",
        "Loại",
        aliases=("loai y kien", "loai don", "hinh thuc"),
        required=True,
    ),
    Column("topic", "Lĩnh vực", aliases=("chu de",), required=True),
    Column(
        "unit_code",
        "Mã đơn vị",
        aliases=("ma dia ban", "ma xa", "ma xa/thon", "ma thon", "unit"),
        required=True,
    ),
    Column(
        "text",
        "Nội dung",
        aliases=("noi dung y kien", "noi dung kien nghi", "content"),
        required=True,
        width=50,
    ),
    Column(
        "received_on",
        "Ngày nhận",
        aliases=("ngay tiep nhan", "received", "date"),
        required=True,
    ),
    Column("name", "Họ tên", aliases=("ho va ten", "nguoi gui")),
    Column(
        "contact",
        "Điện thoại/email",
        aliases=("lien he", "dien thoai", "so dien thoai", "phone"),
    ),
    Column("address", "Địa chỉ"),
    # Voter contact sessions: the answering body leads a joint answer.
    Column("joint", "Liên ngành", aliases=("tra loi lien nganh",)),
)

#: The names officials use for each kind, folded; the codes and English labels work too.
KIND_ALIASES: dict[str, str] = {
    "y kien": VoiceKind.OPINION,
    "y kien, nguyen vong": VoiceKind.OPINION,
    "nguyen vong": VoiceKind.OPINION,
    "phan anh": VoiceKind.REFLECTION,
    "phan anh, kien nghi": VoiceKind.REFLECTION,
    "kien nghi": VoiceKind.REFLECTION,
    "khieu nai": VoiceKind.COMPLAINT_FIRST,
    "khieu nai lan dau": VoiceKind.COMPLAINT_FIRST,
    "khieu nai lan 1": VoiceKind.COMPLAINT_FIRST,
    "khieu nai lan hai": VoiceKind.COMPLAINT_SECOND,
    "khieu nai lan 2": VoiceKind.COMPLAINT_SECOND,
    "to cao": VoiceKind.DENUNCIATION,
    "kien nghi cu tri": VoiceKind.VOTER_RECOMMENDATION,
    "tiep cong dan": VoiceKind.RECEPTION,
    **{fold(k.value.replace("_", " ")): k.value for k in VoiceKind},
    **{k.value: k.value for k in VoiceKind},
    **{fold(str(k.label)): k.value for k in VoiceKind},
}

#: The yes/no cells ("Liên ngành"), folded.
YES = {"co", "x", "yes", "1", "true"}
NO = {"", "khong", "no", "0", "false"}
_DMY = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_VILLAGE_CODE = re.compile(r"^(\d{1,5})-(\d+)$")


_NO_MARKS = dict.fromkeys(range(0x300, 0x370))  # the combining diacritical marks
_RUNS_OF_SPACE = re.compile(r"\s+")


def fold_fast(value: str) -> str:
    """``fold`` for long texts, several times faster and always equal to it (``test_bulk``)."""
    stripped = unicodedata.normalize("NFD", value.casefold()).translate(_NO_MARKS)
    stripped = stripped.replace("đ", "d")
    if not stripped.isascii():  # other marks or scripts: the general (slower) way
        return fold(value)
    return _RUNS_OF_SPACE.sub(" ", stripped).strip()


#: Kinds, topics, names and yes/no cells repeat from row to row.
fold_short = functools.lru_cache(maxsize=65_536)(fold)


def parse_date(value: str) -> datetime.date | None:
    """dd/mm/yyyy (the Vietnamese way), yyyy-mm-dd, an Excel date cell or serial; else None."""
    value = value.strip()
    try:
        if match := _DMY.match(value):
            day, month, year = (int(g) for g in match.groups())
            return datetime.date(year, month, day)
        if match := _YMD.match(value):
            year, month, day = (int(g) for g in match.groups())
            return datetime.date(year, month, day)
    except ValueError:
        return None
    if _SERIAL.match(value):  # a date cell that reached us as Excel's day number
        return _EXCEL_EPOCH + datetime.timedelta(days=int(float(value)))
    return None


def normalize_unit_code(code: str) -> str:
    """Put back the leading zeros Excel drops: "70" → "00070", "70-001" → "00070-001"."""
    code = code.strip().replace(" ", "")
    if code.isdigit() and len(code) < 5:
        return code.zfill(5)
    if match := _VILLAGE_CODE.match(code):
        return f"{match.group(1).zfill(5)}-{match.group(2).zfill(3)}"
    return code
