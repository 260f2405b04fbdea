"""The officers' inbox of cases, its bulk actions (accept or assign the selected rows), and the
overdue list per body.

What an officer may see is decided only by ``Voice.objects.visible_to`` (through the selectors);
what they may do is decided by the services.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.audit.context import Actor
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.organizations.models import Body
from danvan.voices.forms import BulkAction, BulkForm, InboxFilterForm
from danvan.voices.models import Voice
from danvan.voices.selectors import (
    assignable_bodies,
    due_soon_until,
    inbox_for,
    inbox_page,
    overdue_by_body,
    topics_for,
    urgency_of,
    visible_cases,
)
from danvan.voices.services import StaleCaseError
from danvan.voices.services_routing import case_accept, case_assign

PAGE_SIZE = 50
#: More rows than a page holds cannot come from the inbox form.
BULK_MAX_ROWS = 200


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


def _bulk_one(
    actor: Actor,
    voice: Voice | None,
    pk: int,
    raw_version: str,
    *,
    action: str,
    body: Body | None,
) -> BulkRow:
    """Accept or assign one selected case, with the version the page showed."""
    if voice is None:
        return BulkRow(label=f"#{pk}", ok=False, message=_("Not found, or not in your scope."))
    code = voice.tracking_code
    if not raw_version.isdigit():
        return BulkRow(
            label=code,
            tracking_code=code,
            ok=False,
            message=_("The page did not say which version you saw. Reload it."),
        )
    version = int(raw_version)
    try:
        if action == BulkAction.ACCEPT or body is None:
            case_accept(actor=actor, voice=voice, expected_version=version)
        else:
            case_assign(actor=actor, voice=voice, expected_version=version, body=body)
    except StaleCaseError as exc:
        return BulkRow(label=code, tracking_code=code, ok=False, message=" ".join(exc.messages))
    except PermissionDenied:
        return BulkRow(
            label=code, tracking_code=code, ok=False, message=_("You may not act on this case.")
        )
    except ValidationError as exc:
        return BulkRow(label=code, tracking_code=code, ok=False, message=" ".join(exc.messages))
    if action == BulkAction.ACCEPT:
        message = _("Accepted.")
    else:
        message = _("Assigned to %(body)s.") % {"body": body}
    return BulkRow(label=code, tracking_code=code, ok=True, message=message)


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
    voices = visible_cases(request.user, ids)
    results = [
        _bulk_one(
            actor, voices.get(pk), pk, request.POST.get(f"v_{pk}", ""), action=action, body=body
        )
        for pk in ids
    ]
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
