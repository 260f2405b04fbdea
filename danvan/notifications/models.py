"""In-app notifications (thông báo) to officers, mirrored by email when they have an address."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danvan.accounts.models import User


class NotificationKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    ESCALATION = "escalation", _("Overdue case of a body below")
    REPORT_REQUIRED = "report_required", _("Report required")
    CASE_RECEIVED = "case_received", _("A case for your body")
    COORDINATION = "coordination", _("Coordination requested")
    ALERT = "alert", _("Hot-spot alert")
    REPORT_DRAFT = "report_draft", _("Report drafted")
    OTHER = "other", _("Other")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: User | AnonymousUser | None) -> NotificationQuerySet:
        """A notification is personal: only its recipient ever sees it."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(
        _("kind"), max_length=30, choices=NotificationKind.choices, default=NotificationKind.OTHER
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    #: When the notification asks for something by a date (the superior's report request).
    due_on = models.DateField(_("due on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    #: Names what the notification is about ("voice:12:resolve:2026-11-20:overdue"), so that a
    #: job run twice, or on two servers at once, never notifies the same person twice.
    dedup_key = models.CharField(max_length=200, blank=True, default="")

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                "recipient",
                "dedup_key",
                condition=~models.Q(dedup_key=""),
                name="notification_unique_dedup_key_per_recipient",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
