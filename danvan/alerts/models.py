"""Hot-spot alerts (cảnh báo điểm nóng): a commune's voices on one topic or one issue that call
for attention before they become a hot spot.

An ``Alert`` is raised by the daily scan (``scan.alerts_scan``) when one of four rules fires
(``rules.py``): a surge of voices, a mass complaint, complaints skipping levels, a land dispute
reopened. It has one of three levels (attention, caution, serious, after the Korean ACRC's early
warning levels) and keeps *why* it fired as numbers (``reason``), which the pages turn into a
sentence in the reader's language. Officers of the responsible bodies acknowledge it and close it
with a note; every change is an ``AlertEvent`` and an audit row.

One alert per rule × commune × topic × issue is active (open or acknowledged) at a time
(``key``, unique among the active ones): the scan run again raises that alert's level rather than
raising a second one.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from danvan.alerts.rules import reason_sentence
from danvan.lib.scoping import ScopedQuerySet

__all__ = ["Alert", "AlertEvent", "AlertLevel", "AlertRule", "AlertStatus", "EventAction"]


class AlertRule(models.TextChoices):
    SURGE = "surge", _("Surge of voices")
    MASS_COMPLAINT = "mass_complaint", _("Mass complaint")
    SKIPPING_LEVELS = "skipping_levels", _("Complaints skipping levels")
    LAND_REOPENED = "land_reopened", _("Land dispute reopened")


class AlertLevel(models.IntegerChoices):
    """The three levels of the Korean ACRC's early warning (관심, 주의, 심각)."""

    ATTENTION = 1, _("Attention")
    CAUTION = 2, _("Caution")
    SERIOUS = 3, _("Serious")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


class AlertQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"

    def active(self) -> AlertQuerySet:
        return self.filter(status__in=ACTIVE_STATUSES)


class Alert(models.Model):
    rule = models.CharField(_("rule"), max_length=30, choices=AlertRule.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=AlertLevel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    topic = models.ForeignKey(
        "voices.Topic", verbose_name=_("topic"), on_delete=models.PROTECT, related_name="+"
    )
    issue = models.ForeignKey(
        "insight.Issue",
        verbose_name=_("issue"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    #: The days whose voices the rule counted (the recent window).
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("to"))
    #: The numbers behind the alert, as the rule computed them (see ``rules.py``); turned into a
    #: sentence in the reader's language by ``reason_text``.
    reason: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("reason"), default=dict
    )
    #: rule:unit:topic:issue — one active alert per key.
    key = models.CharField(max_length=120, editable=False)
    raised_on = models.DateField(_("raised on"))
    #: The last scan that found the rule still firing.
    last_seen_on = models.DateField(_("last seen on"))
    bodies = models.ManyToManyField(
        "organizations.Body", verbose_name=_("bodies told"), related_name="+", blank=True
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledge_note = models.TextField(_("note on acknowledging"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_note = models.TextField(_("note on closing"), blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-raised_on", "-level", "-id"]
        indexes = [
            models.Index(fields=["status", "-level"]),
            models.Index(fields=["key", "status"]),
        ]
        constraints = [
            models.UniqueConstraint(
                "key",
                condition=models.Q(status__in=["open", "acknowledged"]),
                name="alert_one_active_per_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_rule_display()} — {self.unit} ({self.get_level_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def reason_text(self) -> str:
        """Why the alert fired, in the active language, from the stored numbers."""
        return reason_sentence(self.rule, self.reason)

    def level_text(self) -> str:
        return gettext(str(AlertLevel(self.level).label))


class EventAction(models.TextChoices):
    RAISED = "raised", _("Raised")
    LEVEL_RAISED = "level_raised", _("Level raised")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    CLOSED = "closed", _("Closed")


class AlertEvent(models.Model):
    """The alert's history: raised, raised a level, acknowledged, closed; who, when, why."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=20, choices=EventAction.choices)
    level = models.PositiveSmallIntegerField(choices=AlertLevel.choices)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    #: The numbers at that moment (for a raise).
    reason: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        default=dict, blank=True
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action}"
