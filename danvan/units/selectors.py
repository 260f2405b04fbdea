from __future__ import annotations

import re
from collections.abc import Iterable

from django.db.models import Case, IntegerField, OuterRef, Q, Subquery, Value, When

from danvan.lib.scoping import Scope
from danvan.lib.text import fold
from danvan.lib.users import Requester
from danvan.units.models import AdministrativeUnit, AdministrativeUnitQuerySet, UnitSuccession

#: Words that name a kind of unit ("xã Anh Sơn", "huyện Anh Sơn"): typed or not, they decide
#: nothing when a unit is looked for by the other words.
KIND_WORDS = frozenset(
    {"xa", "phuong", "thi", "tran", "dac", "khu", "huyen", "quan", "thanh", "pho", "tinh", "tp"}
    | {"thon", "xom", "ban", "ap", "to", "dan", "buon", "lang", "soc"}
)


def _words(folded: str) -> list[str]:
    return [w for w in re.split(r"[\s,;/()\-]+", folded) if w]


def _has_word(field: str, word: str, *, whole: bool) -> Q:
    """``field`` holds ``word`` as a word of its own (or, not ``whole``, a word starting so)."""
    if whole:
        return (
            Q(**{field: word})
            | Q(**{f"{field}__startswith": f"{word} "})
            | Q(**{f"{field}__endswith": f" {word}"})
            | Q(**{f"{field}__contains": f" {word} "})
        )
    return Q(**{f"{field}__startswith": word}) | Q(**{f"{field}__contains": f" {word}"})


def match_units(units: AdministrativeUnitQuerySet, query: str) -> AdministrativeUnitQuerySet:
    """``units`` matching ``query`` with or without diacritics, best matches first.

    "Nghe An", "nghệ an" and "NGHỆ AN" find Nghệ An; "xa anh son" and "anh son" both find
    "Xã Anh Sơn"; a unit code (or its start) finds its unit. The words may also name the units
    above ("Xóm 1 Anh Sơn", "Anh Sơn, Nghệ An"), and a former unit's name finds the units that
    took over its area ("huyện Anh Sơn" finds the six communes the unit history names; each
    carries ``former_name``). Exact names rank first, then names ending with the query, then
    names starting with it, then names holding it, then the rest.
    """
    folded = fold(query)
    if not folded:
        return units.none()
    if folded.replace("-", "").isdigit():
        return units.filter(code__startswith=folded).order_by("code")
    words = _words(folded)
    if not words:
        return units.none()
    # Every word in the unit's name or the names of the units above it (or in a former unit's
    # name that the unit took over), and at least one word that is not a kind ("xã", "xóm") in
    # the unit's own name or a former name, so that "Nghệ An" lists Nghệ An before its communes
    # and a kind alone finds nothing.
    former = Q(succession_as_successor__predecessor__name_folded__contains=folded)
    every = Q()
    for n, word in enumerate(words):
        # The last word may still be being typed ("Anh S").
        whole = n < len(words) - 1
        every &= (
            _has_word("name_folded", word, whole=whole)
            | _has_word("parent__name_folded", word, whole=whole)
            | _has_word("parent__parent__name_folded", word, whole=whole)
        )
    distinctive = [w for w in words if w not in KIND_WORDS] or words
    own = Q()
    for word in distinctive:
        own |= _has_word("name_folded", word, whole=True)
    former_name = AdministrativeUnit.objects.filter(
        succession_as_predecessor__successor=OuterRef("pk"), name_folded__contains=folded
    ).values("name")[:1]
    return (
        units.filter(Q(name_folded__contains=folded) | (every & own) | former)
        .distinct()
        .annotate(
            rank=Case(
                When(name_folded=folded, then=Value(0)),
                When(name_folded__endswith=f" {folded}", then=Value(1)),
                When(name_folded__startswith=folded, then=Value(2)),
                When(name_folded__contains=folded, then=Value(3)),
                When(every & own, then=Value(4)),
                default=Value(5),
                output_field=IntegerField(),
            ),
            former_name=Subquery(former_name),
        )
        .order_by("rank", "tier", "name_folded")
    )


def unit_search(
    *,
    user: Requester | None,
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


def scope_roots(scope: Scope) -> AdministrativeUnitQuerySet:
    """The top units of a user's scope: the current units at the scope's own paths
    (``visible_to`` gives everything below them too); for a global scope, the provinces."""
    if scope.is_global:
        return AdministrativeUnit.objects.current().provinces()
    return AdministrativeUnit.objects.filter(path__in=scope.prefixes).current()


def minimal_paths(paths: Iterable[str]) -> tuple[str, ...]:
    """The shortest prefixes covering ``paths``, sorted: a path under a kept one is dropped
    ("/40/17329/" under "/40/"), so one ``startswith`` per kept path finds every unit below."""
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return tuple(sorted(kept))


def paths_with_predecessors(paths: set[str]) -> set[str]:
    """``paths`` and the paths of the units merged into any unit under them (unit successions,
    followed a few steps for chains of mergers): records filed under a merged unit roll up."""
    result = set(paths)
    frontier = set(paths)
    for _depth in range(5):  # chains of mergers are short; stop on cycles
        if not frontier:
            break
        query = Q()
        for prefix in frontier:
            query |= Q(successor__path__startswith=prefix)
        found = set(
            UnitSuccession.objects.filter(query).values_list("predecessor__path", flat=True)
        )
        frontier = {p for p in found if not any(p.startswith(r) for r in result)}
        result |= frontier
    return result
