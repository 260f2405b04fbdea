"""Legal time limits (thời hạn) as versioned rule data, and the days off that shape them.

A ``RuleSet`` is the law as it stood from ``effective_from``; a case is judged by the rule set in
force on the day it was received (the latest one whose ``effective_from`` is on or before that
day). Its ``TimeLimitRule`` rows say, for each kind of voice, which steps have a time limit, what
event the limit counts from, how long it is (with the variants for remote units and complex
cases) and which article sets it.

``CalendarException`` lets an administrator correct the calendar of the ``holidays`` package when
the government swaps days off (hoán đổi ngày làm việc) or declares an extra one.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class VoiceKind(models.TextChoices):
    """What a citizen's voice is. The codes are stable: cases store them."""

    OPINION = "opinion", _("Opinion, aspiration")
    REFLECTION = "reflection", _("Reflection, recommendation")
    COMPLAINT_FIRST = "complaint_first", _("Complaint, first time")
    COMPLAINT_SECOND = "complaint_second", _("Complaint, second time")
    DENUNCIATION = "denunciation", _("Denunciation")
    VOTER_RECOMMENDATION = "voter_recommendation", _("Voter recommendation")
    RECEPTION = "reception", _("Citizen reception")


class Step(models.TextChoices):
    """A step of handling a voice that the law gives a time limit."""

    ACCEPT = "accept", _("Accept or refuse the complaint (thụ lý)")
    RESOLVE = "resolve", _("Resolve")
    CLASSIFY = "classify", _("Log, classify and check the denunciation")
    FORWARD = "forward", _("Forward to the competent body")
    ANSWER = "answer", _("Answer")
    COORDINATE = "coordinate", _("Ask other bodies to coordinate")
    COORDINATION_REPLY = "coordination_reply", _("Coordinating bodies reply")
    SUPERIOR_REPORT = "superior_report", _("Report to the superior when overdue")
    FILE_SECOND_COMPLAINT = (
        "file_second_complaint",
        _("Last day for the complainant to file a second complaint"),
    )


class Event(models.TextChoices):
    """What a time limit counts from. The day of the event itself is not counted."""

    RECEIVED = "received", _("the day it was received")
    ACCEPTED = "accepted", _("the day it was accepted")
    DECISION = "decision", _("the day the decision was received")
    DUE = "due", _("the due date of another step")


class LimitUnit(models.TextChoices):
    DAYS = "days", _("days")
    WORKING_DAYS = "working_days", _("working days")


class Complexity(models.TextChoices):
    NORMAL = "normal", _("Normal")
    COMPLEX = "complex", _("Complex")
    ESPECIALLY_COMPLEX = "especially_complex", _("Especially complex")


class Condition(models.TextChoices):
    """When a step applies to a case."""

    ALWAYS = "always", _("always")
    NOT_COMPETENT = "not_competent", _("only if the receiving body is not competent")
    OWN_COMPETENCE = "own_competence", _("when the body answers on its own")
    JOINT = "joint", _("when the body leads a joint answer")


class RuleSetQuerySet(models.QuerySet["RuleSet"]):
    def in_force_on(self, day: datetime.date) -> RuleSet | None:
        return self.filter(effective_from__lte=day).order_by("-effective_from").first()


class RuleSet(models.Model):
    """The time limits in force from one date until the next rule set's date (bộ quy tắc)."""

    name = models.CharField(_("name"), max_length=200)
    effective_from = models.DateField(_("in force from"), unique=True)
    citation = models.CharField(
        _("legal basis"),
        max_length=500,
        blank=True,
        help_text=_("The laws, decrees and circulars this rule set follows."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RuleSetQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule set of time limits")
        verbose_name_plural = _("rule sets of time limits")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from:%d/%m/%Y})"

    def is_editable(self, today: datetime.date) -> bool:
        """Only a rule set not yet in force may change: cases already counted with it stand."""
        return self.effective_from > today


