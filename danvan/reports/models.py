"""Reports in the official formats (báo cáo): the synthesis of the people's situation.

A ``Report`` is drafted from the data for one unit and period by an issuing body (its figures are a
``snapshot.Snapshot`` kept as JSON), edited in the browser (the officer's sections are text; the
figures are regenerated, never typed), submitted, approved by a leader and issued. On issue it gets
its number from the body's ``ReportNumberSequence`` for the year (restarting each 1 January, never
reused), its date is fixed and its DOCX is rendered once and stored: an issued report never changes.
Every transition is a ``ReportEvent`` and an audit row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from danvan.lib.scoping import ScopedQuerySet

__all__ = [
    "DocumentEvent",
    "IssuedDocument",
    "Report",
    "ReportEvent",
    "ReportFormat",
    "ReportNumberSequence",
    "ReportStatus",
    "SignerPrefix",
]


class ReportFormat(models.TextChoices):
    """Which rules the document follows (see ``shared/domain/legal-rules.md``)."""

    PARTY = "party", _("Party document (Guidance 36-HD/VPTW)")
    STATE = "state", _("State document (Decree 30/2020/NĐ-CP)")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")


class SignerPrefix(models.TextChoices):
    """How the signer signs: on behalf of the collective, as deputy, or by delegation."""

    NONE = "", _("In their own name (head of the body)")
    ON_BEHALF = "on_behalf", _("On behalf of the collective (TM. / T/M)")
    DEPUTY = "deputy", _("Deputy, for the head (KT. / K/T)")
    DELEGATED = "delegated", _("By delegation (TL. / T/L)")


class IssuedDocument(models.Model):
    """What every document issued in the official format has (a report, a decision): the
    summary line, the dateline's place, the signer, the recipients, and once issued its number,
    symbol, date and stored DOCX. Its path (``reports.workflow``) is draft → … → issued; its
    ``version`` grows with every change so a stale page is refused. Abstract: each kind keeps its
    own table."""

    DRAFT = "draft"
    ISSUED = "issued"

    #: Each kind sets its choices (the steps of its path).
    status = models.CharField(_("status"), max_length=12, default=DRAFT)
    title = models.CharField(_("summary"), max_length=300)
    #: The place before the date, e.g. “Nghệ An” or “Anh Sơn”.
    place = models.CharField(_("place in the dateline"), max_length=80)
    signer_prefix = models.CharField(
        _("signing as"), max_length=12, choices=SignerPrefix.choices, blank=True
    )
    #: The collective or head signed for, e.g. “BAN THƯỜNG VỤ” or “CHỦ TỊCH”.
    signer_authority = models.CharField(_("on behalf of"), max_length=120, blank=True)
    signer_position = models.CharField(_("signer's position"), max_length=120, blank=True)
    signer_name = models.CharField(_("signer's name"), max_length=120, blank=True)
    recipients = models.TextField(
        _("recipients"), blank=True, help_text=_("One recipient per line (Nơi nhận).")
    )
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year of the number"), null=True, blank=True)
    symbol = models.CharField(_("number and symbol"), max_length=60, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    #: The DOCX as issued, rendered once; empty until then.
    document = models.BinaryField(null=True, blank=True, editable=False)
    document_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.symbol or self.title

    @property
    def is_editable(self) -> bool:
        return self.status == self.DRAFT

    @property
    def status_label(self) -> str:
        """The status as its kind names it (``get_status_display`` of the concrete model)."""
        field = self._meta.get_field("status")
        assert isinstance(field, models.Field)
        return str(dict(field.flatchoices).get(self.status, self.status))

    def add_event(self, **fields: Any) -> None:
        """Write one row of the document's history (its ``DocumentEvent`` model)."""
        raise NotImplementedError


class DocumentEvent(models.Model):
    """One step in the history of an ``IssuedDocument``: who, when, from which status to which,
    and the note (a return's reason). Abstract: each kind keeps its own table."""

    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    #: Each kind sets its choices.
    action = models.CharField(max_length=12)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]


class ReportQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"


class Report(IssuedDocument):
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    body = models.ForeignKey(
        "organizations.Body",
        verbose_name=_("issuing body"),
        on_delete=models.PROTECT,
        related_name="reports",
    )
    format = models.CharField(_("format"), max_length=10, choices=ReportFormat.choices)
    period_kind = models.CharField(_("kind of period"), max_length=10)
    period_code = models.CharField(_("period"), max_length=30)
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    status = models.CharField(
        _("status"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    #: ``snapshot.Snapshot.to_json()``: regenerated while a draft, frozen once submitted.
    figures: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("figures"), default=dict
    )
    assessment = models.TextField(_("general assessment"), blank=True)
    proposals = models.TextField(_("proposals and recommendations"), blank=True)
    is_scheduled = models.BooleanField(
        _("drafted on schedule"),
        default=False,
        help_text=_("Drafted in the background after the period ended."),
    )
    figures_at = models.DateTimeField(_("figures read at"), null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_end", "-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "period_code", "status"])]
        constraints = [
            models.UniqueConstraint(
                "body",
                "year",
                "number",
                condition=models.Q(number__isnull=False),
                name="report_unique_number_per_body_year",
            ),
            # One scheduled draft per body and period: the daily run can be repeated safely.
            models.UniqueConstraint(
                "body",
                "period_code",
                condition=models.Q(is_scheduled=True),
                name="report_one_scheduled_draft",
            ),
        ]

    def add_event(self, **fields: Any) -> None:
        ReportEvent.objects.create(report=self, **fields)


class ReportNumberSequence(models.Model):
    """The last number a body gave a report in a year. Rows are never deleted or lowered, so a
    number once given is never given again, even if its report were removed."""

    body = models.ForeignKey(
        "organizations.Body", on_delete=models.PROTECT, related_name="report_sequences"
    )
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint("body", "year", name="report_sequence_unique_body_year"),
        ]

    def __str__(self) -> str:
        return f"{self.body_id}/{self.year}: {self.last_number}"


class ReportAction(models.TextChoices):
    GENERATED = "generated", _("Drafted")
    REGENERATED = "regenerated", _("Figures read again")
    EDITED = "edited", _("Edited")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    APPROVED = "approved", _("Approved")
    ISSUED = "issued", _("Issued")


class ReportEvent(DocumentEvent):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    #: The actor's name as the audit log writes it (a system job has no account).
    actor_label = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=12, choices=ReportAction.choices)

    def __str__(self) -> str:
        return f"{self.report_id} {self.action}"
