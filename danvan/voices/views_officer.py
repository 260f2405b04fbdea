"""The officers' pages: the inbox of cases, its bulk actions, and the case page with its actions.

What an officer may see is decided only by ``Voice.objects.visible_to``; what they may do is
decided by the services (``Capability.ACT`` on the case's unit, the version they saw, the status).
The views turn the services' refusals into answers: 409 for a stale version, 400 for a refused
action, 403 for a missing permission.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from danvan.audit.context import Actor
from danvan.audit.services import audit_sensitive_view
from danvan.deadlines.models import Complexity, Step, VoiceKind
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.organizations.models import Body
from danvan.voices.forms import (
    CASE_ACTIONS,
    AssignForm,
    BulkAction,
    BulkForm,
    CaseActionForm,
    CoordinateForm,
    CoordinationReplyForm,
    ExtendForm,
    ForwardForm,
    InboxFilterForm,
    SetTopicForm,
)
from danvan.voices.identity import denouncer_identity, may_see_denouncer
from danvan.voices.models import Channel, Coordination, DenouncerIdentity, Voice, VoiceStatus
from danvan.voices.selectors import (
    assignable_bodies,
    due_soon_until,
    inbox_for,
    inbox_page,
    may_see_submitter,
    overdue_by_body,
    topics_for,
    urgency_of,
)
from danvan.voices.services import (
    DECIDED_KINDS,
    StaleCaseError,
    case_accept,
    case_answer,
    case_assign,
    case_close,
    case_coordinate,
    case_extend,
    case_forward,
    case_publish,
    case_refuse,
    case_reopen,
    case_set_topic,
    complaint_file_second,
    coordination_reply,
    decided_since_reopening,
    extension_ways_of,
    may_accept,
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
    "decide": gettext_lazy("Decision or conclusion issued"),
    "close": gettext_lazy("Closed"),
    "reopen": gettext_lazy("Reopened"),
    "forward": gettext_lazy("Forwarded to the competent body"),
    "coordinate": gettext_lazy("Other bodies asked to coordinate"),
    "coordination_reply": gettext_lazy("Coordinating body replied"),
    "extend": gettext_lazy("Time limit extended"),
    "rate": gettext_lazy("Rated by the citizen"),
    "second_complaint": gettext_lazy("Second complaint filed"),
    "set_topic": gettext_lazy("Topic changed"),
}

ACTION_DONE = {
    "accept": gettext_lazy("The case is accepted."),
    "refuse": gettext_lazy("The case is refused."),
    "assign": gettext_lazy("The case is assigned."),
    "answer": gettext_lazy("The answer is saved."),
    "publish": gettext_lazy("The answer is published."),
    "close": gettext_lazy("The case is closed."),
    "reopen": gettext_lazy("The case is reopened."),
    "forward": gettext_lazy("The case is forwarded."),
    "coordinate": gettext_lazy("The bodies are asked to coordinate."),
    "coordination_reply": gettext_lazy("The reply is recorded."),
    "extend": gettext_lazy("The time limit is extended."),
    "second_complaint": gettext_lazy("The second complaint is filed."),
    "set_topic": gettext_lazy("The topic is changed."),
}

#: The submit button of each action's form.
ACTION_BUTTONS = {
    "accept": gettext_lazy("Accept"),
    "refuse": gettext_lazy("Refuse"),
    "assign": gettext_lazy("Assign"),
    "forward": gettext_lazy("Forward"),
    "coordinate": gettext_lazy("Ask to coordinate"),
    "coordination_reply": gettext_lazy("Record the reply"),
    "extend": gettext_lazy("Extend"),
    "answer": gettext_lazy("Save the answer"),
    "publish": gettext_lazy("Publish the answer"),
    "close": gettext_lazy("Close the case"),
    "reopen": gettext_lazy("Reopen"),
    "second_complaint": gettext_lazy("File the second complaint"),
    "set_topic": gettext_lazy("Save the topic"),
}

#: Actions whose forms the case page shows unfolded.
COMMON_ACTIONS = frozenset({"accept", "refuse", "assign", "answer", "publish", "close"})

#: The heading of each action's card.
ACTION_TITLES = {
    "accept": gettext_lazy("Accept the case (thụ lý)"),
    "refuse": gettext_lazy("Refuse the case"),
    "assign": gettext_lazy("Assign to the responsible body"),
    "forward": gettext_lazy("Forward to the competent body"),
    "coordinate": gettext_lazy("Ask other bodies to coordinate"),
    "coordination_reply": gettext_lazy("Record a coordinating body's reply"),
    "extend": gettext_lazy("Extend a time limit"),
    "answer": gettext_lazy("Record the answer"),
    "publish": gettext_lazy("Publish the answer to the citizen"),
    "close": gettext_lazy("Close the case"),
    "reopen": gettext_lazy("Reopen the case"),
    "second_complaint": gettext_lazy("File a second complaint against this decision"),
    "set_topic": gettext_lazy("Change the topic"),
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
    until = due_soon_until(today, filters.due_soon_days)  # the calendar read once per request
    # Not Django's Paginator: its COUNT(*) of every matching case costs more than the page at a
    # million voices; the inbox counts up to INBOX_COUNT_LIMIT and links to the next page.
    page = inbox_page(
        inbox_for(request.user, filters, today=today, due_soon_until_day=until),
        request.GET.get("page"),
        per_page=PAGE_SIZE,
    )
    rows = [(v, urgency_of(v, today=today, due_soon_until_day=until)) for v in page.rows]
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
            "topic",
            "suggested_topic",
            "issue",
            "unit__parent",
            "assignee__unit",
            "receiving_body",
            "previous",
            "rule_set",
        ),
        tracking_code=tracking_code,
    )


def _bodies_above(voice: Voice) -> QuerySet[Body]:
    """Active bodies at the case's unit or above it, whoever's scope they are in: a commune may
    forward to, or ask for coordination from, the province's departments."""
    parts = voice.unit.path.strip("/").split("/")
    paths = ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return Body.objects.active().filter(unit__path__in=paths).order_by("unit__path", "name")


