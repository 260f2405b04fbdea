"""Where the periodic jobs' state is kept: one row per job (its lease and last runs) and one row
per run (how it went), for the runners on every machine and for the administrator."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    OK = "ok", _("Succeeded")
    FAILED = "failed", _("Failed")


class PeriodicJob(models.Model):
    """A job of ``danvan.periodic.jobs.JOBS`` as the runners share it.

    A runner takes the job by an UPDATE that matches only while nobody holds its lease and the
    row is still the ``version`` it read (``runner.job_take``): of two runners on two machines,
    one takes it and the other's UPDATE matches no row. Written only by ``runner``.
    """

    name = models.CharField(_("job"), max_length=100, unique=True)
    #: When a runner first saw the job: a new job waits for its first slot after this.
    created_at = models.DateTimeField(_("first seen"), auto_now_add=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    #: The start of the latest run that succeeded.
    last_ok_at = models.DateTimeField(_("last succeeded"), null=True, blank=True)
    last_status = models.CharField(
        _("last status"), max_length=10, choices=RunStatus.choices, blank=True
    )
    lease_holder = models.CharField(_("held by"), max_length=200, blank=True)
    lease_until = models.DateTimeField(_("held until"), null=True, blank=True)
    #: Raised by every take and release: the compare-and-set of ``job_take``.
    version = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("periodic job")
        verbose_name_plural = _("periodic jobs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PeriodicRun(models.Model):
    """One run of a periodic job: when, how long, and what it did or why it failed."""

    job = models.ForeignKey(PeriodicJob, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField(_("started"), db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration = models.FloatField(_("seconds"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING
    )
    #: What the job returned (counts, a report), as text.
    summary = models.TextField(_("result"), blank=True)
    #: The traceback of a failed run.
    error = models.TextField(_("error"), blank=True)
    holder = models.CharField(_("run by"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("periodic job run")
        verbose_name_plural = _("periodic job runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.job.name} {self.started_at:%Y-%m-%d %H:%M} {self.status}"
