"""Pre-aggregated counts of voices for the dashboards, kept current by database triggers.

Nothing in Python writes these tables. Triggers on ``voices_voice`` (installed by migration
``0002_triggers`` for PostgreSQL and SQLite, see ``sql.py``) keep one ``VoiceFact`` per voice:
the few values the dashboards count, including whether its answer was on time, which cannot be
recomputed once the voice's due date is cleared on answering. Triggers on the facts then add the
difference (new minus old) to ``Bucket`` rows, one per (area, dimension, day received, value),
for the voice's unit and every unit above it. Every write path goes through them: the services,
``bulk_create`` and COPY of the import, the admin, raw SQL.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Bucket", "Dim", "VoiceFact"]


class Dim(models.TextChoices):
    TOTAL = "total", _("All voices")
    KIND = "kind", _("Kind")
    CHANNEL = "channel", _("Channel")
    STATUS = "status", _("Status")
    TOPIC = "topic", _("Topic")
    BODY = "body", _("Responsible body")
    #: Open voices by due date (the value is the ISO date): overdue = values before today.
    DUE = "due", _("Due date of open voices")


class VoiceFact(models.Model):
    """What one voice contributes to the buckets (written only by the triggers)."""

    voice_id = models.BigIntegerField(primary_key=True)
    unit_id = models.BigIntegerField()
    day = models.DateField()
    kind = models.CharField(max_length=30)
    channel = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    topic_id = models.BigIntegerField()
    assignee_id = models.BigIntegerField(null=True)
    #: The due date while the voice is open; empty once it is answered, refused or closed.
    due_on = models.DateField(null=True)
    answered = models.SmallIntegerField(default=0)
    #: Answered on or before the due date in force (see README: how "on time" is decided).
    on_time = models.SmallIntegerField(default=0)
    #: Days from receipt to the answer (0 while unanswered).
    days = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("voice fact")
        verbose_name_plural = _("voice facts")

    def __str__(self) -> str:
        return f"voice {self.voice_id}"


class Bucket(models.Model):
    """Sums over the voices received on ``day`` in ``area`` (a unit and everything under it)."""

    area = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,  # the unique key starts with it
        related_name="+",
    )
    dim = models.CharField(max_length=8, choices=Dim.choices)
    day = models.DateField()
    value = models.CharField(max_length=40, blank=True)
    n = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    days = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("dashboard bucket")
        verbose_name_plural = _("dashboard buckets")
        constraints = [
            models.UniqueConstraint("area", "dim", "day", "value", name="dashboards_bucket_key")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.dim}={self.value} {self.day}: {self.n}"
