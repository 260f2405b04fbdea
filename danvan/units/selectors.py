from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Value, When

from danvan.lib.text import fold
from danvan.units.models import AdministrativeUnit, AdministrativeUnitQuerySet


def match_units(units: AdministrativeUnitQuerySet, query: str) -> AdministrativeUnitQuerySet:
    """``units`` whose name matches ``query`` with or without diacritics, best matches first.

    "Nghe An", "nghệ an" and "NGHỆ AN" find Nghệ An; "xa anh son" and "anh son" both find
    "Xã Anh Sơn"; a unit code (or its start) finds its unit. Exact names rank first, then names
    ending with the query, then names starting with it.
    """
    folded = fold(query)
    if not folded:
        return units.none()
    if folded.replace("-", "").isdigit():
        return units.filter(code__startswith=folded).order_by("code")
    return (
        units.filter(name_folded__contains=folded)
        .annotate(
            rank=Case(
                When(name_folded=folded, then=Value(0)),
                When(name_folded__endswith=f" {folded}", then=Value(1)),
                When(name_folded__startswith=folded, then=Value(2)),
                default=Value(3),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "tier", "name_folded")
    )


def unit_search(
    *,
    user: Any,
    query: str,
    tiers: list[str] | None = None,
    limit: int = 20,
    current_only: bool = True,
) -> AdministrativeUnitQuerySet:
    """Units in the user's scope matching ``query`` (see ``match_units``), at most ``limit``."""
    qs = AdministrativeUnit.objects.visible_to(user)
    if current_only:
        qs = qs.current()
    if tiers:
        qs = qs.filter(tier__in=tiers)
    return match_units(qs, query)[:limit]
