"""Reads of the alerts, for the pages here and for the dashboard."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from danvan.accounts.models import User
from danvan.alerts.models import Alert, AlertRule, AlertStatus
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import Voice

__all__ = ["active_alerts", "alert_voices", "alerts_for_list"]


def _listed(queryset: Any) -> QuerySet[Alert]:
    # Open first, then acknowledged, then closed; the most serious and the newest first.
    return queryset.select_related("unit", "unit__parent", "topic", "issue").order_by(
        Case(
            When(status=AlertStatus.OPEN, then=Value(0)),
            When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        ),
        "-level",
        "-raised_on",
        "-id",
    )


def alerts_for_list(user: User | AnonymousUser) -> QuerySet[Alert]:
    """Every alert the user may see, in the order the list shows them."""
    return _listed(Alert.objects.visible_to(user))


def active_alerts(
    user: User | AnonymousUser, unit: AdministrativeUnit | None = None
) -> QuerySet[Alert]:
    """The open and acknowledged alerts the user may see (in ``unit`` and below, when given),
    the most serious first: for the dashboard."""
    queryset = Alert.objects.visible_to(user).active()
    if unit is not None:
        queryset = queryset.filter(unit__path__startswith=unit.path)
    return _listed(queryset)


def alert_voices(alert: Alert, user: User | AnonymousUser, limit: int = 100) -> QuerySet[Voice]:
    """The voices behind the alert that the user may see, newest first."""
    voices = Voice.objects.visible_to(user).select_related("unit", "topic")
    if alert.issue_id is not None:
        voices = voices.filter(issue_id=alert.issue_id)
        if alert.rule == AlertRule.MASS_COMPLAINT:
            voices = voices.filter(received_on__gte=alert.window_start)
    else:
        voices = voices.filter(
            unit__path__startswith=alert.unit.path,
            topic_id=alert.topic_id,
            received_on__gte=alert.window_start,
            received_on__lte=alert.window_end,
        )
        if alert.rule == AlertRule.LAND_REOPENED:
            voices = voices.filter(~Q(previous=None))
    return voices.order_by("-received_on", "-id")[:limit]
