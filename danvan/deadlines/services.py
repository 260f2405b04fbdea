"""Writes to the deadline rules and the calendar. Only system administrators; every change is
audited.

A rule set already in force is never changed: cases received under it were counted with it. To
change a limit, create a new rule set (usually a copy of the one in force) with a later
``effective_from`` and edit that one before the day it takes effect.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.accounts.twofactor import user_roles
from danvan.audit.context import Actor
from danvan.audit.services import audit_record, model_changes
from danvan.deadlines.models import CalendarException, RuleSet, TimeLimitRule
from danvan.lib.roles import Role

_RULE_SET_FIELDS = ["name", "effective_from", "citation", "notes"]
_RULE_FIELDS = [
    f.name
    for f in TimeLimitRule._meta.get_fields()
    if getattr(f, "concrete", False) and f.name not in ("id", "rule_set")
]


def _today() -> datetime.date:
    return timezone.localdate()


def _require_admin(actor: Actor) -> None:
    user = actor.user
    if user is not None and Role.SYSTEM_ADMIN not in user_roles(user):
        raise PermissionDenied(_("Only a system administrator may change the legal time limits."))


def _require_editable(rule_set: RuleSet) -> None:
    if not rule_set.is_editable(_today()):
        raise ValidationError(
            _(
                "The rule set “%(name)s” is in force since %(day)s and cases were counted with "
                "it: create a new rule set with a later date instead."
            )
            % {"name": rule_set.name, "day": rule_set.effective_from.strftime("%d/%m/%Y")}
        )


@transaction.atomic
def rule_set_create(
    *,
    actor: Actor,
    name: str,
    effective_from: datetime.date,
    citation: str = "",
    notes: str = "",
    copy_from: RuleSet | None = None,
) -> RuleSet:
    """A new rule set taking effect on a future day, with the rules of ``copy_from`` if given."""
    _require_admin(actor)
    if effective_from <= _today():
        raise ValidationError(
            {
                "effective_from": _(
                    "A new rule set takes effect from tomorrow at the earliest: cases already "
                    "received keep the rules they were counted with."
                )
            }
        )
    rule_set = RuleSet(
        name=name.strip(), effective_from=effective_from, citation=citation, notes=notes
    )
    rule_set.full_clean()
    rule_set.save()
    copied = 0
    if copy_from is not None:
        rules = [
            TimeLimitRule(rule_set=rule_set, **{f: getattr(r, f) for f in _RULE_FIELDS})
            for r in copy_from.rules.all()
        ]
        TimeLimitRule.objects.bulk_create(rules)
        copied = len(rules)
    audit_record(
        actor=actor,
        action="deadlines.rule_set.create",
        obj=rule_set,
        changes={
            "effective_from": effective_from.isoformat(),
            "copied_from": str(copy_from) if copy_from else None,
            "rules_copied": copied,
        },
    )
    return rule_set


@transaction.atomic
def rule_set_update(*, actor: Actor, rule_set: RuleSet, **fields: Any) -> RuleSet:
    _require_admin(actor)
    stored = RuleSet.objects.select_for_update().get(pk=rule_set.pk)
    _require_editable(stored)
    unknown = set(fields) - set(_RULE_SET_FIELDS)
    if unknown:
        raise ValueError(f"Not a field of a rule set: {', '.join(sorted(unknown))}")
    for key, value in fields.items():
        setattr(rule_set, key, value)
    if rule_set.effective_from <= _today():
        raise ValidationError(
            {"effective_from": _("A rule set not yet in force must keep a date in the future.")}
        )
    rule_set.full_clean()
    _save_changes(
        actor=actor,
        obj=rule_set,
        stored=stored,
        fields=_RULE_SET_FIELDS,
        action="deadlines.rule_set.update",
    )
    return rule_set


def _save_changes(
    *, actor: Actor, obj: models.Model, stored: models.Model, fields: list[str], action: str
) -> None:
    """Save the ``fields`` of ``obj`` that differ from ``stored`` (as read before the change),
    with an audit row saying what changed; nothing when none did."""
    changes = model_changes(obj, fields, {f: getattr(stored, f) for f in fields})
    if changes:
        obj.save(update_fields=list(changes))
        audit_record(actor=actor, action=action, obj=obj, changes=changes)


@transaction.atomic
def time_limit_rule_save(*, actor: Actor, rule: TimeLimitRule) -> TimeLimitRule:
    """Add or change one rule of a rule set that is not yet in force."""
    _require_admin(actor)
    _require_editable(RuleSet.objects.select_for_update().get(pk=rule.rule_set_id))
    rule.full_clean()
    if rule.pk is None:
        rule.save()
        audit_record(
            actor=actor,
            action="deadlines.rule.create",
            obj=rule,
            changes={f: _plain(getattr(rule, f)) for f in _RULE_FIELDS},
        )
        return rule
    stored = TimeLimitRule.objects.get(pk=rule.pk)
    if stored.rule_set_id != rule.rule_set_id:
        raise ValidationError(_("A rule cannot move to another rule set."))
    _save_changes(
        actor=actor, obj=rule, stored=stored, fields=_RULE_FIELDS, action="deadlines.rule.update"
    )
    return rule


@transaction.atomic
def time_limit_rule_delete(*, actor: Actor, rule: TimeLimitRule) -> None:
    _require_admin(actor)
    _require_editable(RuleSet.objects.select_for_update().get(pk=rule.rule_set_id))
    audit_record(
        actor=actor,
        action="deadlines.rule.delete",
        obj=rule,
        changes={f: _plain(getattr(rule, f)) for f in _RULE_FIELDS},
    )
    rule.delete()


@transaction.atomic
def calendar_exception_set(
    *, actor: Actor, day: datetime.date, is_working_day: bool, reason: str
) -> CalendarException:
    """Declare ``day`` a working day or a day off, whatever the ``holidays`` package says.

    Due dates already stored on cases are not recomputed: a swap announced after a case was
    counted is for the officer to apply by extending or recomputing that case.
    """
    _require_admin(actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": _("Say why (for example the decision that swaps the day).")}
        )
    exception = CalendarException.objects.select_for_update().filter(day=day).first()
    if exception is None:
        exception = CalendarException(day=day, is_working_day=is_working_day, reason=reason)
        exception.full_clean()
        exception.save()
        audit_record(
            actor=actor,
            action="deadlines.calendar.set",
            obj=exception,
            changes={"day": day.isoformat(), "is_working_day": is_working_day, "reason": reason},
        )
        return exception
    before = {"is_working_day": exception.is_working_day, "reason": exception.reason}
    exception.is_working_day = is_working_day
    exception.reason = reason
    changes = model_changes(exception, ["is_working_day", "reason"], before)
    if changes:
        exception.save(update_fields=list(changes))
        audit_record(actor=actor, action="deadlines.calendar.set", obj=exception, changes=changes)
    return exception


@transaction.atomic
def calendar_exception_delete(*, actor: Actor, exception: CalendarException) -> None:
    _require_admin(actor)
    audit_record(
        actor=actor,
        action="deadlines.calendar.delete",
        obj=exception,
        changes={"day": exception.day.isoformat(), "is_working_day": exception.is_working_day},
    )
    exception.delete()


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, str | int | bool):
        return value
    return str(value)


@transaction.atomic
def rule_set_delete(*, actor: Actor, rule_set: RuleSet) -> None:
    """Withdraw a rule set before it takes effect."""
    _require_admin(actor)
    _require_editable(RuleSet.objects.select_for_update().get(pk=rule_set.pk))
    audit_record(
        actor=actor,
        action="deadlines.rule_set.delete",
        obj=rule_set,
        changes={"effective_from": rule_set.effective_from.isoformat()},
    )
    rule_set.delete()
