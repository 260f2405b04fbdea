from __future__ import annotations

from typing import Any

from django.db.models import Case, IntegerField, Value, When

from danvan.lib.text import fold
from danvan.units.models import AdministrativeUnit, AdministrativeUnitQuerySet


def unit_search(
    *,
    user: Any,
    query: str,
    tiers: list[str] | None = None,
    limit: int = 20,
    current_only: bool = True,
) -> AdministrativeUnitQuerySet:
    """Units in the user's scope whose name matches ``query`` with or without diacritics.

    "Nghe An", "nghệ an" and "NGHỆ AN" find Nghệ An; a unit code finds its unit. Names that
    start with the query rank before names that merely contain it.
    """
    folded = fold(query)
    qs = AdministrativeUnit.objects.visible_to(user)
    if current_only:
        qs = qs.current()
    if tiers:
        qs = qs.filter(tier__in=tiers)
    if not folded:
        return qs.none()
    if folded.replace("-", "").isdigit():
        return qs.filter(code__startswith=folded)[:limit]
    # "xa anh son" and "anh son" both find "Xã Anh Sơn".
    qs = qs.filter(name_folded__contains=folded)
    return qs.annotate(
        rank=Case(
            When(name_folded=folded, then=Value(0)),
            When(name_folded__endswith=f" {folded}", then=Value(1)),
            When(name_folded__startswith=folded, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
    ).order_by("rank", "tier", "name_folded")[:limit]
