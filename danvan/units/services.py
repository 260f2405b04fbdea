"""Writes to administrative units. Every change leaves an audit row."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.importing import ImportReport, ImportRow
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.text import clean_name, fold, name_key
from danvan.units.models import (
    COMMUNE_KINDS,
    TIER_OF_KIND,
    VILLAGE_KINDS,
    AdministrativeUnit,
    UnitKind,
    UnitSuccession,
    UnitTier,
)

#: The day the two-level structure (34 provinces, 3,321 communes) took effect.
REFORM_2025 = datetime.date(2025, 7, 1)

_PROVINCE_KIND = {"tỉnh": UnitKind.PROVINCE, "thành phố trung ương": UnitKind.CENTRAL_CITY}
_COMMUNE_KIND = {"xã": UnitKind.COMMUNE, "phường": UnitKind.WARD, "đặc khu": UnitKind.SPECIAL_ZONE}


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _national_rows() -> list[dict[str, object]]:
    """Provinces and communes of the 2025 structure, from the ``vietnam-provinces`` package."""
    from vietnam_provinces import Province, Ward

    rows: list[dict[str, object]] = []
    provinces = {int(p.code): p for p in Province.iter_all()}
    for number, province in sorted(provinces.items()):
        code = f"{number:02d}"
        rows.append(
            {
                "code": code,
                "name": province.name,
                "kind": _PROVINCE_KIND[province.division_type.value],
                "parent_code": None,
                "path": f"/{code}/",
            }
        )
    for ward in Ward.iter_all():
        pcode = f"{int(ward.province_code):02d}"
        code = f"{int(ward.code):05d}"
        rows.append(
            {
                "code": code,
                "name": ward.name,
                "kind": _COMMUNE_KIND[ward.division_type.value],
                "parent_code": pcode,
                "path": f"/{pcode}/{code}/",
            }
        )
    return rows


@transaction.atomic
def units_load_national(*, actor: Actor) -> LoadResult:
    """Create or update the 34 provinces and 3,321 communes. Running it again changes nothing.

    Local data (villages, the remote-area flag, successor links) is never touched.
    """
    rows = _national_rows()
    existing = {
        u.code: u for u in AdministrativeUnit.objects.filter(code__in=[r["code"] for r in rows])
    }
    result = LoadResult()
    # Provinces first so that communes can point at them.
    for tier_rows in (
        [r for r in rows if r["parent_code"] is None],
        [r for r in rows if r["parent_code"] is not None],
    ):
        to_create: list[AdministrativeUnit] = []
        to_update: list[AdministrativeUnit] = []
        for row in tier_rows:
            parent = existing[str(row["parent_code"])] if row["parent_code"] else None
            wanted = {
                "name": row["name"],
                "name_folded": fold(str(row["name"])),
                "name_key": name_key(str(row["name"])),
                "kind": row["kind"],
                "tier": TIER_OF_KIND[str(row["kind"])],
                "parent_id": parent.pk if parent else None,
                "path": row["path"],
            }
            unit = existing.get(str(row["code"]))
            if unit is None:
                unit = AdministrativeUnit(code=str(row["code"]), valid_from=REFORM_2025, **wanted)
                to_create.append(unit)
            elif any(getattr(unit, k) != v for k, v in wanted.items()):
                for key, value in wanted.items():
                    setattr(unit, key, value)
                to_update.append(unit)
            else:
                result.unchanged += 1
        AdministrativeUnit.objects.bulk_create(to_create, batch_size=500)
        if to_update:
            AdministrativeUnit.objects.bulk_update(
                to_update,
                ["name", "name_folded", "name_key", "kind", "tier", "parent", "path"],
                batch_size=500,
            )
        result.created += len(to_create)
        result.updated += len(to_update)
        if to_create:
            existing.update(
                {
                    u.code: u
                    for u in AdministrativeUnit.objects.filter(code__in=[u.code for u in to_create])
                }
            )
    if result.created or result.updated:
        audit_record(
            actor=actor,
            action="units.load_national",
            changes={"created": result.created, "updated": result.updated},
        )
    return result


_VILLAGE_CODE = re.compile(r"-(\d+)$")


def _next_village_codes(commune: AdministrativeUnit, count: int) -> list[str]:
    used = AdministrativeUnit.objects.filter(parent=commune, code__startswith=f"{commune.code}-")
    highest = 0
    for code in used.values_list("code", flat=True):
        match = _VILLAGE_CODE.search(code)
        if match:
            highest = max(highest, int(match.group(1)))
    return [f"{commune.code}-{highest + i:03d}" for i in range(1, count + 1)]


def _check_can_manage(actor: Actor, commune: AdministrativeUnit) -> None:
    if actor.user is not None and not can(actor.user, Capability.MANAGE_UNITS, commune):
        raise PermissionDenied(_("You may not add villages to %(unit)s.") % {"unit": commune.name})


def _validate_village(
    *, commune: AdministrativeUnit | None, name: str, kind: str, taken: set[str]
) -> list[str]:
    errors: list[str] = []
    if commune is None:
        return errors
    if commune.tier != UnitTier.COMMUNE:
        errors.append(_("%(unit)s is not a commune or ward.") % {"unit": commune.name})
    elif not commune.is_current:
        errors.append(_("%(unit)s no longer exists (it was merged).") % {"unit": commune.name})
    if not name:
        errors.append(_("The name is empty."))
    elif len(name) > 120:
        errors.append(_("The name is longer than 120 characters."))
    elif name_key(name) in taken:
        errors.append(
            _("%(commune)s already has a village or residential group named “%(name)s”.")
            % {"commune": commune.name, "name": name}
        )
    if kind not in VILLAGE_KINDS:
        errors.append(_("The kind must be village or residential group."))
    return errors


def _existing_names(commune_ids: Iterable[int]) -> dict[int, set[str]]:
    taken: dict[int, set[str]] = {}
    for parent_id, folded in (
        AdministrativeUnit.objects.current()
        .filter(parent_id__in=list(commune_ids))
        .values_list("parent_id", "name_key")
    ):
        taken.setdefault(parent_id, set()).add(folded)
    return taken


@transaction.atomic
def village_create(
    *,
    actor: Actor,
    commune: AdministrativeUnit,
    name: str,
    kind: str = UnitKind.VILLAGE,
    is_remote: bool | None = None,
) -> AdministrativeUnit:
    """Add a village (thôn, xóm, bản, ấp) or residential group (tổ dân phố) under a commune."""
    _check_can_manage(actor, commune)
    # Lock the commune so that two officers adding villages at once get distinct codes.
    commune = AdministrativeUnit.objects.select_for_update().get(pk=commune.pk)
    name = clean_name(name)
    errors = _validate_village(
        commune=commune,
        name=name,
        kind=kind,
        taken=_existing_names([commune.pk]).get(commune.pk, set()),
    )
    if errors:
        raise ValidationError(errors)
    (code,) = _next_village_codes(commune, 1)
    village = AdministrativeUnit.objects.create(
        code=code,
        name=name,
        name_folded=fold(name),
        name_key=name_key(name),
        kind=kind,
        tier=UnitTier.VILLAGE,
        parent=commune,
        path=f"{commune.path}{code}/",
        is_remote=commune.is_remote if is_remote is None else is_remote,
        valid_from=datetime.date.today(),
    )
    audit_record(
        actor=actor,
        action="unit.create",
        obj=village,
        unit=village,
        changes={"name": name, "kind": kind},
    )
    return village


@dataclass(kw_only=True)
class VillageRow(ImportRow):
    """A row of a village list (``units.importing``)."""

    commune_code: str
    name: str
    kind: str
    is_remote: bool | None


def villages_validate(*, actor: Actor, rows: list[VillageRow]) -> ImportReport[VillageRow]:
    """Check every row; a row's errors say what to fix, in the officer's language."""
    codes = {r.commune_code for r in rows if r.commune_code}
    communes = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=codes)}
    taken = _existing_names([u.pk for u in communes.values()])
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        commune = communes.get(row.commune_code)
        if not row.commune_code:
            row.errors.append(_("The commune code is empty."))
        elif commune is None:
            row.errors.append(_("No commune has the code %(code)s.") % {"code": row.commune_code})
        elif actor.user is not None and not can(actor.user, Capability.MANAGE_UNITS, commune):
            row.errors.append(_("You may not add villages to %(unit)s.") % {"unit": commune.name})
        row.errors.extend(
            _validate_village(
                commune=commune,
                name=row.name,
                kind=row.kind,
                taken=taken.get(commune.pk, set()) if commune else set(),
            )
        )
        key = (row.commune_code, name_key(row.name))
        if row.name and key in seen:
            row.errors.append(_("Same name as line %(line)s of this file.") % {"line": seen[key]})
        else:
            seen.setdefault(key, row.line)
    return ImportReport(rows=rows)


@transaction.atomic
def villages_import(
    *, actor: Actor, rows: list[VillageRow], only_valid: bool = False
) -> ImportReport[VillageRow]:
    """Import villages: all rows, or with ``only_valid`` just the rows without errors.

    When any row has an error and ``only_valid`` is false, nothing is written.
    """
    report = villages_validate(actor=actor, rows=rows)
    if report.error_rows and not only_valid:
        return report
    valid = report.valid_rows
    by_commune: dict[str, list[VillageRow]] = {}
    for row in valid:
        by_commune.setdefault(row.commune_code, []).append(row)
    communes = {
        u.code: u
        for u in AdministrativeUnit.objects.select_for_update().filter(code__in=list(by_commune))
    }
    today = datetime.date.today()
    new_units: list[AdministrativeUnit] = []
    for commune_code, commune_rows in by_commune.items():
        commune = communes[commune_code]
        for row, code in zip(
            commune_rows, _next_village_codes(commune, len(commune_rows)), strict=True
        ):
            new_units.append(
                AdministrativeUnit(
                    code=code,
                    name=row.name,
                    name_folded=fold(row.name),
                    name_key=name_key(row.name),
                    kind=row.kind,
                    tier=UnitTier.VILLAGE,
                    parent=commune,
                    path=f"{commune.path}{code}/",
                    is_remote=commune.is_remote if row.is_remote is None else row.is_remote,
                    valid_from=today,
                )
            )
    AdministrativeUnit.objects.bulk_create(new_units, batch_size=500)
    for commune_code, commune_rows in by_commune.items():
        audit_record(
            actor=actor,
            action="unit.import",
            obj=communes[commune_code],
            unit=communes[commune_code],
            changes={"villages": [r.name for r in commune_rows]},
        )
    report.imported = len(new_units)
    return report


@transaction.atomic
def unit_set_remote(
    *, actor: Actor, unit: AdministrativeUnit, is_remote: bool
) -> AdministrativeUnit:
    """Mark a unit as remote (vùng sâu, vùng xa): its cases get the longer legal time limits."""
    user = actor.user
    allowed = (
        user is None  # a command or job run by the administrator
        or user.is_superuser
        or (unit.parent is not None and can(user, Capability.MANAGE_UNITS, unit.parent))
    )
    if not allowed:
        raise PermissionDenied(_("Only the level above may change whether a unit is remote."))
    if unit.is_remote == is_remote:
        return unit
    before = unit.is_remote
    unit.is_remote = is_remote
    unit.save(update_fields=["is_remote", "updated_at"])
    audit_record(
        actor=actor,
        action="unit.set_remote",
        obj=unit,
        unit=unit,
        changes={"is_remote": [before, is_remote]},
    )
    return unit


@transaction.atomic
def unit_record_succession(
    *,
    actor: Actor,
    predecessors: list[AdministrativeUnit],
    successor: AdministrativeUnit,
    effective_date: datetime.date,
    legal_basis: str = "",
) -> list[UnitSuccession]:
    """Record that ``predecessors`` were merged into ``successor`` on ``effective_date``.

    The predecessors stop being current the day before; their records roll up into the successor.
    """
    links: list[UnitSuccession] = []
    for old in predecessors:
        if old.pk == successor.pk:
            raise ValidationError(_("A unit cannot succeed itself."))
        link, changed = UnitSuccession.objects.get_or_create(
            predecessor=old,
            successor=successor,
            defaults={"effective_date": effective_date, "legal_basis": legal_basis},
        )
        links.append(link)
        end = effective_date - datetime.timedelta(days=1)
        if old.valid_to != end:
            old.valid_to = end
            old.save(update_fields=["valid_to", "updated_at"])
            changed = True
        if changed:  # recording a known merger again changes nothing and is not logged
            audit_record(
                actor=actor,
                action="unit.succession",
                obj=old,
                unit=successor,
                changes={"successor": successor.code, "effective_date": effective_date.isoformat()},
            )
    return links


def unit_create_historic(
    *,
    actor: Actor,
    code: str,
    name: str,
    kind: str,
    parent: AdministrativeUnit | None,
    valid_from: datetime.date | None = None,
    valid_to: datetime.date | None = None,
) -> AdministrativeUnit:
    """Register a unit of the old structure (a district, a pre-2025 commune) to attach history to."""
    if kind in COMMUNE_KINDS or kind == UnitKind.DISTRICT or kind in VILLAGE_KINDS:
        tier = TIER_OF_KIND[kind]
    else:
        raise ValidationError(_("Only districts, communes and villages can be historic units."))
    unit, created = AdministrativeUnit.objects.get_or_create(
        code=code,
        defaults={
            "name": clean_name(name),
            "name_folded": fold(name),
            "name_key": name_key(name),
            "kind": kind,
            "tier": tier,
            "parent": parent,
            "path": f"{parent.path if parent else '/'}{code}/",
            "valid_from": valid_from,
            "valid_to": valid_to,
        },
    )
    if created:
        audit_record(actor=actor, action="unit.create_historic", obj=unit, unit=parent)
    return unit
