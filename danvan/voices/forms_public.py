"""Forms of the citizen pages: sending a voice and looking one up by its tracking code."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danvan.deadlines.models import VoiceKind
from danvan.lib.text import fold
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices import conf
from danvan.voices.attachments import CheckedAttachment, attachment_check
from danvan.voices.intake import MAX_TEXT, NAMED_KINDS
from danvan.voices.models import Topic

#: What a citizen may send through the web. Voter recommendations and reception records are
#: entered by officers.
PUBLIC_KINDS = (
    VoiceKind.OPINION,
    VoiceKind.REFLECTION,
    VoiceKind.COMPLAINT_FIRST,
    VoiceKind.COMPLAINT_SECOND,
    VoiceKind.DENUNCIATION,
)
PUBLIC_TIERS = (UnitTier.COMMUNE, UnitTier.VILLAGE)
ACCEPTED_FILES = "image/jpeg,image/png,image/webp,application/pdf,.jpg,.jpeg,.png,.webp,.pdf"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def public_units() -> Any:
    """The places a citizen can name: current communes, wards, villages and residential groups."""
    return AdministrativeUnit.objects.current().filter(tier__in=PUBLIC_TIERS)


def province_of(unit: AdministrativeUnit) -> AdministrativeUnit | None:
    code = unit.path.strip("/").split("/")[0]
    return AdministrativeUnit.objects.filter(code=code).first()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one ``<input type=file multiple>``."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_FILES}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class TopicChoiceField(forms.ModelChoiceField[Topic]):
    def label_from_instance(self, obj: Topic) -> str:
        return obj.name


class VoiceSubmitForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What are you sending?"),
        choices=[(k.value, k.label) for k in PUBLIC_KINDS],
        widget=forms.RadioSelect,
    )
    topic = TopicChoiceField(
        label=gettext_lazy("Topic"),
        queryset=Topic.objects.none(),
        empty_label=gettext_lazy("— choose a topic —"),
    )
    unit_query = forms.CharField(
        label=gettext_lazy("Where did it happen?"),
        required=False,
        max_length=120,
        help_text=gettext_lazy(
            "Type the name of your commune, ward or village and choose it from the list. "
            "Diacritics are optional."
        ),
    )
    unit = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    text = forms.CharField(
        label=gettext_lazy("What happened, and what do you ask for?"),
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    is_anonymous = forms.BooleanField(
        label=gettext_lazy("Send without my name"),
        required=False,
        help_text=gettext_lazy(
            "Opinions and reflections may be anonymous. Complaints and denunciations need a name."
        ),
    )
    submitter_name = forms.CharField(
        label=gettext_lazy("Your full name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    submitter_contact = forms.CharField(
        label=gettext_lazy("Phone or email"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    submitter_address = forms.CharField(
        label=gettext_lazy("Address"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    latitude = forms.DecimalField(
        label=gettext_lazy("Latitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-90),
        max_value=Decimal(90),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    longitude = forms.DecimalField(
        label=gettext_lazy("Longitude"),
        required=False,
        max_digits=9,
        decimal_places=6,
        min_value=Decimal(-180),
        max_value=Decimal(180),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    attachments = MultipleFileField(
        label=gettext_lazy("Photos or documents"),
        required=False,
        help_text=gettext_lazy(
            "Up to 3 files: photos (JPEG, PNG, WebP) or PDF, 5 MB each at most. Location and "
            "camera data are removed from photos."
        ),
    )
    #: A one-time token made with the empty form. Sent again (the page failed after the voice was
    #: saved, the citizen pressed "Send" twice), it finds the voice already made.
    submission_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args: Any, province: AdministrativeUnit | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_token"].initial = secrets.token_urlsafe(24)
        self.unit_obj: AdministrativeUnit | None = None
        self.checked_attachments: list[CheckedAttachment] = []
        topics = Topic.objects.filter(is_active=True)
        if province is None and self.is_bound:
            unit = self._find_unit(self.data.get("unit", ""), self.data.get("unit_query", ""))
            province = province_of(unit) if unit is not None else None
        if province is not None:
            topics = Topic.objects.for_province(province.pk)
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, forms.ModelChoiceField)
        topic_field.queryset = topics.order_by("province_id", "order", "name")
        # Filled in by the unit picker, described by its own help text.
        self.fields["unit_query"].widget = forms.TextInput(
            attrs={"type": "search", "autocomplete": "off"}
        )

    @staticmethod
    def _find_unit(code: str, query: str) -> AdministrativeUnit | None:
        """The unit the picker chose, or, without JavaScript, the one the typed text names."""
        code = code.strip()
        if code:
            return public_units().filter(code=code).first()
        query = query.strip()
        if not query:
            return None
        if query.replace("-", "").isdigit():
            return public_units().filter(code=query).first()
        matches = list(public_units().filter(name_folded=fold(query))[:2])
        return matches[0] if len(matches) == 1 else None

    def clean_attachments(self) -> list[Any]:
        files: list[Any] = self.cleaned_data.get("attachments") or []
        limit = conf.attachment_max_count()
        if len(files) > limit:
            raise ValidationError(
                _("Send at most %(max)s files.") % {"max": limit}, code="too_many"
            )
        errors: list[ValidationError] = []
        checked = []
        for upload in files:
            try:
                checked.append(attachment_check(upload))
            except ValidationError as exc:
                errors.append(exc)
        if errors:
            raise ValidationError(errors)
        self.checked_attachments = checked
        return files

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit = self._find_unit(data.get("unit", ""), data.get("unit_query", ""))
        if unit is None:
            self.add_error(
                "unit_query",
                _("Choose the commune, ward or village from the list, or type its code."),
            )
        else:
            self.unit_obj = unit
            topic = data.get("topic")
            if topic is not None and topic.province_id is not None:
                province = province_of(unit)
                if province is None or topic.province_id != province.pk:
                    self.add_error("topic", _("This topic belongs to another province."))
        if str(data.get("kind")) in NAMED_KINDS and (
            data.get("is_anonymous") or not (data.get("submitter_name") or "").strip()
        ):
            self.add_error(
                "submitter_name",
                _(
                    "A complaint or denunciation needs the name of the person who makes it. "
                    "Without a name, send it as a reflection."
                ),
            )
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error("longitude", _("Give both latitude and longitude, or neither."))
        return data

    def submission_key(self) -> str | None:
        """``voice_submit``'s key for the valid form: its token bound to what it says, so the same
        form sent again is the same voice, and a form changed after "Back" (same token, other
        content) is a new one. None without a well-formed token."""
        data = self.cleaned_data
        token = data.get("submission_token") or ""
        if not _TOKEN.fullmatch(token) or self.unit_obj is None:
            return None
        content = "\x1f".join(
            str(value)
            for value in (
                data["kind"],
                self.unit_obj.code,
                data["topic"].pk,
                data["text"].strip(),
                data["is_anonymous"],
                data["submitter_name"].strip(),
                data["submitter_contact"].strip(),
                data["submitter_address"].strip(),
                data["latitude"],
                data["longitude"],
            )
        )
        return "web:" + hmac.new(token.encode(), content.encode(), hashlib.sha256).hexdigest()


class LookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Tracking code"),
        max_length=40,
        help_text=gettext_lazy(
            "As written on your receipt: it starts with DV-. Capitals and dashes are optional."
        ),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )


class PublicSecondComplaintForm(forms.Form):
    """A complainant's second complaint against the first decision, sent with the tracking code."""

    text = forms.CharField(
        label=_("Why you do not agree with the decision"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
