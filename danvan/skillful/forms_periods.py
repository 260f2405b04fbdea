"""Forms of the emulation periods' pages: a period with its yearly rounds, one more round."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from danvan.skillful.forms_registry import DateInput
from danvan.units.models import AdministrativeUnit

#: The value of the "whole country" choice (only administrators see it).
NATIONAL = "national"


class PeriodForm(forms.Form):
    province = forms.ChoiceField(label=_("Province"))
    name = forms.CharField(label=_("Name"), max_length=80, help_text=_("For example “2026–2030”."))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    yearly_rounds = forms.BooleanField(
        label=_("Create a yearly round for each year of the period"),
        required=False,
        initial=True,
        help_text=_("Rounds can also be added one by one on the period's page."),
    )

    def __init__(
        self,
        *args: Any,
        provinces: list[AdministrativeUnit],
        national: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        choices = [(p.code, p.name) for p in provinces]
        if national:
            choices.append((NATIONAL, str(_("The whole country"))))
        field = self.fields["province"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        self.provinces = {p.code: p for p in provinces}

    def clean_province(self) -> AdministrativeUnit | None:
        code = self.cleaned_data["province"]
        return None if code == NATIONAL else self.provinces[code]


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    starts_on = forms.DateField(
        label=_("Starts on"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the first day of the year within the period."),
    )
    ends_on = forms.DateField(
        label=_("Ends on"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the last day of the year within the period."),
    )
