"""The officers' pages: the inbox of cases, its bulk actions, and the case page with its actions.

What an officer may see is decided only by ``Voice.objects.visible_to``; what they may do is
decided by the services (``Capability.ACT`` on the case's unit, the version they saw, the status).
The views turn the services' refusals into answers: 409 for a stale version, 400 for a refused
action, 403 for a missing permission.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from danvan.accounts.roles import Capability
from danvan.accounts.scope import can
from danvan.audit.context import Actor
from danvan.deadlines.models import Step, VoiceKind
from danvan.organizations.models import Body
from danvan.voices.forms import (
    CASE_ACTIONS,
    AssignForm,
    BulkAction,
    BulkForm,
    CaseActionForm,
    InboxFilterForm,
)
from danvan.voices.models import Voice, VoiceStatus
from danvan.voices.selectors import (
    assignable_bodies,
    due_soon_until,
    inbox_for,
    topics_for,
    urgency_of,
)
from danvan.voices.services import (
    StaleCaseError,
    case_accept,
    case_answer,
    case_assign,
    case_close,
    case_publish,
    case_refuse,
    case_reopen,
)

PAGE_SIZE = 50
#: More rows than a page holds cannot come from the inbox form.
BULK_MAX_ROWS = 200

EVENT_LABELS = {
    "submit": gettext_lazy("Received"),
    "accept": gettext_lazy("Accepted"),
    "refuse": gettext_lazy("Refused"),
    "assign": gettext_lazy("Assigned"),
    "answer": gettext_lazy("Answered"),
    "publish": gettext_lazy("Answer published"),
    "close": gettext_lazy("Closed"),
    "reopen": gettext_lazy("Reopened"),
}

ACTION_DONE = {
    "accept": gettext_lazy("The case is accepted."),
    "refuse": gettext_lazy("The case is refused."),
    "assign": gettext_lazy("The case is assigned."),
    "answer": gettext_lazy("The answer is saved."),
    "publish": gettext_lazy("The answer is published."),
    "close": gettext_lazy("The case is closed."),
    "reopen": gettext_lazy("The case is reopened."),
}


def _status_label(value: str) -> str:
    return str(VoiceStatus(value).label) if value in VoiceStatus.values else value


# --- The inbox ------------------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = InboxFilterForm(request.GET or None, topics=topics_for(request.user))
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    if getattr(form, "cleaned_data", {}).get("days") is None:
        # No span typed: "due soon" is DANVAN_DUE_SOON_DAYS working days, as for the urging job.
        filters = dataclasses.replace(filters, due_soon_days=None)
    until = due_soon_until(today, filters.due_soon_days)  # the calendar read once per request
    page = Paginator(
        inbox_for(request.user, filters, today=today, due_soon_until_day=until), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    rows = [(v, urgency_of(v, today=today, due_soon_until_day=until)) for v in page]
    can_act = can(request.user, Capability.ACT)
    return render(
        request,
        "voices/officer/inbox.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "can_act": can_act,
            "bulk_form": BulkForm(bodies=assignable_bodies(request.user)) if can_act else None,
            "query": request.GET.urlencode(),
        },
    )


@dataclass(frozen=True)
class BulkRow:
    label: str
    ok: bool
    message: str
    tracking_code: str = ""


@login_required
@require_POST
def inbox_bulk(request: HttpRequest) -> HttpResponse:
    """Accept or assign the selected rows, each through its service with the version shown."""
    back = reverse("voices:inbox")
    query = request.POST.get("query", "")
    if query:
        back += "?" + query.replace("\n", "").replace("\r", "")
    form = BulkForm(request.POST, bodies=assignable_bodies(request.user))
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()][:BULK_MAX_ROWS]
    if not ids:
        messages.error(request, _("Select at least one case."))
        return redirect(back)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    action = form.cleaned_data["action"]
    body: Body | None = form.cleaned_data.get("body")
    actor = Actor.from_request(request)
    voices = Voice.objects.visible_to(request.user).select_related("unit").in_bulk(ids)
    results: list[BulkRow] = []
    for pk in ids:
        voice = voices.get(pk)
        if voice is None:
            results.append(
                BulkRow(label=f"#{pk}", ok=False, message=_("Not found, or not in your scope."))
            )
            continue
        raw_version = request.POST.get(f"v_{pk}", "")
        if not raw_version.isdigit():
            results.append(
                BulkRow(
                    label=voice.tracking_code,
                    tracking_code=voice.tracking_code,
                    ok=False,
                    message=_("The page did not say which version you saw. Reload it."),
                )
            )
            continue
        version = int(raw_version)
        try:
            if action == BulkAction.ACCEPT or body is None:
                case_accept(actor=actor, voice=voice, expected_version=version)
            else:
                case_assign(actor=actor, voice=voice, expected_version=version, body=body)
        except StaleCaseError as exc:
            ok, message = False, " ".join(exc.messages)
        except PermissionDenied:
            ok, message = False, _("You may not act on this case.")
        except ValidationError as exc:
            ok, message = False, " ".join(exc.messages)
        else:
            ok = True
            message = (
                _("Accepted.")
                if action == BulkAction.ACCEPT
                else _("Assigned to %(body)s.") % {"body": body}
            )
        results.append(
            BulkRow(
                label=voice.tracking_code,
                tracking_code=voice.tracking_code,
                ok=ok,
                message=message,
            )
        )
    return render(
        request,
        "voices/officer/bulk_result.html",
        {
            "results": results,
            "succeeded": sum(1 for r in results if r.ok),
            "failed": sum(1 for r in results if not r.ok),
            "back": back,
        },
    )


# --- The case page --------------------------------------------------------------------------------


def _visible_case(request: HttpRequest, tracking_code: str) -> Voice:
    return get_object_or_404(
        Voice.objects.visible_to(request.user).select_related(
            "topic", "unit__parent", "assignee__unit", "receiving_body", "previous", "rule_set"
        ),
        tracking_code=tracking_code,
    )


def _action_form(
    request: HttpRequest, voice: Voice, action: str, data: Any = None
) -> CaseActionForm:
    form_class = CASE_ACTIONS[action][0]
    kwargs: dict[str, Any] = {"prefix": action}
    if form_class is AssignForm:
        kwargs["bodies"] = assignable_bodies(request.user, voice)
    if data is None:
        kwargs["initial"] = {"version": voice.version}
        if form_class is AssignForm and voice.assignee_id:
            kwargs["initial"]["body"] = voice.assignee_id
    return form_class(data, **kwargs)


def _case_page(
    request: HttpRequest,
    voice: Voice,
    *,
    bound: tuple[str, CaseActionForm] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    action_forms: list[tuple[str, CaseActionForm]] = []
    can_act = can(user, Capability.ACT, voice.unit)
    if can_act:
        for action, (_form_class, allowed_from) in CASE_ACTIONS.items():
            if voice.status not in allowed_from:
                continue
            if bound is not None and bound[0] == action:
                action_forms.append(bound)
            else:
                action_forms.append((action, _action_form(request, voice, action)))
    deadlines = [
        (d, str(Step(d.step).label) if d.step in Step.values else d.step)
        for d in sorted(
            voice.deadlines.all(),
            key=lambda d: (d.due_on is None, d.due_on or datetime.date.max, d.pk),
        )
    ]
    events = [
        {
            "event": e,
            "label": EVENT_LABELS.get(e.action, e.action),
            "from_label": _status_label(e.from_status),
            "to_label": _status_label(e.to_status),
        }
        for e in voice.events.select_related("actor", "body").order_by("at", "id")
    ]
    return render(
        request,
        "voices/officer/case.html",
        {
            "voice": voice,
            "is_denunciation": voice.kind == VoiceKind.DENUNCIATION,
            "can_see_personal_data": can(user, Capability.VIEW_PERSONAL_DATA, voice.unit),
            "urgency": urgency_of(voice, today=timezone.localdate()),
            "deadlines": deadlines,
            "events": events,
            "can_act": can_act,
            "action_forms": action_forms,
            "error": error,
        },
        status=status,
    )


@login_required
def case_detail(request: HttpRequest, tracking_code: str) -> HttpResponse:
    return _case_page(request, _visible_case(request, tracking_code))


def _perform(
    action: str, *, actor: Actor, voice: Voice, version: int, data: dict[str, Any]
) -> Voice:
    common: dict[str, Any] = {"actor": actor, "voice": voice, "expected_version": version}
    if action == "accept":
        accepted_on: datetime.date = data["accepted_on"]
        return case_accept(**common, accepted_on=accepted_on)
    if action == "refuse":
        return case_refuse(**common, reason=data["reason"])
    if action == "assign":
        return case_assign(**common, body=data["body"])
    if action == "answer":
        return case_answer(**common, text=data["text"])
    if action == "publish":
        return case_publish(**common)
    if action == "close":
        return case_close(**common, note=data.get("note", ""))
    if action == "reopen":
        return case_reopen(**common, reason=data["reason"])
    raise Http404


@login_required
@require_POST
def case_action(request: HttpRequest, tracking_code: str, action: str) -> HttpResponse:
    if action not in CASE_ACTIONS:
        raise Http404
    voice = _visible_case(request, tracking_code)
    if not can(request.user, Capability.ACT, voice.unit):
        raise PermissionDenied(_("You may not act on this case."))
    form = _action_form(request, voice, action, data=request.POST)
    if not form.is_valid():
        return _case_page(
            request,
            voice,
            bound=(action, form),
            error=(
                _(
                    "The page did not say which version of the case you saw. Reload it and try again."
                )
                if "version" in form.errors
                else _("Check the form below.")
            ),
            status=400,
        )
    try:
        _perform(
            action,
            actor=Actor.from_request(request),
            voice=voice,
            version=form.cleaned_data["version"],
            data=form.cleaned_data,
        )
    except StaleCaseError as exc:
        # Show what the colleague did: the page as it is now, with fresh versions in its forms.
        return _case_page(
            request, _visible_case(request, tracking_code), error=" ".join(exc.messages), status=409
        )
    except PermissionDenied as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _case_page(
            request,
            _visible_case(request, tracking_code),
            bound=(action, form),
            error=" ".join(exc.messages),
            status=400,
        )
    messages.success(request, ACTION_DONE[action])
    return redirect("voices:case", tracking_code=voice.tracking_code)
