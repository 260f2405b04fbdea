from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from danvan.deadlines.engine import Schedule, compute_schedule
from danvan.deadlines.errors import DeadlineError
from danvan.deadlines.models import Complexity, Step, VoiceKind
from danvan.deadlines.selectors import unit_for_deadlines, unit_is_remote
from danvan.units.models import AdministrativeUnit


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DeadlineCalculatorForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of voice"), choices=VoiceKind.choices)
    received = forms.DateField(label=_("Received on"), widget=_DateInput())
    accepted = forms.DateField(
        label=_("Accepted on"),
        required=False,
        widget=_DateInput(),
        help_text=_("Leave empty before acceptance: the steps counted from it then show no date."),
    )
    decided = forms.DateField(
        label=_("First decision received on"),
        required=False,
        widget=_DateInput(),
        help_text=_("First complaints only: starts the time to file a second complaint."),
    )
    unit = forms.CharField(
        label=_("Commune code"),
        required=False,
        max_length=20,
        help_text=_("The commune's code, for example 17329: its remote-area flag applies."),
    )
    remote = forms.BooleanField(
        label=_("Remote, mountainous or especially difficult area"),
        required=False,
        help_text=_("Tick this instead of giving a commune code."),
    )
    complexity = forms.ChoiceField(
        label=_("Complexity"), choices=Complexity.choices, initial=Complexity.NORMAL
    )
    joint = forms.BooleanField(
        label=_("Lead agency of a joint answer"),
        required=False,
        help_text=_("Voter recommendations only."),
    )
    extensions = forms.IntegerField(
        label=_("Extensions of the resolution granted"),
        required=False,
        min_value=0,
        max_value=2,
        help_text=_(
            "Denunciations only: one for a complex case, two for an especially complex one."
        ),
    )

    def clean_unit(self) -> AdministrativeUnit | None:
        code = self.cleaned_data.get("unit", "").strip()
        if not code:
            return None
        try:
            return unit_for_deadlines(code)
        except DeadlineError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("unit") is not None and data.get("remote"):
            self.add_error("remote", _("Give a commune code or tick the remote area, not both."))
        received, accepted, decided = (
            data.get("received"),
            data.get("accepted"),
            data.get("decided"),
        )
        if received and accepted and accepted < received:
            self.add_error(
                "accepted", _("The acceptance date cannot be before the date of receipt.")
            )
        if received and decided and decided < (accepted or received):
            self.add_error(
                "decided",
                _("The decision date cannot be before the date of receipt or of acceptance."),
            )
        return data

    @property
    def is_remote_area(self) -> bool:
        unit = self.cleaned_data.get("unit")
        if unit is not None:
            return unit_is_remote(unit)
        return bool(self.cleaned_data.get("remote"))

    def compute(self) -> Schedule | None:
        """The schedule, or None with the reason added to the form's errors."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        extensions = {Step.RESOLVE.value: data["extensions"]} if data.get("extensions") else {}
        try:
            return compute_schedule(
                kind=data["kind"],
                received=data["received"],
                accepted=data.get("accepted"),
                decided=data.get("decided"),
                remote=self.is_remote_area,
                complexity=data["complexity"],
                joint=bool(data.get("joint")),
                extensions=extensions,
            )
        except DeadlineError as exc:
            self.add_error(None, str(exc))
            return None
