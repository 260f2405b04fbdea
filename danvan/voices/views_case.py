"""The officers' case page, its actions, the denouncer's identity, the attachments and the case
file to hand to another body.

What an officer may see is decided only by ``Voice.objects.visible_to`` (``selectors.case_page_voices``);
what they may do is decided by the services. The views turn the services' refusals into answers:
409 for a stale version, 400 for a refused action, 403 for a missing permission. Which actions
are offered, with which forms, is ``case_actions.py``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from danvan.audit.context import Actor
from danvan.audit.services import audit_sensitive_view
from danvan.deadlines.models import VoiceKind
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.users import Requester
from danvan.voices.case_actions import (
    action_form,
    offered_actions,
    perform,
    step_label,
)
from danvan.voices.forms import CASE_ACTIONS, CaseActionForm
from danvan.voices.identity import denouncer_identity, may_see_denouncer
from danvan.voices.models import DenouncerIdentity, Voice, VoiceStatus
from danvan.voices.selectors import (
    case_coordinations,
    case_deadlines,
    case_deadlines_by_date,
    case_events,
    case_page_voices,
    may_see_submitter,
    urgency_of,
)
from danvan.voices.services import StaleCaseError

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


def _status_label(value: str) -> str:
    return str(VoiceStatus(value).label) if value in VoiceStatus.values else value


def _visible_case(request: HttpRequest, tracking_code: str) -> Voice:
    return get_object_or_404(case_page_voices(request.user), tracking_code=tracking_code)


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
    can_act = can(user, Capability.ACT, voice.unit)
    deadlines = [(d, step_label(d.step)) for d in case_deadlines(voice)]
    events = [
        {
            "event": e,
            "label": EVENT_LABELS.get(e.action, e.action),
            "from_label": _status_label(e.from_status),
            "to_label": _status_label(e.to_status),
        }
        for e in case_events(voice)
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
            "coordinations": case_coordinations(voice),
            "urgency": urgency_of(voice, today=timezone.localdate()),
            "deadlines": deadlines,
            "events": events,
            "can_act": can_act,
            "action_forms": offered_actions(user, voice, bound=bound) if can_act else [],
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


@login_required
@require_POST
def case_action(request: HttpRequest, tracking_code: str, action: str) -> HttpResponse:
    if action not in CASE_ACTIONS:
        raise Http404
    voice = _visible_case(request, tracking_code)
    if not can(request.user, Capability.ACT, voice.unit):
        raise PermissionDenied(_("You may not act on this case."))
    form = action_form(request.user, voice, action, data=request.POST)
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
        perform(
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


def _may_open_attachments(user: Requester, voice: Voice) -> bool:
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
            "deadlines": [(d, step_label(d.step)) for d in case_deadlines_by_date(voice)],
            "events": [
                {"event": e, "label": EVENT_LABELS.get(e.action, e.action)}
                for e in case_events(voice)
            ],
            # A denunciation's file names may carry the denouncer's name or phone number.
            "attachments": (
                list(voice.attachments.all())
                if _may_open_attachments(request.user, voice)
                else None
            ),
            "attachment_count": voice.attachments.count(),
            "coordinations": case_coordinations(voice),
            "printed_at": timezone.now(),
        },
    )
    patch_cache_control(response, no_store=True, private=True)
    return response
