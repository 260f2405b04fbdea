"""Finding the commune an API caller means, and naming a unit with the units above it."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from danvan.lib.text import fold
from danvan.units.models import AdministrativeUnit, UnitTier

_PROVINCE_PREFIXES = ("tinh ", "thanh pho ", "tp. ", "tp ")
_COMMUNE_PREFIXES = ("xa ", "phuong ", "dac khu ")


def _bare(folded: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if folded.startswith(prefix):
            return folded[len(prefix) :].strip()
    return folded


def unit_by_code(code: str) -> AdministrativeUnit | None:
    """A current commune or village by its code ("17329", "17329-001")."""
    return (
        AdministrativeUnit.objects.current()
        .filter(code=code.strip(), tier__in=[UnitTier.COMMUNE, UnitTier.VILLAGE])
        .first()
    )


def commune_from_address(address: str) -> AdministrativeUnit | None:
    """The current commune named by the last two parts of "…, Xã Anh Sơn, Nghệ An".

    Diacritics, case and the words "Xã", "Phường", "Đặc khu", "Tỉnh", "Thành phố" are optional.
    Returns None when nothing matches; raises ValidationError when the name is ambiguous.
    """
    parts = [p.strip() for p in address.split(",") if p.strip()]
    if len(parts) < 2:
        return None
    commune_text, province_text = fold(parts[-2]), fold(parts[-1])
    province_bare = _bare(province_text, _PROVINCE_PREFIXES)
    provinces = [
        p
        for p in AdministrativeUnit.objects.current().provinces()
        if _bare(p.name_folded, _PROVINCE_PREFIXES) == province_bare
    ]
    if len(provinces) != 1:
        return None
    commune_bare = _bare(commune_text, _COMMUNE_PREFIXES)
    candidates = [
        c
        for c in AdministrativeUnit.objects.current()
        .communes()
        .filter(parent=provinces[0], name_folded__endswith=commune_bare)
        if _bare(c.name_folded, _COMMUNE_PREFIXES) == commune_bare
    ]
    exact = [c for c in candidates if c.name_folded == commune_text]
    if len(exact) == 1:
        return exact[0]
    if len(candidates) > 1:
        raise ValidationError(
            _("“%(name)s” names more than one commune or ward: write “Xã …” or “Phường …”.")
            % {"name": parts[-2]}
        )
    return candidates[0] if candidates else None


def place_labels(units: Iterable[AdministrativeUnit]) -> dict[int, str]:
    """ "Xóm 1, Xã Anh Sơn, Nghệ An" for each unit, in one query for all of them."""
    units = list(units)
    codes = {c for u in units for c in u.path.strip("/").split("/")}
    names = dict(AdministrativeUnit.objects.filter(code__in=codes).values_list("code", "name"))
    return {
        u.pk: ", ".join(names.get(c, c) for c in reversed(u.path.strip("/").split("/")))
        for u in units
    }
