"""Who issues an official document and where: the issuing body's two lines at the top left (tên
cơ quan, tổ chức ban hành văn bản) as Guidance 36-HD/VPTW (Party) and Decree 30/2020/NĐ-CP (state)
write them, the format its political system requires and the place in the dateline."""

from __future__ import annotations

import re
import unicodedata

from danvan.organizations.models import Body, BodyKind, PoliticalSystem
from danvan.reports.models import ReportFormat
from danvan.units.models import AdministrativeUnit, UnitKind

__all__ = ["default_format", "issuing_body_lines", "place_of", "upper"]

_UNIT_PREFIXES = (
    "thành phố ",
    "tỉnh ",
    "xã ",
    "phường ",
    "đặc khu ",
    "thị trấn ",
    "huyện ",
    "quận ",
    "thị xã ",
)
# "Ban Tuyên giáo và Dân vận Tỉnh ủy Nghệ An" → ("Tỉnh ủy Nghệ An", "Ban Tuyên giáo và Dân vận")
_PARTY_COMMITTEE_IN_NAME = re.compile(
    r"^(?P<issuer>.+?)\s+(?P<superior>(?:tỉnh|thành|đảng|huyện|quận|thị)\s+(?:ủy|uỷ)\s+.+)$",
    re.IGNORECASE,
)


def upper(text: str) -> str:
    return unicodedata.normalize("NFC", " ".join(text.split())).upper()


def _bare_name(unit_name: str) -> str:
    """``Tỉnh Nghệ An`` → ``Nghệ An``."""
    lowered = unit_name.lower()
    for prefix in _UNIT_PREFIXES:
        if lowered.startswith(prefix):
            return unit_name[len(prefix) :]
    return unit_name


def _full_name(unit: AdministrativeUnit) -> str:
    """``Tỉnh Nghệ An``: provinces are stored by their bare name (``Nghệ An``)."""
    name = " ".join(unit.name.split())
    if name.lower().startswith(_UNIT_PREFIXES):
        return name
    kinds: dict[str, str] = {UnitKind.PROVINCE: "Tỉnh", UnitKind.CENTRAL_CITY: "Thành phố"}
    kind = kinds.get(unit.kind, "")
    return f"{kind} {name}" if kind else name


def _strip_suffix(name: str, *suffixes: str) -> str:
    """The name without a trailing unit name, if it ends with one (case-insensitive)."""
    for suffix in suffixes:
        if suffix and name.lower().endswith(" " + suffix.lower()):
            return name[: -len(suffix) - 1].strip()
    return name


def _below(name: str, unit_name: str, parent: Body, body: Body) -> str:
    """The body's name under its superior: without the unit's name when the superior, at the
    same unit, already says it ("Khối dân vận xã Anh Sơn" under "Đảng ủy xã Anh Sơn")."""
    return _strip_suffix(name, unit_name) if parent.unit_id == body.unit_id else name


def issuing_body_lines(body: Body) -> tuple[str, str]:
    """(superior, issuer) in capitals, the two lines of the issuing body at the top left.

    Party (Guidance 36-HD/VPTW): a commission of a committee under the committee ("TỈNH ỦY NGHỆ
    AN" / "BAN TUYÊN GIÁO VÀ DÂN VẬN"); a committee under its Party organization ("ĐẢNG BỘ TỈNH
    NGHỆ AN" / "TỈNH ỦY"; "ĐẢNG BỘ TỈNH NGHỆ AN" / "ĐẢNG ỦY XÃ ANH SƠN"); any other body under
    its superior body. State (Decree 30/2020): a People's Committee or Council alone ("ỦY BAN
    NHÂN DÂN TỈNH NGHỆ AN"); a department under its People's Committee ("UBND TỈNH NGHỆ AN" /
    "SỞ XÂY DỰNG"). Front bodies under their superior body when they have one.
    """
    unit = body.unit
    name = " ".join(body.name.split())
    unit_name = _full_name(unit)
    parent = body.parent
    system = body.political_system
    if system == PoliticalSystem.PARTY:
        match = _PARTY_COMMITTEE_IN_NAME.match(name)
        if body.kind != BodyKind.PARTY_COMMITTEE and match:
            return upper(match["superior"]), upper(match["issuer"])
        if body.kind == BodyKind.PARTY_COMMITTEE:
            if unit.is_province:
                return upper(f"Đảng bộ {unit_name}"), upper(
                    _strip_suffix(name, unit_name, _bare_name(unit_name))
                )
            above = unit.parent
            superior = upper(f"Đảng bộ {_full_name(above)}") if above is not None else ""
            return superior, upper(name)
        if parent is not None:
            return upper(parent.name), upper(_below(name, unit_name, parent, body))
        return upper(f"Đảng bộ {unit_name}"), upper(name)
    if system == PoliticalSystem.STATE:
        if body.kind == BodyKind.PEOPLES_COMMITTEE_DEPARTMENT:
            if parent is not None and parent.kind == BodyKind.PEOPLES_COMMITTEE:
                superior = upper(parent.name).replace("ỦY BAN NHÂN DÂN", "UBND", 1)
            else:
                superior = upper(f"UBND {unit_name}")
            return superior, upper(_strip_suffix(name, unit_name))
        return "", upper(name)
    if parent is not None:
        return upper(parent.name), upper(_below(name, unit_name, parent, body))
    return "", upper(name)


_UNIT_KINDS = re.compile(r"^(tỉnh|thành phố|xã|phường|đặc khu|thôn|xóm|bản|tổ dân phố)\s+", re.I)


def place_of(unit: AdministrativeUnit) -> str:
    """The place in the dateline: the unit's name without its kind ("Tỉnh Nghệ An" → "Nghệ An")."""
    return _UNIT_KINDS.sub("", unit.name).strip() or unit.name


def default_format(body: Body) -> str:
    return (
        ReportFormat.PARTY if body.political_system == PoliticalSystem.PARTY else ReportFormat.STATE
    )