class TimeLimitRule(models.Model):
    """One legal time limit: a step of a kind of voice, counted from an event."""

    rule_set = models.ForeignKey(
        RuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="rules"
    )
    kind = models.CharField(_("kind of voice"), max_length=30, choices=VoiceKind.choices)
    step = models.CharField(_("step"), max_length=30, choices=Step.choices)
    applies_when = models.CharField(
        _("applies"), max_length=20, choices=Condition.choices, default=Condition.ALWAYS
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    counts_from = models.CharField(_("counts from"), max_length=20, choices=Event.choices)
    after_step = models.CharField(
        _("after the due date of"),
        max_length=30,
        choices=Step.choices,
        blank=True,
        help_text=_("Only when the limit counts from the due date of another step."),
    )
    amount = models.PositiveSmallIntegerField(_("limit"))
    unit = models.CharField(_("unit"), max_length=20, choices=LimitUnit.choices)
    amount_remote = models.PositiveSmallIntegerField(
        _("limit in remote areas"), null=True, blank=True
    )
    amount_complex = models.PositiveSmallIntegerField(
        _("limit for complex cases"), null=True, blank=True
    )
    amount_remote_complex = models.PositiveSmallIntegerField(
        _("limit for complex cases in remote areas"), null=True, blank=True
    )
    max_extensions = models.PositiveSmallIntegerField(_("extensions allowed"), default=0)
    max_extensions_complex = models.PositiveSmallIntegerField(
        _("extensions allowed, complex case"), default=0
    )
    max_extensions_especially_complex = models.PositiveSmallIntegerField(
        _("extensions allowed, especially complex case"), default=0
    )
    extension_amount = models.PositiveSmallIntegerField(
        _("length of one extension"),
        null=True,
        blank=True,
        help_text=_("In the same unit as the limit; counted from the previous due date."),
    )
    configurable = models.BooleanField(
        _("each body may set its own limit"),
        default=False,
        help_text=_("The law sets no general limit; this one is the default."),
    )
    citation = models.CharField(_("legal basis"), max_length=300)
    notes = models.TextField(_("notes"), blank=True)
    verify = models.BooleanField(
        _("to verify"),
        default=False,
        help_text=_("The figure is a default to be checked against the official text."),
    )

    class Meta:
        verbose_name = _("time limit")
        verbose_name_plural = _("time limits")
        ordering = ["rule_set", "kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                "rule_set", "kind", "step", "applies_when", name="deadline_rule_unique_step"
            ),
            models.CheckConstraint(condition=Q(amount__gte=1), name="deadline_rule_amount_pos"),
            models.CheckConstraint(
                condition=(Q(counts_from="due") & ~Q(after_step=""))
                | (~Q(counts_from="due") & Q(after_step="")),
                name="deadline_rule_after_step_iff_due",
            ),
            models.CheckConstraint(
                condition=Q(extension_amount__isnull=False, extension_amount__gte=1)
                | Q(
                    max_extensions=0, max_extensions_complex=0, max_extensions_especially_complex=0
                ),
                name="deadline_rule_extension_has_length",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.get_step_display()}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.counts_from == Event.DUE and not self.after_step:
            errors["after_step"] = str(_("Say which step's due date this limit counts from."))
        if self.counts_from != Event.DUE and self.after_step:
            errors["after_step"] = str(_("Only a limit counted from a due date names a step."))
        if self.after_step and self.after_step == self.step:
            errors["after_step"] = str(_("A step cannot count from its own due date."))
        if (
            self.amount_remote is not None
            and self.amount_complex is not None
            and self.amount_remote_complex is None
        ):
            errors["amount_remote_complex"] = str(
                _("With both a remote and a complex limit, give the limit for both together.")
            )
        allows_extensions = (
            self.max_extensions
            or self.max_extensions_complex
            or self.max_extensions_especially_complex
        )
        if allows_extensions and not self.extension_amount:
            errors["extension_amount"] = str(_("Give the length of one extension."))
        if self.amount is not None and self.amount < 1:
            errors["amount"] = str(_("A limit is at least one day."))
        if errors:
            raise ValidationError(errors)

    def amount_for(self, *, remote: bool, complexity: str) -> int:
        """The limit for a case: remote and complex variants fall back to the plain limit.

        Kinds whose law knows no "especially complex" (complaints) treat it as complex.
        """
        is_complex = complexity != Complexity.NORMAL
        candidates: list[int | None] = []
        if remote and is_complex:
            candidates.append(self.amount_remote_complex)
        if remote:
            candidates.append(self.amount_remote)
        if is_complex:
            candidates.append(self.amount_complex)
        for amount in candidates:
            if amount is not None:
                return amount
        return self.amount

    def extensions_allowed(self, complexity: str) -> int:
        if complexity == Complexity.ESPECIALLY_COMPLEX:
            return self.max_extensions_especially_complex
        if complexity == Complexity.COMPLEX:
            return self.max_extensions_complex
        return self.max_extensions


class CalendarException(models.Model):
    """A day whose status differs from the ``holidays`` package: an extra day off, or a
    Saturday worked in exchange for a bridge day (ngày làm bù). It overrides the package."""

    day = models.DateField(_("day"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"), help_text=_("Ticked: a working day. Unticked: a day off.")
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["-day"]

    def __str__(self) -> str:
        status = _("working day") if self.is_working_day else _("day off")
        return f"{self.day:%d/%m/%Y}: {status}"
