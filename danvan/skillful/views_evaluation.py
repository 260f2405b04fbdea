"""The evaluation pages: criteria sets, councils, "my evaluations", scoring, closing, proposing a
model upward and recording a commendation.

What a user may see is decided by their scope; what they may do, by the services. The views turn
the services' refusals into answers: 400 with the reasons for a refused action, 409 for a stale
version, 403 for a missing permission.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.skillful.forms_evaluation import (
    CommendationForm,
    OpenEvaluationForm,
    ProposeForm,
    ScoreForm,
)
from danvan.skillful.models import (
    Evaluation,
    MobilizationModel,
)
from danvan.skillful.selectors import awaiting_council, councils_for
from danvan.skillful.selectors_evaluation import (
    criteria_of,
    criteria_scored_by,
    evaluation_visible,
    evaluations_of_member,
    evaluations_scored_by,
    evaluations_to_close,
    model_visible_by_pk,
    scoring_figures,
)
from danvan.skillful.services_common import StaleModelError
from danvan.skillful.services_evaluation import (
    aggregate,
    commendation_record,
    evaluation_close,
    evaluation_open,
    level_label,
    model_propose,
    proposal_target,
    score_give,
    scores_visible_to,
)

T = TypeVar("T")

# --- Evaluations ------------------------------------------------------------------------------------


@login_required
def my_evaluations(request: HttpRequest) -> HttpResponse:
    """Evaluations the user scores as a council member, and those a leader may close."""
    user = cast(User, request.user)  # login_required: never anonymous here
    return render(
        request,
        "skillful/evaluation/mine.html",
        {
            "mine": evaluations_of_member(user),
            "scored": evaluations_scored_by(user),
            "to_close": evaluations_to_close(user),
            "awaiting": awaiting_council(user),
        },
    )


def _evaluation_page(
    request: HttpRequest,
    evaluation: Evaluation,
    *,
    form: ScoreForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    model = evaluation.model
    criteria = criteria_of(evaluation)
    visible = scores_visible_to(user, evaluation)
    own_done = {s.criterion_id for s in visible if s.member_id == user.pk}
    is_open = evaluation.closed_at is None
    is_member: bool = getattr(evaluation, "is_member", False)
    if form is None and is_member and is_open:
        remaining = [c for c in criteria if c.pk not in own_done]
        form = ScoreForm(criteria=remaining) if remaining else None
    result = None
    if not is_open:
        result = aggregate(criteria, visible, evaluation.criteria_set.grades.all())
    may_close = is_open and can(user, Capability.APPROVE, evaluation.council.unit)
    return render(
        request,
        "skillful/evaluation/evaluation.html",
        {
            "evaluation": evaluation,
            "model": model,
            "criteria": criteria,
            **scoring_figures(evaluation),
            "scores": visible,
            "form": form,
            "result": result,
            "is_member": is_member,
            "is_open": is_open,
            "may_close": may_close,
            "error": error,
        },
        status=status,
    )


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring page: the model, its indicators and formalism flags, then the criteria."""
    evaluation = evaluation_visible(request.user, pk)
    if request.method != "POST":
        return _evaluation_page(request, evaluation)
    if not getattr(evaluation, "is_member", False):
        raise PermissionDenied(_("Only the members of the council score this model."))
    done = criteria_scored_by(cast(User, request.user), evaluation)
    every = criteria_of(evaluation)
    criteria = [c for c in every if c.pk not in done]
    # A criterion already scored is sent anyway by a stale page: the service refuses it, by name.
    posted = [c for c in every if c.pk in done and request.POST.get(f"score_{c.pk}", "").strip()]
    form = ScoreForm(request.POST, criteria=posted + criteria)
    if not form.is_valid():
        return _evaluation_page(
            request, evaluation, form=form, error=_("Check the scores below."), status=400
        )
    scores = form.scores()
    if not scores:
        form.add_error(None, _("Give at least one score."))
        return _evaluation_page(request, evaluation, form=form, status=400)
    try:
        score_give(
            actor=Actor.from_request(request),
            evaluation=evaluation,
            scores=scores,
            comments=form.comments(),
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _evaluation_page(request, evaluation, form=form, status=400)
    messages.success(request, _("Your scores are saved."))
    return redirect("skillful:evaluation", pk=evaluation.pk)


@login_required
def evaluation_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    evaluation = evaluation_visible(request.user, pk)
    if request.method != "POST":
        return redirect("skillful:evaluation", pk=evaluation.pk)
    try:
        closed = evaluation_close(actor=Actor.from_request(request), evaluation=evaluation)
    except ValidationError as exc:
        return _evaluation_page(request, evaluation, error=" ".join(exc.messages), status=400)
    messages.success(
        request,
        _("The evaluation is closed: %(score)s points, %(grade)s.")
        % {"score": closed.score, "grade": closed.grade or "—"},
    )
    return redirect("skillful:evaluation", pk=evaluation.pk)


# --- Actions on a model ----------------------------------------------------------------------------


def _model_action(
    request: HttpRequest,
    model: MobilizationModel,
    *,
    action: str,
    form: Any,
    status: int = 200,
    error: str = "",
) -> HttpResponse:
    titles = {
        "propose": _("Propose for evaluation"),
        "open": _("Put before a council"),
        "commend": _("Record a commendation"),
    }
    return render(
        request,
        "skillful/evaluation/model_action.html",
        {
            "model": model,
            "action": action,
            "title": titles[action],
            "form": form,
            "error": error,
            "target_label": level_label(target) if (target := proposal_target(model)) else "",
            "no_council": action == "open" and not form.fields["council"].queryset.exists(),
        },
        status=status,
    )


def _act(
    request: HttpRequest,
    model: MobilizationModel,
    action: str,
    form: Any,
    call: Callable[[dict[str, Any]], T],
    *,
    done: str,
    then: Callable[[T], HttpResponse],
) -> HttpResponse:
    """The action's page; posted, call the service with the form's data: done, say ``done`` and
    go on to ``then(result)``; refused, the page again with the reasons (400, or 409 if stale)."""
    if request.method != "POST":
        return _model_action(request, model, action=action, form=form)
    if not form.is_valid():
        return _model_action(request, model, action=action, form=form, status=400)
    try:
        result = call(form.cleaned_data)
    except StaleModelError as exc:
        fresh = model_visible_by_pk(request.user, model.pk)
        form.data = form.data.copy()
        form.data["version"] = fresh.version
        return _model_action(
            request, fresh, action=action, form=form, status=409, error=" ".join(exc.messages)
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _model_action(request, model, action=action, form=form, status=400)
    messages.success(request, done)
    return then(result)


@login_required
def propose_view(request: HttpRequest, pk: int) -> HttpResponse:
    model = model_visible_by_pk(request.user, pk)
    if not can(request.user, Capability.ACT, model.unit):
        raise PermissionDenied(_("You may not propose this model."))
    target = proposal_target(model)
    form = ProposeForm(request.POST or None, initial={"version": model.version, "to_level": target})
    return _act(
        request,
        model,
        "propose",
        form,
        lambda data: model_propose(
            actor=Actor.from_request(request),
            model=model,
            to_level=data["to_level"],
            expected_version=data["version"],
        ),
        done=_("The model is proposed for evaluation."),
        then=lambda proposed: redirect("skillful:detail", code=model.code),
    )


@login_required
def open_view(request: HttpRequest, pk: int) -> HttpResponse:
    model = model_visible_by_pk(request.user, pk)
    councils = councils_for(model).visible_to(request.user, Capability.ACT)
    if not councils.exists() and request.method == "POST":
        raise PermissionDenied(_("You may not open evaluations for this model."))
    form = OpenEvaluationForm(
        request.POST or None, councils=councils, initial={"version": model.version}
    )
    return _act(
        request,
        model,
        "open",
        form,
        lambda data: evaluation_open(
            actor=Actor.from_request(request),
            model=model,
            council=data["council"],
            expected_version=data["version"],
        ),
        done=_("The council can now score the model."),
        then=lambda evaluation: redirect("skillful:evaluation", pk=evaluation.pk),
    )


@login_required
def commend_view(request: HttpRequest, pk: int) -> HttpResponse:
    model = model_visible_by_pk(request.user, pk)
    if not (
        can(request.user, Capability.APPROVE, model.unit)
        or can(request.user, Capability.MANAGE_BODIES, model.unit)
    ):
        raise PermissionDenied(_("You may not record commendations for this model."))
    form = CommendationForm(
        request.POST or None, initial={"version": model.version, "level": model.current_level}
    )
    return _act(
        request,
        model,
        "commend",
        form,
        lambda data: commendation_record(
            actor=Actor.from_request(request),
            model=model,
            decision_number=data["decision_number"],
            decided_on=data["decided_on"],
            issuer=data["issuer"],
            title=data["title"],
            level=data["level"],
            expected_version=data["version"],
        ),
        done=_("The commendation is recorded."),
        then=lambda commendation: redirect("skillful:detail", code=model.code),
    )


@login_required
def model_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """The model's evaluations, commendations and the actions on them, on a page of their own
    (the model page shows the same panel)."""
    model = model_visible_by_pk(request.user, pk)
    return render(request, "skillful/evaluation/model_evaluation.html", {"model": model})