def _extendable_steps(voice: Voice) -> list[tuple[str, str]]:
    """The open steps the law lets the case give more time, with the complexities that do."""
    choices = []
    for step, ways in extension_ways_of(voice).items():
        label = str(Step(step).label) if step in Step.values else step
        levels = ", ".join(str(Complexity(level).label) for level in ways)
        choices.append((step, f"{label} ({levels})"))
    return choices


def _open_coordinations(voice: Voice) -> QuerySet[Coordination]:
    return voice.coordinations.filter(replied_at__isnull=True).select_related("body")


def _applicable(user: Any, voice: Voice, action: str) -> bool:
    """Whether the case page offers ``action`` beyond its status (the services decide anyway)."""
    if action == "second_complaint":
        return voice.kind == VoiceKind.COMPLAINT_FIRST and not voice.next_complaints.exists()
    if action == "coordination_reply":
        return _open_coordinations(voice).exists()
    if action == "extend":
        return bool(_extendable_steps(voice))
    if action in ("accept", "refuse"):
        return may_accept(user, voice)
    if action == "close" and voice.kind in DECIDED_KINDS and voice.status != VoiceStatus.REFUSED:
        # Closed only once the decision or conclusion is issued (the decisions app's panel).
        return decided_since_reopening(voice)
    return True


