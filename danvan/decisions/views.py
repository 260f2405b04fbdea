"""Officers' pages of decisions and conclusions (``/decisions/``): drafting one from a case, its
page with the form and the actions of its path, and the DOCX.

Everything is read through ``Decision.objects.visible_to(user)``. Drafting, editing and
submitting need ``act`` on the case's unit; returning and issuing need ``approve`` on the
competent body's unit. A stale version gets 409 and the decision as it is now; a refused action
keeps what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from danvan.audit.context import Actor
from danvan.decisions.forms import EditForm, IssueForm, ReturnForm, fields_for
from danvan.decisions.models import Decision, DecisionStatus
from danvan.decisions.services import (
    decision_document,
    decision_draft,
    decision_edit,
    decision_issue,
    decision_return,
    decision_submit,
)
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.reports.forms import VersionForm
from danvan.reports.workflow_views import act_on, docx_download
from danvan.voices.models import Voice


def _visible(request: HttpRequest, pk: int) -> Decision:
    return get_object_or_404(
        Decision.objects.visible_to(request.user).select_related("voice__unit", "body__unit"),
        pk=pk,
    )


@login_required
@require_POST
def decision_new(request: HttpRequest, tracking_code: str) -> HttpResponse:
    voice = get_object_or_404(Voice.objects.visible_to(request.user), tracking_code=tracking_code)
    try:
        decision = decision_draft(actor=Actor.from_request(request), voice=voice)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("voices:case", tracking_code=voice.tracking_code)
    return redirect("decisions:detail", pk=decision.pk)


def _detail(
    request: HttpRequest,
    decision: Decision,
    *,
    error: str = "",
    edit_form: EditForm | None = None,
    return_form: ReturnForm | None = None,
    issue_form: IssueForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_act = can(request.user, Capability.ACT, decision.voice.unit)
    may_approve = can(request.user, Capability.APPROVE, decision.body.unit)
    version = {"version": decision.version}
    draft = decision.status == DecisionStatus.DRAFT
    if edit_form is None:
        edit_form = EditForm(
            decision=decision,
            initial={
                **version,
                **{name: getattr(decision, name) for name in fields_for(decision.kind)},
            },
        )
    sections = [
        (edit_form.fields[name].label, getattr(decision, name))
        for name in fields_for(decision.kind)
        if name not in ("signer_prefix",)
    ]
    context: dict[str, Any] = {
        "decision": decision,
        "voice": decision.voice,
        "sections": sections,
        "events": list(decision.events.select_related("actor")),
        "edit_form": edit_form,
        "return_form": return_form or ReturnForm(initial=version),
        "issue_form": issue_form or IssueForm(initial=version),
        "version_form": VersionForm(initial=version),
        "can_edit": may_act and draft,
        "can_submit": may_act and draft,
        "can_return": may_approve and decision.status == DecisionStatus.SUBMITTED,
        "can_issue": may_approve and decision.status == DecisionStatus.SUBMITTED,
        "error": error,
    }
    response = render(request, "decisions/detail.html", context, status=status)
    # A complainant's name and address are on the page.
    response["Cache-Control"] = "no-store, private"
    return response


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


_ACTIONS = {"edit": Capability.ACT, "submit": Capability.ACT, "return": Capability.APPROVE}
_ACTIONS["issue"] = Capability.APPROVE

_DONE = {
    "edit": gettext_lazy("Saved."),
    "submit": gettext_lazy("Submitted to the head of the body for approval."),
    "return": gettext_lazy("Returned to draft with your note."),
    "issue": gettext_lazy(
        "Approved and issued. The number, the date and the file are fixed, and the case is "
        "answered."
    ),
}


@login_required
@require_POST
def decision_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in _ACTIONS:
        raise PermissionDenied
    decision = _visible(request, pk)
    unit = decision.voice.unit if _ACTIONS[action] == Capability.ACT else decision.body.unit
    if not can(request.user, _ACTIONS[action], unit):
        raise PermissionDenied(_("You may not do this with this decision."))
    form: VersionForm
    if action == "edit":
        form = EditForm(request.POST, decision=decision)
    elif action == "return":
        form = ReturnForm(request.POST)
    elif action == "issue":
        form = IssueForm(request.POST)
    else:
        form = VersionForm(request.POST)
    bound: dict[str, Any] = (
        {f"{action}_form": form} if action in ("edit", "return", "issue") else {}
    )

    def run(data: dict[str, Any]) -> None:
        common: dict[str, Any] = {
            "actor": Actor.from_request(request),
            "decision": decision,
            "expected_version": data["version"],
        }
        if action == "edit":
            decision_edit(**common, **{name: data[name] for name in fields_for(decision.kind)})
        elif action == "submit":
            decision_submit(**common)
        elif action == "return":
            decision_return(**common, note=data["note"])
        else:
            decision_issue(**common, issued_on=data["issued_on"])

    return act_on(
        request,
        form=form,
        run=run,
        detail=lambda **answer: _detail(request, decision, **answer, **bound),
        fresh=lambda **answer: _detail(request, _visible(request, pk), **answer, **bound),
        version_error=_("The page did not say which version you saw. Reload it and try again."),
        done=str(_DONE[action]),
        then=reverse("decisions:detail", args=[pk]),
    )


@login_required
@require_GET
def decision_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The issued DOCX as stored, or the draft as it stands now (marked "DỰ THẢO")."""
    decision = _visible(request, pk)
    content = decision_document(decision)
    name = decision.symbol or f"du-thao-{decision.voice.tracking_code}"
    return docx_download(
        request,
        document=decision,
        content=content,
        filename=f"{slugify(name.replace('/', '-'))}.docx",
        action="decision.download",
        unit=decision.voice.unit,
    )
