"""Forms of the alert pages: the list's filters, acknowledging and closing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from danvan.alerts.models import AlertLevel, AlertRule, AlertStatus
from danvan.units.fields import UnitField

ACTIVE = "active"


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), (ACTIVE, _("Open or acknowledged")), *AlertStatus.choices],
    )
    level = forms.TypedChoiceField(
        label=_("Level"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Any")), *AlertLevel.choices],
    )
    rule = forms.ChoiceField(
        label=_("Rule"), required=False, choices=[("", _("Any")), *AlertRule.choices]
    )
    unit = UnitField(
        label=_("Unit"),
        required=False,
        help_text=_("A province or commune, by name or code: its alerts and those below it."),
    )

    def filters(self) -> dict[str, Any]:
        """The valid filters only: a wrong value is shown as an error and ignored."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in ("", None)}


class AcknowledgeForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class CloseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("What was done"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required: the note stays with the alert."),
    )
