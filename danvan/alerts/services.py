"""Officers acting on an alert: acknowledging it and closing it, each with its event and audit row.

``alert_acknowledge`` and ``alert_close`` (a note required) take the ``expected_version`` the
officer saw (``StaleAlertError`` if it changed). ``alert_event_record`` writes an alert's history
row, here and when the scan raises an alert (``raising.py``). The scan is in ``scan.py``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.alerts.models import ACTIVE_STATUSES, Alert, AlertEvent, AlertStatus, EventAction
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import can

__all__ = ["StaleAlertError", "alert_acknowledge", "alert_close", "alert_event_record"]


class StaleAlertError(ValidationError):
    """The alert changed since the officer loaded it."""


def alert_event_record(
    *, actor: Actor, alert: Alert, action: str, from_status: str = "", note: str = ""
) -> None:
    AlertEvent.objects.create(
        alert=alert,
        actor=actor.user,
        action=action,
        level=alert.level,
        from_status=from_status,
        to_status=alert.status,
        note=note,
        reason=alert.reason if action in (EventAction.RAISED, EventAction.LEVEL_RAISED) else {},
    )


def _locked(alert: Alert, expected_version: int) -> Alert:
    fresh = Alert.objects.select_for_update().select_related("unit").get(pk=alert.pk)
    if fresh.version != expected_version:
        raise StaleAlertError(
            _(
                "Someone changed this alert after you opened it (it is now %(status)s, "
                "%(level)s). Read it again and try again."
            )
            % {"status": fresh.get_status_display(), "level": fresh.level_text()}
        )
    return fresh


def _may_act(actor: Actor, alert: Alert) -> None:
    if actor.user is not None and not can(actor.user, Capability.ACT, alert.unit):
        raise PermissionDenied(_("You may not act on this alert."))


@transaction.atomic
def alert_acknowledge(
    *, actor: Actor, alert: Alert, expected_version: int, note: str = ""
) -> Alert:
    """An officer of the unit says the alert has been seen and is being looked into."""
    _may_act(actor, alert)
    alert = _locked(alert, expected_version)
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(_("Only an open alert can be acknowledged."))
    note = note.strip()
    alert.status = AlertStatus.ACKNOWLEDGED
    alert.acknowledged_at = timezone.now()
    alert.acknowledged_by = actor.user
    alert.acknowledge_note = note
    alert.version += 1
    alert.save(
        update_fields=[
            "status",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledge_note",
            "version",
            "updated_at",
        ]
    )
    alert_event_record(
        actor=actor,
        alert=alert,
        action=EventAction.ACKNOWLEDGED,
        from_status=AlertStatus.OPEN,
        note=note,
    )
    audit_record(
        actor=actor,
        action="alert.acknowledge",
        obj=alert,
        unit=alert.unit,
        changes={"status": [AlertStatus.OPEN, alert.status], "note": note},
    )
    return alert


@transaction.atomic
def alert_close(*, actor: Actor, alert: Alert, expected_version: int, note: str) -> Alert:
    """An officer closes the alert, saying what was done (the note is required)."""
    _may_act(actor, alert)
    note = note.strip()
    if not note:
        raise ValidationError(_("Say what was done before closing the alert."))
    alert = _locked(alert, expected_version)
    if alert.status not in ACTIVE_STATUSES:
        raise ValidationError(_("This alert is already closed."))
    from_status = alert.status
    alert.status = AlertStatus.CLOSED
    alert.closed_at = timezone.now()
    alert.closed_by = actor.user
    alert.close_note = note
    alert.version += 1
    alert.save(
        update_fields=["status", "closed_at", "closed_by", "close_note", "version", "updated_at"]
    )
    alert_event_record(
        actor=actor, alert=alert, action=EventAction.CLOSED, from_status=from_status, note=note
    )
    audit_record(
        actor=actor,
        action="alert.close",
        obj=alert,
        unit=alert.unit,
        changes={"status": [from_status, alert.status], "note": note},
    )
    return alert