def _action_form(
    request: HttpRequest, voice: Voice, action: str, data: Any = None
) -> CaseActionForm:
    form_class = CASE_ACTIONS[action][0]
    kwargs: dict[str, Any] = {"prefix": action}
    if form_class is AssignForm:
        kwargs["bodies"] = assignable_bodies(request.user, voice)
    elif form_class is ForwardForm or form_class is CoordinateForm:
        kwargs["bodies"] = _bodies_above(voice).exclude(pk=voice.assignee_id or 0)
    elif form_class is CoordinationReplyForm:
        kwargs["coordinations"] = _open_coordinations(voice)
    elif form_class is ExtendForm:
        kwargs["steps"] = _extendable_steps(voice)
        kwargs["complexity"] = voice.complexity
    elif form_class is SetTopicForm:
        kwargs["topics"] = topics_for(request.user).filter(
            Q(province__isnull=True) | Q(province__code=voice.unit.path.strip("/").split("/")[0])
        )
    if data is None:
        kwargs["initial"] = {"version": voice.version}
        if form_class is AssignForm and voice.assignee_id:
            kwargs["initial"]["body"] = voice.assignee_id
        if form_class is ExtendForm:
            kwargs["initial"]["complexity"] = voice.complexity
        if form_class is SetTopicForm:
            # The classifier's suggestion is offered first; the officer confirms or corrects it.
            kwargs["initial"]["topic"] = voice.suggested_topic_id or voice.topic_id
    return form_class(data, **kwargs)


def _may_see_submitter(request: HttpRequest, voice: Voice) -> bool:
    """Whether the reader's role shows personal data for the case's unit. When the case carries a
    sender's name or contact, showing it is written to the audit log. A denunciation carries none
    (the identity is apart, in ``DenouncerIdentity``), so the templates still check the kind."""
    if not may_see_submitter(request.user, voice):
        return False
    if voice.kind != VoiceKind.DENUNCIATION and (
        voice.submitter_name or voice.submitter_contact or voice.submitter_address
    ):
        audit_sensitive_view(
            actor=Actor.from_request(request),
            obj=voice,
            fields=["submitter_name", "submitter_contact", "submitter_address"],
            unit=voice.unit,
        )
    return True


def _case_page(
    request: HttpRequest,
    voice: Voice,
    *,
    bound: tuple[str, CaseActionForm] | None = None,
    error: str = "",
    status: int = 200,
    identity: DenouncerIdentity | None = None,
    identity_error: str = "",
    reason: str = "",
) -> HttpResponse:
    user = request.user
    action_forms: list[dict[str, Any]] = []
    can_act = can(user, Capability.ACT, voice.unit)
    if can_act:
        for action, (_form_class, allowed_from) in CASE_ACTIONS.items():
            if voice.status not in allowed_from or not _applicable(user, voice, action):
                continue
            form = (
                bound[1]
                if bound is not None and bound[0] == action
                else _action_form(request, voice, action)
            )
            action_forms.append(
                {
                    "action": action,
                    "form": form,
                    "title": ACTION_TITLES[action],
                    "button": ACTION_BUTTONS[action],
                    # The everyday actions are unfolded; the rarer ones are one click away.
                    "common": action in COMMON_ACTIONS,
                }
            )
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
    is_denunciation = voice.kind == VoiceKind.DENUNCIATION
    can_see_personal_data = _may_see_submitter(request, voice)
    response = render(
        request,
        "voices/officer/case.html",
        {
            "voice": voice,
            "suggestion_percent": round((voice.topic_confidence or 0) * 100),
            "is_denunciation": is_denunciation,
            "can_see_personal_data": can_see_personal_data,
            "may_see_denouncer": is_denunciation and may_see_denouncer(user=user, voice=voice),
            "identity": identity,
            "identity_error": identity_error,
            "identity_reason": reason,
            "attachments": (
                list(voice.attachments.all()) if _may_open_attachments(user, voice) else None
            ),
            "attachment_count": voice.attachments.count(),
            "coordinations": list(voice.coordinations.select_related("body")),
            "urgency": urgency_of(voice, today=timezone.localdate()),
            "deadlines": deadlines,
            "events": events,
            "can_act": can_act,
            "action_forms": action_forms,
            "error": error,
        },
        status=status,
    )
    # Personal data must not linger in shared caches or the browser's back history.
    patch_cache_control(response, no_store=True, private=True)
    return response


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
    if action == "forward":
        return case_forward(**common, body=data["body"], reason=data["reason"])
    if action == "coordinate":
        return case_coordinate(**common, bodies=list(data["bodies"]), request=data["request"])
    if action == "coordination_reply":
        coordination: Coordination = data["coordination"]
        return coordination_reply(
            actor=actor, coordination=coordination, expected_version=version, reply=data["reply"]
        )
    if action == "extend":
        return case_extend(
            **common, step=data["step"], reason=data["reason"], complexity=data["complexity"]
        )
    if action == "set_topic":
        return case_set_topic(**common, topic=data["topic"])
    if action == "second_complaint":
        return complaint_file_second(
            actor=actor,
            first=voice,
            expected_version=version,
            text=data["text"],
            channel=Channel.OFFICER,
            received_on=data["received_on"],
        )
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


