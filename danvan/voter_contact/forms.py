from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from danvan.lib.forms import SpreadsheetImportForm
from danvan.lib.roles import Capability
from danvan.lib.users import Requester
from danvan.organizations.models import Body, BodyKind
from danvan.units.fields import UnitField
from danvan.units.models import AdministrativeUnit
from danvan.voices.importing.columns import normalize_unit_code
from danvan.voices.models import Topic

ORGANIZING_KINDS = (BodyKind.PEOPLES_COUNCIL, BodyKind.FRONT_COMMITTEE, BodyKind.PEOPLES_COMMITTEE)


class UnitCodeField(UnitField):
    """A unit typed by its name or code, limited to the units the officer may act in."""

    def __init__(self, *, user: Requester | None = None, **kwargs: Any) -> None:
        self.user = user
        super().__init__(**kwargs)

    def clean(self, value: Any) -> AdministrativeUnit | None:  # type: ignore[override]
        code = super().clean(value)
        if not code:
            return None
        unit = (
            AdministrativeUnit.objects.visible_to(self.user, Capability.ACT)
            .filter(code=normalize_unit_code(code))
            .first()
        )
        if unit is None:
            raise forms.ValidationError(
                _("No unit you work for has the code %(code)s."), params={"code": code}
            )
        return unit


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    date = forms.DateField(
        label=_("Date"), input_formats=["%d/%m/%Y", "%Y-%m-%d"], help_text=_("dd/mm/yyyy")
    )
    place = forms.CharField(label=_("Place"), max_length=255, required=False)
    unit = UnitCodeField(
        label=_("Unit"), help_text=_("The commune, ward or province, by name or code.")
    )
    organizing_body = forms.ModelChoiceField(
        label=_("Organizing body"), queryset=Body.objects.none(), required=False
    )
    deputies = forms.CharField(
        label=_("Deputies"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    notes = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, user: Requester, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, UnitCodeField)
        unit_field.user = user
        body_field = self.fields["organizing_body"]
        assert isinstance(body_field, forms.ModelChoiceField)
        body_field.queryset = (
            Body.objects.visible_to(user)
            .active()
            .filter(kind__in=ORGANIZING_KINDS)
            .select_related("unit")
        )


class RecommendationForm(forms.Form):
    text = forms.CharField(
        label=_("Recommendation"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )
    topic = forms.ModelChoiceField(label=_("Topic"), queryset=Topic.objects.none())
    unit = UnitCodeField(
        label=_("Unit"),
        required=False,
        help_text=_("The commune or village the recommendation is about; empty: the session's."),
    )
    joint = forms.BooleanField(
        label=_("The answering body leads a joint answer (50 days)"), required=False
    )
    submitter_name = forms.CharField(label=_("Voter's name"), max_length=200, required=False)
    submitter_address = forms.CharField(label=_("Address"), max_length=255, required=False)

    def __init__(self, *args: Any, user: Requester, province_id: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, UnitCodeField)
        unit_field.user = user
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, forms.ModelChoiceField)
        topic_field.queryset = Topic.objects.for_province(province_id)


class VoiceImportForm(SpreadsheetImportForm):
    columns_help = _(
        "Columns: kind, topic, unit code, content, date received (dd/mm/yyyy), name, "
        "contact, address."
    )

    def clean_file(self) -> object:
        # Up to 100,000 voices: a larger limit than other spreadsheets'.
        upload = self.cleaned_data["file"]
        limit = settings.DANVAN_MAX_VOICE_IMPORT_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}
            )
        return upload


class SessionImportForm(VoiceImportForm):
    columns_help = _(
        "Columns: topic, unit code (empty: the session's commune), content, joint (yes/no), "
        "name, address."
    )

    def clean_file(self) -> object:
        # A session's recommendations go one by one through its service: the usual limit.
        return SpreadsheetImportForm.clean_file(self)
