"""What goes in and out of ``/api/v1/``. Every field that leaves is listed here by name: nothing
about a submitter leaves unless ``submitter`` is filled in by the view, and a denouncer's
identity (``DenouncerIdentity``) is not reachable from any of these serializers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from danvan.deadlines.models import VoiceKind
from danvan.voices.models import VoiceStatus


class VoiceSubmitSerializer(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=VoiceKind.choices)
    topic = serializers.SlugField(help_text=_("Topic code, e.g. “land”."))
    unit = serializers.CharField(
        max_length=20, help_text=_("Code of the current commune or village, e.g. “17329”.")
    )
    text = serializers.CharField(max_length=10_000, trim_whitespace=True)
    is_anonymous = serializers.BooleanField(default=False)
    submitter_name = serializers.CharField(required=False, allow_blank=True, max_length=200)
    submitter_contact = serializers.CharField(required=False, allow_blank=True, max_length=200)
    submitter_address = serializers.CharField(required=False, allow_blank=True, max_length=500)
    submitter_id_number = serializers.CharField(required=False, allow_blank=True, max_length=30)
    lat = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)
    long = serializers.DecimalField(max_digits=9, decimal_places=6, required=False, allow_null=True)


class SubmittedSerializer(serializers.Serializer[Any]):
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    received_on = serializers.DateField()
    due_on = serializers.DateField(allow_null=True)


class CodeNameSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()


class BodyRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PublicEventSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    status = serializers.CharField(source="to_status")
    body = serializers.CharField(source="body.name", allow_null=True, default=None)
    note = serializers.CharField()


class AnswerSerializer(serializers.Serializer[Any]):
    text = serializers.CharField(source="answer_text")
    published_at = serializers.DateTimeField()


class VoiceStatusSerializer(serializers.Serializer[Any]):
    """What the holder of a tracking code sees: never the content's author, never the answer
    before it is published."""

    tracking_code = serializers.CharField()
    kind = serializers.CharField()
    topic = serializers.CharField(source="topic.name")
    place = serializers.CharField()
    status = serializers.ChoiceField(choices=VoiceStatus.choices)
    status_display = serializers.CharField(source="get_status_display")
    received_on = serializers.DateField()
    due_on = serializers.DateField(allow_null=True)
    timeline = PublicEventSerializer(many=True)
    answer = AnswerSerializer(allow_null=True)


class CaseListSerializer(serializers.Serializer[Any]):
    tracking_code = serializers.CharField()
    kind = serializers.CharField()
    channel = serializers.CharField()
    status = serializers.ChoiceField(choices=VoiceStatus.choices)
    unit = CodeNameSerializer()
    topic = CodeNameSerializer()
    received_on = serializers.DateField()
    due_on = serializers.DateField(allow_null=True)
    assignee = BodyRefSerializer(allow_null=True)
    is_anonymous = serializers.BooleanField()
    version = serializers.IntegerField()


class DeadlineSerializer(serializers.Serializer[Any]):
    step = serializers.CharField()
    due_on = serializers.DateField(allow_null=True)
    done_on = serializers.DateField(allow_null=True)
    citation = serializers.CharField()


class CaseEventSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    body = serializers.CharField(source="body.name", allow_null=True, default=None)
    note = serializers.CharField()
    is_public = serializers.BooleanField()


class SubmitterSerializer(serializers.Serializer[Any]):
    name = serializers.CharField(source="submitter_name")
    contact = serializers.CharField(source="submitter_contact")
    address = serializers.CharField(source="submitter_address")


class CaseDetailSerializer(CaseListSerializer):
    text = serializers.CharField()
    lat = serializers.DecimalField(
        max_digits=9, decimal_places=6, source="latitude", allow_null=True
    )
    long = serializers.DecimalField(
        max_digits=9, decimal_places=6, source="longitude", allow_null=True
    )
    accepted_on = serializers.DateField(allow_null=True)
    refusal_reason = serializers.CharField()
    answer_text = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    deadlines = DeadlineSerializer(many=True, source="deadlines.all")
    events = CaseEventSerializer(many=True, source="events.all")
    submitter = SubmitterSerializer(
        allow_null=True,
        help_text=_(
            "Only for users allowed to see personal data for the case's unit; every such read "
            "is audited. Never a denouncer's identity."
        ),
    )


class CaseActionSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(
        min_value=1, help_text=_("The case's version as you loaded it.")
    )
    accepted_on = serializers.DateField(required=False, help_text=_("accept only"))
    body = serializers.IntegerField(required=False, help_text=_("assign only: the body's id"))
    text = serializers.CharField(required=False, allow_blank=True, help_text=_("answer only"))
    reason = serializers.CharField(
        required=False, allow_blank=True, help_text=_("refuse and reopen only")
    )
    note = serializers.CharField(required=False, allow_blank=True, help_text=_("close only"))
    bodies = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        help_text=_("coordinate only: the ids of the bodies asked"),
    )
    request = serializers.CharField(
        required=False, allow_blank=True, help_text=_("coordinate only: what is asked")
    )
    coordination = serializers.IntegerField(
        required=False, help_text=_("coordination_reply only: the request's id")
    )
    reply = serializers.CharField(
        required=False, allow_blank=True, help_text=_("coordination_reply only")
    )
    step = serializers.CharField(required=False, help_text=_("extend only: the step's code"))
    complexity = serializers.ChoiceField(
        choices=["normal", "complex", "especially_complex"],
        required=False,
        help_text=_("extend only: the case's complexity"),
    )


class RateSerializer(serializers.Serializer[Any]):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
