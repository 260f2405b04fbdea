"""Changing a model while it is registered or under way: the registration itself and its
indicators. Each change locks the model's row, compares the version the officer's page showed
(``StaleModelError`` otherwise), bumps it, writes its audit row and recomputes the model's flags.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.organizations.models import Body
from danvan.skillful.checks import check_model
from danvan.skillful.models import PARTS, Indicator, MobilizationModel
from danvan.skillful.services_common import EDITABLE, model_lock, require_act
from danvan.skillful.services_registry import (
    MAX_INDICATORS,
    IndicatorInput,
    clean_indicators,
    registration_errors,
)

#: What ``model_update`` may change; the unit, level and period are the registration's identity.
UPDATABLE = frozenset(
    {
        "name",
        "holder",
        "field",
        "year",
        "lead_body",
        "starts_on",
        "ends_on",
        "person_name",
        "person_consents_to_publication",
        *PARTS,
    }
)


@transaction.atomic
def model_update(
    *,
    actor: Actor,
    model: MobilizationModel,
    expected_version: int,
    partner_bodies: Sequence[Body] | None = None,
    **changes: Any,
) -> MobilizationModel:
    """Change the registration while the model is registered or under way."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise TypeError(f"model_update cannot change {sorted(unknown)}")
    locked = model_lock(model, expected_version)
    require_act(actor, locked.unit)
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("The registration cannot change once the model is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    values: dict[str, Any] = {
        name: getattr(locked, name) for name in (*UPDATABLE, "level", "period")
    }
    values.update(changes)
    partners = list(locked.partner_bodies.all()) if partner_bodies is None else list(partner_bodies)
    errors = registration_errors(unit=locked.unit, values=values, partner_bodies=partners)
    if errors:
        raise ValidationError(errors)
    changed: dict[str, list[Any]] = {}
    for name in UPDATABLE:
        before, after = getattr(locked, name), values[name]
        if before != after:
            changed[name] = [str(before)[:80], str(after)[:80]]
            setattr(locked, name, after)
    if partner_bodies is not None:
        before_ids = sorted(b.pk for b in locked.partner_bodies.all())
        after_ids = sorted({b.pk for b in partners if b.pk != locked.lead_body_id})
        if before_ids != after_ids:
            locked.partner_bodies.set(after_ids)
            changed["partner_bodies"] = [before_ids, after_ids]
    if not changed:
        return locked
    locked.version += 1
    locked.save(
        update_fields=[*(k for k in changed if k != "partner_bodies"), "version", "updated_at"]
    )
    audit_record(
        actor=actor, action="skillful.model_update", obj=locked, unit=locked.unit, changes=changed
    )
    check_model(locked)
    return locked


@transaction.atomic
def indicator_add(
    *,
    actor: Actor,
    model: MobilizationModel,
    name: str,
    unit_of_measure: str,
    baseline: Decimal,
    target: Decimal,
    expected_version: int | None = None,
) -> Indicator:
    """One more indicator while the model is registered or under way. With ``expected_version``
    (the version the officer's page showed), a colleague's change meanwhile is refused."""
    locked = model_lock(model, expected_version)
    require_act(actor, locked.unit)
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("Indicators cannot be added once the model is proposed for evaluation.")
        )
    if locked.indicators.count() >= MAX_INDICATORS:
        raise ValidationError(
            _("A model can declare at most %(max)s indicators.") % {"max": MAX_INDICATORS}
        )
    (item,) = clean_indicators([IndicatorInput(name, unit_of_measure, baseline, target)])
    indicator = Indicator.objects.create(
        model=locked,
        name=item.name,
        unit_of_measure=item.unit_of_measure,
        baseline=item.baseline,
        target=item.target,
        order=locked.indicators.count(),
    )
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action="skillful.indicator_add",
        obj=locked,
        unit=locked.unit,
        changes={"indicator": indicator.pk, "name": item.name, "target": str(item.target)},
    )
    return indicator


@transaction.atomic
def indicator_update(
    *,
    actor: Actor,
    indicator: Indicator,
    expected_version: int,
    name: str,
    unit_of_measure: str,
    baseline: Decimal,
    target: Decimal,
) -> Indicator:
    """Correct an indicator's name, unit of measure, baseline or target while the model is
    registered or under way and **no value has been reported for it**.

    Once a value is reported the indicator is refused, not versioned: the reports were measured
    in that unit against that baseline and target, the progress shown on the model's page and the
    "no progress" check read them that way, and a target moved after the fact would hide a model
    that is not moving. To measure something else, the officer adds a new indicator. The version
    is the model's (``expected_version``): an edit made on a stale page is refused."""
    locked = model_lock(indicator.model, expected_version)
    require_act(actor, locked.unit)
    current = Indicator.objects.select_for_update().get(pk=indicator.pk, model=locked)
    if locked.status not in EDITABLE:
        raise ValidationError(
            _("Indicators cannot change once the model is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    periods = list(current.reports.order_by("period_label").values_list("period_label", flat=True))
    if periods:
        raise ValidationError(
            _(
                "“%(name)s” already has values reported (%(periods)s): they were measured against "
                "this baseline and target, so it cannot change. Add a new indicator instead."
            )
            % {"name": current.name, "periods": ", ".join(periods)}
        )
    (item,) = clean_indicators([IndicatorInput(name, unit_of_measure, baseline, target)])
    changed: dict[str, list[str]] = {}
    for field_name, after in (
        ("name", item.name),
        ("unit_of_measure", item.unit_of_measure),
        ("baseline", item.baseline),
        ("target", item.target),
    ):
        before = getattr(current, field_name)
        if before != after:
            changed[field_name] = [str(before), str(after)]
            setattr(current, field_name, after)
    if not changed:
        return current
    current.save(update_fields=list(changed))
    locked.version += 1
    locked.save(update_fields=["version", "updated_at"])
    audit_record(
        actor=actor,
        action="skillful.indicator_update",
        obj=locked,
        unit=locked.unit,
        changes={"indicator": current.pk, **changed},
    )
    check_model(locked)
    return current
