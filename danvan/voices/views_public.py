"""The citizen pages, open without an account: send a voice, follow it with its tracking code.

Spam is held off without a third-party CAPTCHA: a honeypot field that people never see (a bot
that fills it is told "thank you" and nothing is saved) and a limit per client address kept in
Django's cache, for sending (``DANVAN_SUBMIT_RATE``) and for looking up (``DANVAN_LOOKUP_RATE``,
so that tracking codes cannot be found by trying many).

The tracking code is the only key to a case, so the lookup form is sent by POST: the code never
lands in a URL, a server log or a Referer header.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from danvan.audit.context import Actor, client_ip
from danvan.deadlines.models import VoiceKind
from danvan.units.selectors import match_units
from danvan.voices import conf
from danvan.voices.attachments import attachment_add
from danvan.voices.forms import RateForm
from danvan.voices.forms_public import (
    LookupForm,
    PublicSecondComplaintForm,
    VoiceSubmitForm,
    public_units,
)
from danvan.voices.models import Channel, Voice, VoiceStatus
from danvan.voices.schedule import second_complaint_deadline
from danvan.voices.services import voice_submit
from danvan.voices.services_citizen import complaint_file_second, voice_rate
from danvan.voices.tracking import new_tracking_code, normalize_tracking_code

HONEYPOT_FIELD = "website"
_SUBMITTED = "voices_public_submitted"


# --- Rate limits -----------------------------------------------------------------------------


def _rate_key(request: HttpRequest, scope: str, period: int) -> str:
    window = int(time.time() // period)
    return f"danvan:voices:rate:{scope}:{client_ip(request) or 'unknown'}:{window}"


def _rate_exceeded(request: HttpRequest, scope: str, rate: str) -> bool:
    count, period = conf.parse_rate(rate)
    return int(cache.get(_rate_key(request, scope, period), 0)) >= count


def _rate_hit(request: HttpRequest, scope: str, rate: str) -> None:
    _count, period = conf.parse_rate(rate)
    key = _rate_key(request, scope, period)
    cache.add(key, 0, timeout=period)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period)


def _too_many(request: HttpRequest, rate: str) -> HttpResponse:
    _count, period = conf.parse_rate(rate)
    response = render(request, "voices/public/rate_limited.html", status=429)
    response["Retry-After"] = str(period)
    return response


# --- Sending a voice -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "voices/public/submit.html", {"form": VoiceSubmitForm()})
    rate = conf.submit_rate()
    if _rate_exceeded(request, "submit", rate):
        return _too_many(request, rate)
    if request.POST.get(HONEYPOT_FIELD):
        # A person never sees the field; a bot that filled it is thanked and forgotten.
        _rate_hit(request, "submit", rate)
        kind = request.POST.get("kind", "")
        request.session[_SUBMITTED] = {
            "code": new_tracking_code(),
            "kind": kind if kind in VoiceKind.values else VoiceKind.REFLECTION,
        }
        return redirect("voices_public:submitted")
    form = VoiceSubmitForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        actor = Actor(
            user=None,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
            label="citizen",
        )
        assert form.unit_obj is not None
        try:
            # The attachments were checked by the form before anything is written; one
            # transaction keeps the voice and its files together.
            with transaction.atomic():
                voice = voice_submit(
                    actor=actor,
                    kind=data["kind"],
                    channel="web",
                    unit=form.unit_obj,
                    topic=data["topic"],
                    text=data["text"],
                    is_anonymous=data["is_anonymous"],
                    submitter_name=data["submitter_name"],
                    submitter_contact=data["submitter_contact"],
                    submitter_address=data["submitter_address"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    submission_key=form.submission_key(),
                )
                # The same form sent again (the page failed after the voice was saved): the
                # voice and its files are already there; the citizen gets its receipt.
                if not voice.replayed:
                    for checked in form.checked_attachments:
                        attachment_add(actor=actor, voice=voice, upload=checked)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if voice.replayed and voice.received_at < timezone.now() - RESUBMIT_RECEIPT_WINDOW:
                # Long after: more likely the next person on a shared phone or computer going
                # "Back" than the sender whose page failed. Nothing is saved twice either way.
                form.add_error(
                    None,
                    _(
                        "This form was already sent, on %(when)s. For the sender's privacy its "
                        "tracking code is not shown again; whoever sent it received it then."
                    )
                    % {"when": timezone.localtime(voice.received_at).strftime("%d/%m/%Y %H:%M")},
                )
                return render(request, "voices/public/submit.html", {"form": form})
            if not voice.replayed:
                _rate_hit(request, "submit", rate)
            request.session[_SUBMITTED] = {"code": voice.tracking_code, "kind": voice.kind}
            return redirect("voices_public:submitted")
    return render(request, "voices/public/submit.html", {"form": form})


#: How long the same form sent again shows the first voice's receipt (the page failed after the
#: voice was saved, or a double click); later, it says the form was sent, without the code.
RESUBMIT_RECEIPT_WINDOW = datetime.timedelta(minutes=30)


@require_GET
def submitted(request: HttpRequest) -> HttpResponse:
    """The receipt. Shown once: on a shared phone or computer the next person must not see it."""
    receipt = request.session.pop(_SUBMITTED, None)
    if not receipt:
        return redirect("voices_public:submit")
    return render(
        request,
        "voices/public/submitted.html",
        {
            "code": receipt["code"],
            "kind_label": VoiceKind(receipt["kind"]).label,
            "is_denunciation": receipt["kind"] == VoiceKind.DENUNCIATION,
        },
    )


@require_GET
def unit_search(request: HttpRequest) -> HttpResponse:
    """Suggestions for the place picker, open to everyone: current communes and villages only."""
    query = (request.GET.get("q") or request.GET.get("unit_query") or "")[:100]
    units = match_units(public_units(), query)
    return render(
        request,
        "voices/public/_unit_results.html",
        {"units": units.select_related("parent")[:15], "query": query},
    )


# --- Following a voice ---------------------------------------------------------------------------


#: Timeline entries that do not change the status, named by what happened.
PUBLIC_ACTION_LABELS = {
    "forward": gettext_lazy("Forwarded to the competent body"),
    "extend": gettext_lazy("Time limit extended"),
    "second_complaint": gettext_lazy("Second complaint filed"),
    "decide": gettext_lazy("Decision or conclusion issued"),
}
#: Actions whose note is written for the citizen (the reason for forwarding or extending; the
#: number and symbol of the decision or conclusion that answered the case).
PUBLIC_NOTES = frozenset({"forward", "extend", "decide"})


def _public_timeline(voice: Voice) -> list[dict[str, Any]]:
    """The steps a citizen may see: dates and statuses, with the responsible body; only the notes
    written for the citizen."""
    steps = []
    for event in voice.events.filter(is_public=True).select_related("body"):
        label: Any
        if event.action in PUBLIC_ACTION_LABELS:
            label = PUBLIC_ACTION_LABELS[event.action]
        elif event.to_status in VoiceStatus.values:
            label = VoiceStatus(event.to_status).label
        else:
            label = event.action
        steps.append(
            {
                "at": event.at,
                "label": label,
                "body": event.body.name if event.body else "",
                "note": event.note if event.action in PUBLIC_NOTES else "",
            }
        )
    return steps


def _case_context(voice: Voice) -> dict[str, Any]:
    """What the citizen sees of their case, and what they may still do with it."""
    answer_public = (
        voice.status in (VoiceStatus.PUBLISHED, VoiceStatus.CLOSED)
        and voice.published_at is not None
    )
    context: dict[str, Any] = {
        "voice": voice,
        "code": voice.tracking_code,
        "timeline": _public_timeline(voice),
        "answer": voice.answer_text if answer_public else "",
        "refusal_reason": voice.refusal_reason if voice.status == VoiceStatus.REFUSED else "",
        "form": LookupForm(),
        "rate_form": None,
        "second_form": None,
        "second_last_day": None,
        "second_complaint": None,
    }
    if answer_public and voice.satisfaction is None:
        context["rate_form"] = RateForm(initial={"version": voice.version}, prefix="rate")
    if voice.kind == VoiceKind.COMPLAINT_FIRST:
        second = voice.next_complaints.filter(kind=VoiceKind.COMPLAINT_SECOND).first()
        context["second_complaint"] = second
        last_day = second_complaint_deadline(voice)
        if (
            second is None
            and answer_public
            and (last_day is None or last_day >= timezone.localdate())
        ):
            context["second_form"] = PublicSecondComplaintForm(
                initial={"version": voice.version}, prefix="second"
            )
            context["second_last_day"] = last_day
    return context


def _find(code: str) -> Voice | None:
    normalized = normalize_tracking_code(code)
    # One query whether or not the code is well formed, so the two answers take one path.
    voice = Voice.objects.select_related("topic").filter(tracking_code=normalized or "").first()
    return voice if normalized is not None else None


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "voices/public/lookup.html", {"form": LookupForm(), "voice": None})
    rate = conf.lookup_rate()
    if _rate_exceeded(request, "lookup", rate):
        return _too_many(request, rate)
    _rate_hit(request, "lookup", rate)
    form = LookupForm(request.POST)
    context: dict[str, Any] = {"form": form, "voice": None}
    if form.is_valid():
        code = form.cleaned_data["code"]
        voice = _find(code)
        if normalize_tracking_code(code) is None:
            form.add_error(
                "code",
                _("This is not a valid tracking code. Check each character and try again."),
            )
        elif voice is None:
            form.add_error("code", _("No voice has this tracking code."))
        else:
            context = _case_context(voice)
    return _private(render(request, "voices/public/lookup.html", context))


def _private(response: HttpResponse) -> HttpResponse:
    # The page shows a case found by its secret code: not for shared caches or the back button.
    patch_cache_control(response, no_store=True, private=True)
    return response


def _act_on_case(
    request: HttpRequest,
    act: Callable[[Voice, Any], None],
    form_class: type[Any],
    *,
    prefix: str,
    form_key: str,
    done: str,
) -> HttpResponse:
    """A citizen's action on their case: the code comes with the form, as in the lookup."""
    rate = conf.lookup_rate()
    if _rate_exceeded(request, "lookup", rate):
        return _too_many(request, rate)
    _rate_hit(request, "lookup", rate)
    voice = _find(request.POST.get("code", ""))
    if voice is None:
        lookup_form = LookupForm({"code": request.POST.get("code", "")[:40]})
        lookup_form.is_valid()
        lookup_form.add_error("code", _("No voice has this tracking code."))
        return _private(
            render(
                request,
                "voices/public/lookup.html",
                {"form": lookup_form, "voice": None},
                status=400,
            )
        )
    form = form_class(request.POST, prefix=prefix)
    error = ""
    if form.is_valid():
        try:
            act(voice, form.cleaned_data)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            context = _case_context(Voice.objects.select_related("topic").get(pk=voice.pk))
            context["done"] = done
            return _private(render(request, "voices/public/lookup.html", context))
    context = _case_context(voice)
    context[form_key] = form
    context["action_error"] = error or _("Check the form below.")
    return _private(render(request, "voices/public/lookup.html", context, status=400))


@require_POST
def rate(request: HttpRequest) -> HttpResponse:
    def act(voice: Voice, data: dict[str, Any]) -> None:
        voice_rate(
            actor=Actor.from_request(request),
            voice=voice,
            expected_version=data["version"],
            score=data["score"],
            comment=data.get("comment", ""),
        )

    return _act_on_case(
        request,
        act,
        RateForm,
        prefix="rate",
        form_key="rate_form",
        done=_("Thank you: your rating is recorded."),
    )


@require_POST
def second_complaint(request: HttpRequest) -> HttpResponse:
    def act(voice: Voice, data: dict[str, Any]) -> None:
        complaint_file_second(
            actor=Actor.from_request(request),
            first=voice,
            expected_version=data["version"],
            text=data["text"],
            channel=Channel.WEB,
        )

    return _act_on_case(
        request,
        act,
        PublicSecondComplaintForm,
        prefix="second",
        form_key="second_form",
        done=_("Your second complaint is filed. Keep its new tracking code."),
    )
