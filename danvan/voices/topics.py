"""A province's own topics (chủ đề, lĩnh vực) beside the ten built-in ones.

Provincial staff (``Capability.MANAGE_BODIES`` over the whole province) add topics their province
needs, e.g. "Xây dựng nông thôn mới", rename them, reorder them, and retire them. A retired topic
keeps its voices but is no longer offered for new ones. Built-in topics cannot be changed here:
their codes are stable for every province and for the API.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.text import clean_name, fold
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.models import Topic


def _require(actor: Actor, province: AdministrativeUnit) -> None:
    if province.tier != UnitTier.PROVINCE:
        raise ValidationError(_("Topics are added for a province."))
    if actor.user is not None and not can(actor.user, Capability.MANAGE_BODIES, province):
        raise PermissionDenied(
            _("You may not manage the topics of %(unit)s.") % {"unit": province.name}
        )


def _check_unique(
    province: AdministrativeUnit, *, code: str, name: str, exclude: int | None
) -> None:
    others = Topic.objects.filter(province__isnull=True) | Topic.objects.filter(province=province)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    for other in others:
        if other.code == code:
            raise ValidationError(
                _("The code “%(code)s” is already used by the topic “%(name)s”.")
                % {"code": code, "name": other.name}
            )
        if fold(other.name) == fold(name):
            raise ValidationError(
                _("A topic named “%(name)s” already exists.") % {"name": other.name}
            )


@transaction.atomic
def topic_create(
    *, actor: Actor, province: AdministrativeUnit, name: str, code: str = "", order: int = 100
) -> Topic:
    _require(actor, province)
    name = clean_name(name)
    if not name:
        raise ValidationError(_("Give the topic a name."))
    code = slugify(code or fold(name))[:40].strip("-")
    if not code:
        raise ValidationError(_("The code must contain letters or digits."))
    _check_unique(province, code=code, name=name, exclude=None)
    topic = Topic.objects.create(province=province, code=code, name=name, order=order)
    audit_record(
        actor=actor,
        action="topic.create",
        obj=topic,
        unit=province,
        changes={"code": code, "name": name},
    )
    return topic


@transaction.atomic
def topic_update(*, actor: Actor, topic: Topic, name: str, order: int, is_active: bool) -> Topic:
    locked = (
        Topic.objects.select_for_update(of=("self",)).select_related("province").get(pk=topic.pk)
    )
    if locked.province is None:
        raise ValidationError(_("The built-in topics cannot be changed."))
    _require(actor, locked.province)
    name = clean_name(name)
    if not name:
        raise ValidationError(_("Give the topic a name."))
    _check_unique(locked.province, code=locked.code, name=name, exclude=locked.pk)
    changes = {
        field: [getattr(locked, field), value]
        for field, value in (("name", name), ("order", order), ("is_active", is_active))
        if getattr(locked, field) != value
    }
    locked.name, locked.order, locked.is_active = name, order, is_active
    locked.save(update_fields=["name", "order", "is_active"])
    audit_record(
        actor=actor, action="topic.update", obj=locked, unit=locked.province, changes=changes
    )
    return locked


# --- Pages ----------------------------------------------------------------------------------------


class TopicForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Left empty, it is made from the name. It cannot be changed later."),
    )
    order = forms.IntegerField(
        label=gettext_lazy("Order in lists"), min_value=0, max_value=999, initial=100
    )


class TopicEditForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    order = forms.IntegerField(label=gettext_lazy("Order in lists"), min_value=0, max_value=999)
    is_active = forms.BooleanField(
        label=gettext_lazy("Offered for new voices"),
        required=False,
        help_text=gettext_lazy("A retired topic keeps its voices."),
    )


def managed_provinces(user: Any) -> list[AdministrativeUnit]:
    """The provinces whose topics ``user`` may manage."""
    provinces = AdministrativeUnit.objects.visible_to(user, Capability.MANAGE_BODIES).current()
    return list(provinces.filter(tier=UnitTier.PROVINCE).order_by("name"))


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    provinces = managed_provinces(request.user)
    if not provinces:
        raise PermissionDenied(_("Only provincial staff manage a province's topics."))
    code = request.GET.get("province") or request.POST.get("province") or provinces[0].code
    province = next((p for p in provinces if p.code == code), provinces[0])
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = topic_create(
                actor=Actor.from_request(request),
                province=province,
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"] or "",
                order=form.cleaned_data["order"] if form.cleaned_data["order"] is not None else 100,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Topic “%(name)s” added.") % {"name": topic.name})
            return redirect(f"{request.path}?province={province.code}")
    topics = (
        (Topic.objects.filter(province__isnull=True) | Topic.objects.filter(province=province))
        .annotate(voice_count=Count("voice"))
        .order_by("province_id", "order", "name")
    )
    return render(
        request,
        "voices/officer/topics.html",
        {"provinces": provinces, "province": province, "topics": topics, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def topic_edit(request: HttpRequest, pk: int) -> HttpResponse:
    topic = get_object_or_404(
        Topic.objects.select_related("province"), pk=pk, province__isnull=False
    )
    assert topic.province is not None
    if not can(request.user, Capability.MANAGE_BODIES, topic.province):
        raise PermissionDenied(
            _("You may not manage the topics of %(unit)s.") % {"unit": topic.province.name}
        )
    form = TopicEditForm(
        request.POST or None,
        initial={"name": topic.name, "order": topic.order, "is_active": topic.is_active},
    )
    if request.method == "POST" and form.is_valid():
        try:
            topic_update(
                actor=Actor.from_request(request),
                topic=topic,
                name=form.cleaned_data["name"],
                order=form.cleaned_data["order"],
                is_active=form.cleaned_data["is_active"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Topic saved."))
            return redirect(f"{redirect('voices:topics').url}?province={topic.province.code}")
    return render(
        request,
        "voices/officer/topic_edit.html",
        {"topic": topic, "form": form},
        status=400 if form.errors else 200,
    )