def _may_open_attachments(user: Any, voice: Voice) -> bool:
    """A denunciation's attachments may show the denouncer's handwriting or name (Law on
    Denunciations Art. 9.1.b): only those who may see the identity open them."""
    if voice.kind == VoiceKind.DENUNCIATION:
        return may_see_denouncer(user=user, voice=voice)
    return True


@login_required
@require_POST
def case_identity(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """Show a denouncer's identity to a reader the law permits; the read is audited."""
    voice = _visible_case(request, tracking_code)
    if voice.kind != VoiceKind.DENUNCIATION:
        raise Http404
    reason = request.POST.get("reason", "")
    try:
        identity = denouncer_identity(actor=Actor.from_request(request), voice=voice, reason=reason)
    except ValidationError as exc:
        return _case_page(
            request, voice, identity_error=" ".join(exc.messages), reason=reason, status=400
        )
    return _case_page(request, voice, identity=identity)


@login_required
def case_attachment(request: HttpRequest, tracking_code: str, pk: int) -> FileResponse:
    """One attachment of a case the user may see. Files are never served from MEDIA_ROOT."""
    voice = _visible_case(request, tracking_code)
    if not _may_open_attachments(request.user, voice):
        raise PermissionDenied(_("The law protects the identity of the person who denounced."))
    attachment = get_object_or_404(voice.attachments, pk=pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from the storage.")) from exc
    inline = attachment.content_type.startswith("image/") or attachment.content_type == (
        "application/pdf"
    )
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not inline,
        filename=attachment.original_name or attachment.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    patch_cache_control(response, no_store=True, private=True)
    if voice.kind == VoiceKind.DENUNCIATION:
        audit_sensitive_view(
            actor=Actor.from_request(request),
            obj=voice,
            fields=[f"attachment.{attachment.pk}"],
            unit=voice.unit,
        )
    return response


@login_required
def case_file(request: HttpRequest, tracking_code: str) -> HttpResponse:
    """The case file to hand to another body (hồ sơ chuyển): everything about the case except a
    denouncer's identity, which is never part of it (Law on Denunciations Art. 9.1.b)."""
    voice = _visible_case(request, tracking_code)
    is_denunciation = voice.kind == VoiceKind.DENUNCIATION
    show_submitter = _may_see_submitter(request, voice)
    response = render(
        request,
        "voices/officer/case_file.html",
        {
            "voice": voice,
            "is_denunciation": is_denunciation,
            "show_submitter": show_submitter,
            "deadlines": [
                (d, str(Step(d.step).label) if d.step in Step.values else d.step)
                for d in voice.deadlines.order_by("due_on", "id")
            ],
            "events": [
                {"event": e, "label": EVENT_LABELS.get(e.action, e.action)}
                for e in voice.events.select_related("body").order_by("at", "id")
            ],
            # A denunciation's file names may carry the denouncer's name or phone number.
            "attachments": (
                list(voice.attachments.all())
                if _may_open_attachments(request.user, voice)
                else None
            ),
            "attachment_count": voice.attachments.count(),
            "coordinations": list(voice.coordinations.select_related("body")),
            "printed_at": timezone.now(),
        },
    )
    patch_cache_control(response, no_store=True, private=True)
    return response


@login_required
def overdue_list(request: HttpRequest) -> HttpResponse:
    """Overdue open cases (quá hạn), grouped by the body responsible for them."""
    today = timezone.localdate()
    groups = overdue_by_body(request.user, today=today)
    return render(
        request,
        "voices/officer/overdue.html",
        {"groups": groups, "total": sum(g.count for g in groups), "today": today},
    )
