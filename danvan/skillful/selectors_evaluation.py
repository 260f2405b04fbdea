"""Reads of the evaluation's pages: criteria sets, councils, a user's evaluations, the scoring
page's figures and the evaluation panel of a model's page. The views call these and the
services; they do not query the models themselves."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from danvan.accounts.models import User
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.users import Requester
from danvan.skillful.models import (
    Council,
    CriteriaSet,
    Criterion,
    Evaluation,
    Level,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.selectors import EVALUATED_STATUSES, councils_for
from danvan.skillful.services_evaluation import level_label, proposal_target
from danvan.units.models import AdministrativeUnit

#: At most this many evaluations in each list of "my evaluations".
MY_EVALUATIONS_LIMIT = 200

# --- Criteria sets and councils -------------------------------------------------------------


def criteria_sets_of(province: AdministrativeUnit) -> QuerySet[CriteriaSet]:
    """The province's criteria sets, newest period first, with their number of criteria."""
    return (
        CriteriaSet.objects.filter(province=province)
        .select_related("period")
        .annotate(criteria_count=Count("criteria", distinct=True))
        .order_by("-period__starts_on", "level", "name")
    )


def criteria_set_get(pk: int) -> CriteriaSet:
    return get_object_or_404(CriteriaSet.objects.select_related("province", "period"), pk=pk)


def councils_seen_by(user: User) -> QuerySet[Council]:
    """The councils in ``user``'s scope and those they sit on, with their number of members."""
    councils = (Council.objects.visible_to(user) | Council.objects.filter(members=user)).distinct()
    return (
        councils.select_related("unit", "period")
        .annotate(member_count=Count("members", distinct=True))
        .order_by("unit__path", "-period__starts_on", "name")
    )


def council_get(pk: int) -> Council:
    return get_object_or_404(Council.objects.select_related("unit", "period"), pk=pk)


def council_members(council: Council) -> QuerySet[Any]:
    return council.members.order_by("username")


# --- Evaluations ----------------------------------------------------------------------------


def evaluations_of_member(user: User) -> list[Evaluation]:
    """The evaluations of the councils ``user`` sits on, open ones first."""
    return list(
        Evaluation.objects.select_related("model", "council__unit", "criteria_set")
        .filter(council__members=user)
        .order_by("closed_at", "-opened_at")[:MY_EVALUATIONS_LIMIT]
    )


def evaluations_scored_by(user: User) -> set[int]:
    """The evaluations ``user`` has given at least one score in."""
    return set(
        Evaluation.objects.filter(scores__member=user).values_list("pk", flat=True).distinct()
    )


def evaluations_to_close(user: Requester) -> list[Evaluation]:
    """The open evaluations ``user`` may close (``APPROVE``), with their number of scorers."""
    if not can(user, Capability.APPROVE):
        return []
    return list(
        Evaluation.objects.select_related("model", "council__unit", "criteria_set")
        .visible_to(user, Capability.APPROVE)
        .filter(closed_at__isnull=True)
        .annotate(scorers=Count("scores__member", distinct=True))
        .order_by("opened_at")[:MY_EVALUATIONS_LIMIT]
    )


def evaluation_visible(user: Requester, pk: int) -> Evaluation:
    """The evaluation ``pk`` for one of its council's members or someone who sees the council's
    unit (404 otherwise); ``is_member`` says which."""
    evaluation = get_object_or_404(
        Evaluation.objects.select_related(
            "model__unit", "model__period", "model__lead_body", "council__unit", "criteria_set"
        ),
        pk=pk,
    )
    is_member = evaluation.council.members.filter(pk=user.pk).exists()
    if not is_member and not can(user, Capability.VIEW, evaluation.council.unit):
        raise Http404
    evaluation.is_member = is_member
    return evaluation


def criteria_of(evaluation: Evaluation) -> list[Criterion]:
    return list(evaluation.criteria_set.criteria.all())


def criteria_scored_by(user: User, evaluation: Evaluation) -> set[int]:
    """The criteria of ``evaluation`` that ``user`` has scored."""
    return set(evaluation.scores.filter(member=user).values_list("criterion_id", flat=True))


def scoring_figures(evaluation: Evaluation) -> dict[str, Any]:
    """What the scoring page shows besides the scores: the grades, the model's indicators with
    their reports, how many members have scored and how many there are."""
    return {
        "grades": list(evaluation.criteria_set.grades.all()),
        "indicators": list(evaluation.model.indicators.prefetch_related("reports")),
        "scorer_count": evaluation.scores.values("member").distinct().count(),
        "member_count": evaluation.council.members.count(),
    }


def model_visible_by_pk(user: Requester, pk: int) -> MobilizationModel:
    return get_object_or_404(
        MobilizationModel.objects.visible_to(user).select_related("unit", "period"), pk=pk
    )


def panel_context(user: Requester, model: MobilizationModel) -> dict[str, Any]:
    """What ``_model_panel.html`` shows: evaluations, commendations and the possible actions."""
    evaluations = list(
        model.evaluations.select_related("council__unit", "criteria_set").order_by("-opened_at")
    )
    is_open = any(e.closed_at is None for e in evaluations)
    target = proposal_target(model)
    may_act = can(user, Capability.ACT, model.unit)
    councils = councils_for(model) if model.status == ModelStatus.PROPOSED else None
    if councils is not None:
        councils = councils.visible_to(user, Capability.ACT)
    return {
        "model": model,
        "evaluations": evaluations,
        # Proposed, and no council has it before it yet.
        "awaiting_council": model.status == ModelStatus.PROPOSED and not is_open,
        # Recorded as evaluated (an imported list, an earlier period) with no scores kept here.
        "evaluated_before": not evaluations and model.status in EVALUATED_STATUSES,
        "commendations": list(model.commendations.all()),
        "may_propose": may_act and target is not None and not is_open,
        "target_label": level_label(target) if target else "",
        "may_open": bool(councils is not None and not is_open and councils.exists()),
        "may_commend": model.status in (ModelStatus.RECOGNIZED, ModelStatus.HONORED)
        and (
            can(user, Capability.APPROVE, model.unit)
            or can(user, Capability.MANAGE_BODIES, model.unit)
        ),
        "current_level_label": level_label(model.current_level)
        if model.current_level in Level.values
        else "",
    }
