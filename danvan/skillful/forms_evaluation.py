"""Forms of the evaluation pages. They only read what was typed; the services decide."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danvan.skillful.models import Council, Criterion, EmulationPeriod, Level
from danvan.skillful.services_criteria import CriterionSpec, GradeSpec
from danvan.units.models import AdministrativeUnit


class VersionForm(forms.Form):
    """The version of the model the officer saw, checked by the service."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class CriteriaSetForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    period = forms.ModelChoiceField(
        label=gettext_lazy("Emulation period"), queryset=EmulationPeriod.objects.none()
    )
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=Level.choices)

    def __init__(self, *args: Any, province: AdministrativeUnit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        period_field = self.fields["period"]
        assert isinstance(period_field, forms.ModelChoiceField)
        period_field.queryset = EmulationPeriod.objects.filter(
            province__isnull=True
        ) | EmulationPeriod.objects.filter(province=province)


class CriteriaSetEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)


class CriterionForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Criterion"), max_length=255, required=False)
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    weight = forms.DecimalField(
        label=gettext_lazy("Weight"), max_digits=5, decimal_places=2, required=False
    )
    max_score = forms.IntegerField(
        label=gettext_lazy("Highest score"), min_value=1, max_value=1000, required=False
    )


class GradeForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Grade"), max_length=80, required=False)
    min_score = forms.DecimalField(
        label=gettext_lazy("From score (0–100)"), max_digits=5, decimal_places=2, required=False
    )
    recognizes = forms.BooleanField(label=gettext_lazy("Recognized"), required=False)


CriterionFormSet = forms.formset_factory(CriterionForm, extra=3, max_num=40, validate_max=True)
GradeFormSet = forms.formset_factory(GradeForm, extra=2, max_num=10, validate_max=True)


def criteria_specs(formset: Any) -> list[CriterionSpec]:
    """The filled rows of a criteria formset (a row without a name is left out)."""
    specs = []
    for data in formset.cleaned_data:
        if not data or not (data.get("name") or "").strip():
            continue
        weight = data.get("weight")
        specs.append(
            CriterionSpec(
                name=data["name"],
                description=data.get("description") or "",
                weight=weight if weight is not None else Decimal(0),
                max_score=data.get("max_score") or 10,
            )
        )
    return specs


def grade_specs(formset: Any) -> list[GradeSpec]:
    specs = []
    for data in formset.cleaned_data:
        if not data or not (data.get("name") or "").strip():
            continue
        minimum = data.get("min_score")
        specs.append(
            GradeSpec(
                name=data["name"],
                min_score=minimum if minimum is not None else Decimal(-1),
                recognizes=bool(data.get("recognizes")),
            )
        )
    return specs


_SEPARATORS = re.compile(r"[\s,;]+")


class MembersField(forms.CharField):
    """Usernames separated by spaces, commas or new lines → the users."""

    def clean(self, value: Any) -> list[Any]:
        text = super().clean(value)
        names = [n for n in _SEPARATORS.split(text or "") if n]
        if not names:
            raise ValidationError(_("Give the usernames of the members."))
        users = {
            u.get_username(): u
            for u in get_user_model().objects.filter(username__in=names, is_active=True)
        }
        unknown = [n for n in names if n not in users]
        if unknown:
            raise ValidationError(
                _("No active account with these usernames: %(names)s.")
                % {"names": ", ".join(unknown)}
            )
        return list(dict.fromkeys(users[n] for n in names))


class CouncilForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"), queryset=AdministrativeUnit.objects.none()
    )
    period = forms.ModelChoiceField(
        label=gettext_lazy("Emulation period"), queryset=EmulationPeriod.objects.all()
    )
    members = MembersField(
        label=gettext_lazy("Members"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Usernames, separated by spaces, commas or new lines."),
    )

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ModelChoiceField)
        unit_field.queryset = units


class CouncilEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    members = MembersField(
        label=gettext_lazy("Members"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Usernames, separated by spaces, commas or new lines."),
    )


class ScoreForm(forms.Form):
    """One score and one comment per criterion the member has not scored yet."""

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            # Out-of-range values reach the service, which says which criterion and why.
            self.fields[f"score_{criterion.pk}"] = forms.DecimalField(
                label=criterion.name,
                max_digits=7,
                decimal_places=2,
                required=False,
                widget=forms.NumberInput(
                    attrs={"step": "0.01", "min": 0, "max": criterion.max_score}
                ),
            )
            self.fields[f"comment_{criterion.pk}"] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=5000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def rows(self) -> list[tuple[Criterion, Any, Any]]:
        return [(c, self[f"score_{c.pk}"], self[f"comment_{c.pk}"]) for c in self.criteria]

    def scores(self) -> dict[Criterion, Decimal]:
        return {
            c: self.cleaned_data[f"score_{c.pk}"]
            for c in self.criteria
            if self.cleaned_data.get(f"score_{c.pk}") is not None
        }

    def comments(self) -> dict[Criterion, str]:
        return {c: self.cleaned_data.get(f"comment_{c.pk}") or "" for c in self.criteria}


class ProposeForm(VersionForm):
    to_level = forms.ChoiceField(label=gettext_lazy("Propose to the level"), choices=Level.choices)


class OpenEvaluationForm(VersionForm):
    council = forms.ModelChoiceField(label=gettext_lazy("Council"), queryset=Council.objects.none())

    def __init__(self, *args: Any, councils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        council_field = self.fields["council"]
        assert isinstance(council_field, forms.ModelChoiceField)
        council_field.queryset = councils


class CommendationForm(VersionForm):
    decision_number = forms.CharField(
        label=gettext_lazy("Decision number"),
        max_length=60,
        help_text=gettext_lazy("For example 123/QĐ-UBND."),
    )
    decided_on = forms.DateField(
        label=gettext_lazy("Decided on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    issuer = forms.CharField(label=gettext_lazy("Issued by"), max_length=200)
    title = forms.CharField(
        label=gettext_lazy("Form of commendation"),
        max_length=200,
        help_text=gettext_lazy("For example Bằng khen, Giấy khen."),
    )
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=Level.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()
