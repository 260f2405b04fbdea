"""The page where provincial staff manage their province's own topics (``services_topics.py``)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.voices.forms import TopicEditForm, TopicForm
from danvan.voices.models import Topic
from danvan.voices.selectors import managed_provinces, province_topics
from danvan.voices.services_topics import topic_create, topic_update


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
    return render(
        request,
        "voices/officer/topics.html",
        {
            "provinces": provinces,
            "province": province,
            "topics": province_topics(province),
            "form": form,
        },
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
