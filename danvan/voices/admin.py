"""Administration of voices. Topics of a province are edited here by system administrators;
voices and their timeline are read-only (they change only through the case services), the
submitter's encrypted fields are left out entirely, and a denouncer's identity is not registered."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from danvan.audit.context import Actor
from danvan.lib.forms import add_service_errors
from danvan.voices.models import Topic, Voice, VoiceEvent
from danvan.voices.services_topics import topic_create, topic_update


class _ReadOnlyAdmin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TopicForm(ModelForm[Topic]):
    #: Who saves: set by ``TopicAdmin.get_form`` from the request.
    actor: Actor | None = None

    class Meta:
        model = Topic
        fields = ["province", "code", "name", "order", "is_active"]

    def clean_province(self) -> Any:
        province = self.cleaned_data.get("province")
        if province is None:
            raise forms.ValidationError(
                _("Choose the province: the built-in topics are loaded by the system.")
            )
        return province

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.errors or self.actor is None:
            return data
        # The service is the judge (a province, a unique code and name): it writes in a savepoint
        # rolled back here, so that a refusal is shown on the form; ``save_model`` writes for real.
        try:
            with transaction.atomic():
                _topic_write(self.actor, self.instance, self)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            add_service_errors(self, error)
        return data


class _DryRun(Exception):
    pass


def _topic_write(actor: Actor, topic: Topic, form: ModelForm[Topic]) -> Topic:
    """Create or change ``topic`` as the admin form says, through the services (audit rows)."""
    data = form.cleaned_data
    if topic.pk is None:
        return topic_create(
            actor=actor,
            province=data["province"],
            name=data["name"],
            code=data["code"],
            order=data["order"],
        )
    return topic_update(
        actor=actor,
        topic=topic,
        name=data["name"],
        order=data["order"],
        is_active=data["is_active"],
    )


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin[Topic]):
    """The built-in topics (no province) are read-only: cases and statistics rely on their codes.
    A province's own topics are added and edited by system administrators; retire one by
    unticking "active" (it cannot be deleted while voices use it)."""

    form = TopicForm
    list_display = ["name", "code", "province", "order", "is_active"]
    list_filter = ["is_active", ("province", admin.EmptyFieldListFilter)]
    search_fields = ["code", "name"]
    raw_id_fields = ["province"]
    ordering = ["province__code", "order", "name"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: HttpRequest, obj: Topic | None = None) -> bool:
        if not request.user.is_superuser:
            return False
        return obj is None or obj.province_id is not None

    def has_delete_permission(self, request: HttpRequest, obj: Topic | None = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Topic | None = None) -> list[str]:
        # As in the services: a new topic is active; a topic's province and code never change.
        return ["province", "code"] if obj is not None else ["is_active"]

    def get_form(
        self, request: HttpRequest, obj: Topic | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": Actor.from_request(request)})

    def save_model(
        self, request: HttpRequest, obj: Topic, form: ModelForm[Topic], change: bool
    ) -> None:
        saved = _topic_write(Actor.from_request(request), obj, form)
        obj.pk, obj.code, obj.name = saved.pk, saved.code, saved.name


@admin.register(Voice)
class VoiceAdmin(_ReadOnlyAdmin, admin.ModelAdmin[Voice]):
    """Read-only: cases change through the case page and its services."""

    list_display = [
        "tracking_code",
        "kind",
        "channel",
        "topic",
        "unit",
        "status",
        "received_on",
        "due_on",
        "assignee",
    ]
    list_filter = ["status", "kind", "channel", "topic", "is_remote"]
    search_fields = ["tracking_code"]
    date_hierarchy = "received_on"
    list_select_related = ["topic", "unit", "assignee"]
    # The submitter's identity (encrypted) never appears in the admin.
    exclude = ["submitter_name", "submitter_contact", "submitter_address", "submission_key"]
    raw_id_fields = ["unit", "receiving_body", "assignee", "previous", "rule_set", "created_by"]


@admin.register(VoiceEvent)
class VoiceEventAdmin(_ReadOnlyAdmin, admin.ModelAdmin[VoiceEvent]):
    list_display = [
        "voice",
        "at",
        "action",
        "from_status",
        "to_status",
        "actor",
        "body",
        "is_public",
    ]
    list_filter = ["action", "is_public"]
    search_fields = ["voice__tracking_code"]
    list_select_related = ["voice", "actor", "body"]
    raw_id_fields = ["voice", "actor", "body"]
