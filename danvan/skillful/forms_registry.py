"""Forms of the registry pages: the list's filters, the registration form with its indicators, an
indicator report, evidence, adoption and the spreadsheet import. The services check everything
again; the forms only turn text into values and say plainly what each part of the form asks."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danvan.lib.forms import SpreadsheetImportForm
from danvan.organizations.models import Body
from danvan.skillful.models import EmulationPeriod, Holder, Indicator, Level, ModelStatus
from danvan.skillful.models import Field as ModelField
from danvan.skillful.services_registry import IndicatorInput
from danvan.units.fields import UnitField


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class ModelFilterForm(forms.Form):
    q = forms.CharField(label=_("Text"), max_length=100, required=False)
    field = forms.ChoiceField(
        label=_("Field"), choices=[("", _("Any field")), *ModelField.choices], required=False
    )
    level = forms.ChoiceField(
        label=_("Level"), choices=[("", _("Any level")), *Level.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *ModelStatus.choices], required=False
    )
    period = forms.ModelChoiceField(
        label=_("Emulation period"),
        queryset=EmulationPeriod.objects.all(),
        required=False,
        empty_label=_("Any period"),
    )
    unit = UnitField(label=_("Unit"), required=False)


#: Each part of the registration form with what it asks, in plain words.
PART_HELP = {
    "situation": _("What is the situation now, and why is this model needed?"),
    "goals": _("What the model will achieve, and how you will know it has."),
    "content": _("What will be done, and how the people will be mobilized."),
    "area_and_target": _("Where the model runs and whom it is for."),
    "forces": _("Who carries it out: bodies, organizations, groups and people."),
    "resources": _("Money, work days, materials: what the people, the budget and others bring."),
    "expected_outputs": _("What will exist at the end: roads built, households helped, ..."),
    "sustainability": _("How it will last without outside help, and how others can copy it."),
}


class RegistrationForm(forms.Form):
    name = forms.CharField(label=_("1. Name of the model"), max_length=255)
    holder = forms.ChoiceField(label=_("Collective or individual"), choices=Holder.choices)
    person_name = forms.CharField(
        label=_("The person (for an individual model)"), max_length=150, required=False
    )
    person_consents_to_publication = forms.BooleanField(
        label=_("The person agrees to be named publicly"), required=False
    )
    field = forms.ChoiceField(label=_("Field"), choices=ModelField.choices)
    period = forms.ModelChoiceField(
        label=_("Emulation period"), queryset=EmulationPeriod.objects.none()
    )
    year = forms.IntegerField(label=_("Yearly round"), min_value=1990, max_value=2100)
    lead_body = forms.ModelChoiceField(label=_("Lead body"), queryset=Body.objects.none())
    partner_bodies = forms.ModelMultipleChoiceField(
        label=_("Partner bodies"),
        queryset=Body.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    situation = forms.CharField(label=_("2. Situation and reason"), widget=forms.Textarea)
    goals = forms.CharField(label=_("3. Goals and criteria"), widget=forms.Textarea)
    content = forms.CharField(label=_("4. Content and method"), widget=forms.Textarea)
    area_and_target = forms.CharField(label=_("5. Area and target group"), widget=forms.Textarea)
    forces = forms.CharField(label=_("6. Forces carrying it out"), widget=forms.Textarea)
    resources = forms.CharField(label=_("7. Resources"), widget=forms.Textarea)
    starts_on = forms.DateField(label=_("8. Time frame: starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("8. Time frame: ends on"), required=False, widget=DateInput())
    expected_outputs = forms.CharField(label=_("9. Expected outputs"), widget=forms.Textarea)
    sustainability = forms.CharField(
        label=_("10. Ability to sustain and replicate"), widget=forms.Textarea
    )

    def __init__(
        self,
        *args: Any,
        periods: QuerySet[EmulationPeriod],
        bodies: QuerySet[Body],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = periods  # type: ignore[attr-defined]
        self.fields["lead_body"].queryset = bodies  # type: ignore[attr-defined]
        self.fields["partner_bodies"].queryset = bodies  # type: ignore[attr-defined]
        for name, text in PART_HELP.items():
            self.fields[name].help_text = text
            self.fields[name].widget.attrs["rows"] = 3
        today = timezone.localdate()
        self.fields["year"].initial = today.year
        running = [p for p in periods if p.starts_on <= today <= p.ends_on]
        if running:
            self.fields["period"].initial = running[0].pk
        self.fields["starts_on"].help_text = _("Within the emulation period.")


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200, required=False)
    unit_of_measure = forms.CharField(label=_("Unit of measure"), max_length=40, required=False)
    baseline = forms.DecimalField(
        label=_("Baseline"), max_digits=14, decimal_places=2, min_value=0, required=False
    )
    target = forms.DecimalField(
        label=_("Target"), max_digits=14, decimal_places=2, min_value=0, required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        given = [data.get(k) not in (None, "") for k in ("name", "unit_of_measure", "target")]
        if any(given) and not all(given):
            raise forms.ValidationError(
                _(
                    "Give the indicator a name, a unit of measure and a target, or leave the row empty."
                )
            )
        return data

    def as_input(self) -> IndicatorInput | None:
        data = self.cleaned_data
        if not data.get("name"):
            return None
        return IndicatorInput(
            data["name"],
            data["unit_of_measure"],
            data.get("baseline") or Decimal(0),
            data["target"],
        )


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=3, max_num=20, validate_max=True)


class ReportForm(forms.Form):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=Indicator.objects.none())
    period_label = forms.CharField(
        label=_("Period"),
        max_length=20,
        help_text=_("A year (2026), a half year (2026-H1) or a quarter (2026-Q3)."),
    )
    value = forms.DecimalField(label=_("Value"), max_digits=14, decimal_places=2, min_value=0)
    reported_on = forms.DateField(label=_("Reported on"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    file = forms.FileField(
        label=_("Evidence (photo or PDF)"),
        required=False,
        help_text=_("JPEG, PNG, WebP or PDF. Photos are stored without their location data."),
    )
    caption = forms.CharField(label=_("Caption"), max_length=255, required=False)

    def __init__(self, *args: Any, indicators: QuerySet[Indicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = indicators  # type: ignore[attr-defined]
        self.fields["period_label"].initial = str(timezone.localdate().year)


class EvidenceForm(forms.Form):
    file = forms.FileField(
        label=_("Photo or document"),
        help_text=_("JPEG, PNG, WebP or PDF. Photos are stored without their location data."),
    )
    caption = forms.CharField(label=_("Caption"), max_length=255, required=False)


class AdoptForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Adopting unit"), queryset=Body.objects.none())
    lead_body = forms.ModelChoiceField(label=_("Lead body"), queryset=Body.objects.none())
    period = forms.ModelChoiceField(
        label=_("Emulation period"), queryset=EmulationPeriod.objects.none()
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())

    def __init__(
        self,
        *args: Any,
        units: QuerySet[Any],
        bodies: QuerySet[Body],
        periods: QuerySet[EmulationPeriod],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        self.fields["lead_body"].queryset = bodies  # type: ignore[attr-defined]
        self.fields["period"].queryset = periods  # type: ignore[attr-defined]
        self.fields["starts_on"].initial = datetime.date.today()


class ModelImportForm(SpreadsheetImportForm):
    columns_help = _(
        "Columns: Mã đơn vị, Tên mô hình, Lĩnh vực, Cấp, Giai đoạn, Năm, Cơ quan chủ trì, "
        "Ngày bắt đầu, Nội dung; optional: Tập thể/cá nhân, Người, Trạng thái, the other parts of "
        "the registration form, and the commendation (Số quyết định, Ngày quyết định, Cơ quan "
        "khen thưởng, Hình thức khen thưởng)."
    )
