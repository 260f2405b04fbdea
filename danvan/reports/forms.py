"""Forms of the reports pages. Each action form carries the version the page showed."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danvan.organizations.models import Body
from danvan.reports.models import ReportFormat, SignerPrefix
from danvan.reports.periods import PeriodError, ReportPeriod, parse_period, period_containing

AUTO_FORMAT = ""


def recent_periods(today: datetime.date | None = None) -> list[ReportPeriod]:
    """The periods an officer most often reports on: the last quarter first, then the last
    months, quarters, halves and years that have ended (or, for the current ones, begun)."""
    today = today or timezone.localdate()
    found: list[ReportPeriod] = []
    for kind, count in (("quarter", 4), ("month", 6), ("half", 2), ("year", 2)):
        period = period_containing(kind, today).previous()
        for _step in range(count):
            found.append(period)
            period = period.previous()
    for kind in ("month", "quarter", "year"):  # so far this period
        found.append(period_containing(kind, today))
    return found


class GenerateForm(forms.Form):
    body = forms.ModelChoiceField(
        label=_("Issuing body"),
        queryset=Body.objects.none(),
        help_text=_("Only bodies with a document symbol (e.g. UBND, BTGDVTU) can issue reports."),
    )
    period = forms.ChoiceField(label=_("Period"), required=False)
    other_period = forms.CharField(
        label=_("Or another period"),
        required=False,
        max_length=30,
        help_text=_("2026-10, 2026-Q3, 2026-H1, 2026 or 2026-07-01..2026-09-15."),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        required=False,
        choices=[(AUTO_FORMAT, _("As the body's system requires")), *ReportFormat.choices],
    )

    def __init__(self, *args: Any, bodies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies  # type: ignore[attr-defined]
        self.fields["body"].label_from_instance = lambda b: f"{b.name} ({b.short_name})"  # type: ignore[attr-defined]
        periods = recent_periods()
        self.fields["period"].choices = [(p.code, p.label()) for p in periods]  # type: ignore[attr-defined]
        self.fields["period"].initial = periods[0].code

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        text = (data.get("other_period") or "").strip() or data.get("period") or ""
        try:
            data["report_period"] = parse_period(text)
        except PeriodError as error:
            field = "other_period" if data.get("other_period") else "period"
            self.add_error(field, str(error))
        return data


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EditForm(VersionForm):
    title = forms.CharField(label=_("Summary"), max_length=300)
    assessment = forms.CharField(
        label=_("General assessment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Your assessment of the period: what went well, what did not, and why."),
    )
    proposals = forms.CharField(
        label=_("Proposals and recommendations"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the unit proposes to the superior bodies. One paragraph per line."),
    )
    format = forms.ChoiceField(label=_("Format"), choices=ReportFormat.choices)
    place = forms.CharField(label=_("Place in the dateline"), max_length=80)
    signer_prefix = forms.ChoiceField(
        label=_("Signing as"), choices=SignerPrefix.choices, required=False
    )
    signer_authority = forms.CharField(label=_("On behalf of"), max_length=120, required=False)
    signer_position = forms.CharField(label=_("Signer's position"), max_length=120, required=False)
    signer_name = forms.CharField(label=_("Signer's name"), max_length=120, required=False)
    recipients = forms.CharField(
        label=_("Recipients"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line. “Lưu: VT.” is added at the end."),
    )


class ReturnForm(VersionForm):
    note = forms.CharField(
        label=_("What should be changed"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class IssueForm(VersionForm):
    issued_on = forms.DateField(
        label=_("Date of issue"),
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        help_text=_("Today if left empty. The number is given on issue."),
    )
