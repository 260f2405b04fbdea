"""The evaluation pages: criteria sets, councils, "my evaluations", scoring, closing, proposing a
model upward and recording a commendation.

What a user may see is decided by their scope; what they may do, by the services. The views turn
the services' refusals into answers: 400 with the reasons for a refused action, 409 for a stale
version, 403 for a missing permission.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.skillful.forms_evaluation import (
    CommendationForm,
    CouncilEditForm,
    CouncilForm,
    CriteriaSetEditForm,
    CriteriaSetForm,
    CriterionFormSet,
    GradeFormSet,
    OpenEvaluationForm,
    ProposeForm,
    ScoreForm,
    criteria_specs,
    grade_specs,
)
from danvan.skillful.models import (
    Council,
    CriteriaSet,
    Evaluation,
    Level,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.selectors import EVALUATED_STATUSES, awaiting_council, councils_for
from danvan.skillful.services_evaluation import (
    StaleModelError,
    aggregate,
    commendation_record,
    council_create,
    council_update,
    criteria_set_create,
    criteria_set_update,
    evaluation_close,
    evaluation_open,
    level_label,
    model_propose,
    proposal_target,
    score_give,
    scores_visible_to,
)
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.selectors import managed_provinces

# --- Criteria sets --------------------------------------------------------------------------------


def _province_for(request: HttpRequest) -> tuple[list[AdministrativeUnit], AdministrativeUnit]:
    provinces = managed_provinces(request.user)
    if not provinces:
        raise PermissionDenied(_("Only provincial staff manage a province's criteria sets."))
    code = request.GET.get("province") or request.POST.get("province") or provinces[0].code
    return provinces, next((p for p in provinces if p.code == code), provinces[0])


@login_required
def criteria_set_list(request: HttpRequest) -> HttpResponse:
    provinces, province = _province_for(request)
    sets = (
        CriteriaSet.objects.filter(province=province)
        .select_related("period")
        .annotate(criteria_count=Count("criteria", distinct=True))
        .order_by("-period__starts_on", "level", "name")
    )
    return render(
        request,
        "skillful/evaluation/criteria_sets.html",
        {"provinces": provinces, "province": province, "sets": sets},
    )


def _render_set_form(
    request: HttpRequest,
    *,
    province: AdministrativeUnit,
    form: Any,
    criteria: Any,
    grades: Any,
    criteria_set: CriteriaSet | None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "skillful/evaluation/criteria_set_form.html",
        {
            "province": province,
            "form": form,
            "criteria_formset": criteria,
            "grade_formset": grades,
            "criteria_set": criteria_set,
        },
        status=status,
    )


@login_required
def criteria_set_create_view(request: HttpRequest) -> HttpResponse:
    _provinces, province = _province_for(request)
    data = request.POST if request.method == "POST" else None
    # The period's page links here with the period and the level chosen.
    form = CriteriaSetForm(
        data,
        province=province,
        initial={"period": request.GET.get("period"), "level": request.GET.get("level")},
    )
    criteria = CriterionFormSet(data, prefix="criteria")
    grades = GradeFormSet(
        data,
        prefix="grades",
        initial=[
            {"name": "Xuất sắc", "min_score": 90, "recognizes": True},
            {"name": "Tốt", "min_score": 75, "recognizes": True},
            {"name": "Không công nhận", "min_score": 0, "recognizes": False},
        ],
    )
    if request.method == "POST":
        if form.is_valid() and criteria.is_valid() and grades.is_valid():
            try:
                created = criteria_set_create(
                    actor=Actor.from_request(request),
                    province=province,
                    period=form.cleaned_data["period"],
                    level=form.cleaned_data["level"],
                    name=form.cleaned_data["name"],
                    criteria=criteria_specs(criteria),
                    grades=grade_specs(grades),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Criteria set “%(name)s” saved.") % {"name": created})
                return redirect(f"{reverse('skillful:criteria_sets')}?province={province.code}")
        return _render_set_form(
            request,
            province=province,
            form=form,
            criteria=criteria,
            grades=grades,
            criteria_set=None,
            status=400,
        )
    return _render_set_form(
        request, province=province, form=form, criteria=criteria, grades=grades, criteria_set=None
    )


@login_required
def criteria_set_edit(request: HttpRequest, pk: int) -> HttpResponse:
    criteria_set = get_object_or_404(
        CriteriaSet.objects.select_related("province", "period"), pk=pk
    )
    if not can(request.user, Capability.MANAGE_BODIES, criteria_set.province):
        raise PermissionDenied(
            _("You may not manage the criteria sets of %(unit)s.")
            % {"unit": criteria_set.province.name}
        )
    data = request.POST if request.method == "POST" else None
    form = CriteriaSetEditForm(data, initial={"name": criteria_set.name})
    criteria = CriterionFormSet(
        data,
        prefix="criteria",
        initial=[
            {
                "name": c.name,
                "description": c.description,
                "weight": c.weight,
                "max_score": c.max_score,
            }
            for c in criteria_set.criteria.all()
        ],
    )
    grades = GradeFormSet(
        data,
        prefix="grades",
        initial=[
            {"name": g.name, "min_score": g.min_score, "recognizes": g.recognizes}
            for g in criteria_set.grades.all()
        ],
    )
    if request.method == "POST":
        if form.is_valid() and criteria.is_valid() and grades.is_valid():
            try:
                criteria_set_update(
                    actor=Actor.from_request(request),
                    criteria_set=criteria_set,
                    name=form.cleaned_data["name"],
                    criteria=criteria_specs(criteria),
                    grades=grade_specs(grades),
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Criteria set saved."))
                return redirect(
                    f"{reverse('skillful:criteria_sets')}?province={criteria_set.province.code}"
                )
        return _render_set_form(
            request,
            province=criteria_set.province,
            form=form,
            criteria=criteria,
            grades=grades,
            criteria_set=criteria_set,
            status=400,
        )
    return _render_set_form(
        request,
        province=criteria_set.province,
        form=form,
        criteria=criteria,
        grades=grades,
        criteria_set=criteria_set,
    )


# --- Councils ---------------------------------------------------------------------------------------


def _visible_councils(user: Any) -> QuerySet[Council]:
    councils = Council.objects.visible_to(user)
    if user.is_authenticated:
        councils = (councils | Council.objects.filter(members=user)).distinct()
    return councils.select_related("unit", "period")


def _managed_units(user: Any) -> QuerySet[AdministrativeUnit]:
    """Units where ``user`` may set up a council: the provinces, communes and villages they
    manage (a council evaluates at its unit's level)."""
    units = AdministrativeUnit.objects.visible_to(user, Capability.MANAGE_BODIES).current()
    units = units.filter(tier__in=[UnitTier.PROVINCE, UnitTier.COMMUNE, UnitTier.VILLAGE])
    return units.order_by("path")


@login_required
def council_list(request: HttpRequest) -> HttpResponse:
    units = _managed_units(request.user)
    may_manage = units.exists()
    form = CouncilForm(request.POST or None, units=units) if may_manage else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(_("You may not set up councils."))
        if form.is_valid():
            unit = form.cleaned_data["unit"]
            try:
                council = council_create(
                    actor=Actor.from_request(request),
                    unit=unit,
                    level=unit.tier,
                    period=form.cleaned_data["period"],
                    name=form.cleaned_data["name"],
                    members=form.cleaned_data["members"],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("Council “%(name)s” set up.") % {"name": council})
                return redirect("skillful:councils")
    councils = (
        _visible_councils(request.user)
        .annotate(member_count=Count("members", distinct=True))
        .order_by("unit__path", "-period__starts_on", "name")
    )
    return render(
        request,
        "skillful/evaluation/councils.html",
        {"councils": councils, "form": form},
        status=400 if form is not None and form.errors else 200,
    )


@login_required
def council_edit(request: HttpRequest, pk: int) -> HttpResponse:
    council = get_object_or_404(Council.objects.select_related("unit", "period"), pk=pk)
    if not can(request.user, Capability.MANAGE_BODIES, council.unit):
        raise PermissionDenied(
            _("You may not manage the councils of %(unit)s.") % {"unit": council.unit.name}
        )
    form = CouncilEditForm(
        request.POST or None,
        initial={
            "name": council.name,
            "members": " ".join(m.get_username() for m in council.members.order_by("username")),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            council_update(
                actor=Actor.from_request(request),
                council=council,
                name=form.cleaned_data["name"],
                members=form.cleaned_data["members"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Council saved."))
            return redirect("skillful:councils")
    return render(
        request,
        "skillful/evaluation/council_edit.html",
        {"council": council, "form": form, "members": council.members.order_by("username")},
        status=400 if form.errors else 200,
    )


# --- Evaluations ------------------------------------------------------------------------------------


@login_required
def my_evaluations(request: HttpRequest) -> HttpResponse:
    """Evaluations the user scores as a council member, and those a leader may close."""
    user: Any = request.user
    base = Evaluation.objects.select_related("model", "council__unit", "criteria_set")
    mine = list(base.filter(council__members=user).order_by("closed_at", "-opened_at")[:200])
    scored = set(
        Evaluation.objects.filter(scores__member=user).values_list("pk", flat=True).distinct()
    )
    to_close: list[Evaluation] = []
    if can(user, Capability.APPROVE):
        open_ones = (
            base.visible_to(user, Capability.APPROVE)
            .filter(closed_at__isnull=True)
            .annotate(scorers=Count("scores__member", distinct=True))
        )
        to_close = list(open_ones.order_by("opened_at")[:200])
    return render(
        request,
        "skillful/evaluation/mine.html",
        {
            "mine": mine,
            "scored": scored,
            "to_close": to_close,
            "awaiting": awaiting_council(user),
        },
    )


def _visible_evaluation(request: HttpRequest, pk: int) -> Evaluation:
    evaluation = get_object_or_404(
        Evaluation.objects.select_related(
            "model__unit", "model__period", "model__lead_body", "council__unit", "criteria_set"
        ),
        pk=pk,
    )
    user: Any = request.user
    is_member = evaluation.council.members.filter(pk=user.pk).exists()
    if not is_member and not can(user, Capability.VIEW, evaluation.council.unit):
        raise Http404
    evaluation.is_member = is_member
    return evaluation


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
    criteria = list(evaluation.criteria_set.criteria.all())
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
            "grades": list(evaluation.criteria_set.grades.all()),
            "indicators": list(model.indicators.prefetch_related("reports")),
            "scores": visible,
            "form": form,
            "result": result,
            "is_member": is_member,
            "is_open": is_open,
            "may_close": may_close,
            "scorer_count": evaluation.scores.values("member").distinct().count(),
            "member_count": evaluation.council.members.count(),
            "error": error,
        },
        status=status,
    )


@login_required
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The scoring page: the model, its indicators and formalism flags, then the criteria."""
    evaluation = _visible_evaluation(request, pk)
    if request.method != "POST":
        return _evaluation_page(request, evaluation)
    if not getattr(evaluation, "is_member", False):
        raise PermissionDenied(_("Only the members of the council score this model."))
    user: Any = request.user
    done = set(evaluation.scores.filter(member=user).values_list("criterion_id", flat=True))
    criteria = [c for c in evaluation.criteria_set.criteria.all() if c.pk not in done]
    # A criterion already scored is sent anyway by a stale page: the service refuses it, by name.
    posted = [
        c
        for c in evaluation.criteria_set.criteria.all()
        if c.pk in done and request.POST.get(f"score_{c.pk}", "").strip()
    ]
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
    evaluation = _visible_evaluation(request, pk)
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


def _visible_model(request: HttpRequest, pk: int) -> MobilizationModel:
    return get_object_or_404(
        MobilizationModel.objects.visible_to(request.user).select_related("unit", "period"),
        pk=pk,
    )


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


def _run(
    request: HttpRequest, model: MobilizationModel, action: str, form: Any, call: Any
) -> HttpResponse | None:
    """Call the service; on a refusal, the page again with the reasons (400, or 409 if stale)."""
    if not form.is_valid():
        return _model_action(request, model, action=action, form=form, status=400)
    try:
        call(form.cleaned_data)
    except StaleModelError as exc:
        fresh = _visible_model(request, model.pk)
        form.data = form.data.copy()
        form.data["version"] = fresh.version
        return _model_action(
            request, fresh, action=action, form=form, status=409, error=" ".join(exc.messages)
        )
    except ValidationError as exc:
        for message in exc.messages:
            form.add_error(None, message)
        return _model_action(request, model, action=action, form=form, status=400)
    return None


@login_required
def propose_view(request: HttpRequest, pk: int) -> HttpResponse:
    model = _visible_model(request, pk)
    if not can(request.user, Capability.ACT, model.unit):
        raise PermissionDenied(_("You may not propose this model."))
    target = proposal_target(model)
    form = ProposeForm(request.POST or None, initial={"version": model.version, "to_level": target})
    if request.method != "POST":
        return _model_action(request, model, action="propose", form=form)
    answer = _run(
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
    )
    if answer is not None:
        return answer
    messages.success(request, _("The model is proposed for evaluation."))
    return redirect("skillful:detail", code=model.code)


@login_required
def open_view(request: HttpRequest, pk: int) -> HttpResponse:
    model = _visible_model(request, pk)
    councils = councils_for(model).visible_to(request.user, Capability.ACT)
    if not councils.exists() and request.method == "POST":
        raise PermissionDenied(_("You may not open evaluations for this model."))
    form = OpenEvaluationForm(
        request.POST or None, councils=councils, initial={"version": model.version}
    )
    if request.method != "POST":
        return _model_action(request, model, action="open", form=form)
    created: list[Evaluation] = []
    answer = _run(
        request,
        model,
        "open",
        form,
        lambda data: created.append(
            evaluation_open(
                actor=Actor.from_request(request),
                model=model,
                council=data["council"],
                expected_version=data["version"],
            )
        ),
    )
    if answer is not None:
        return answer
    messages.success(request, _("The council can now score the model."))
    return redirect("skillful:evaluation", pk=created[0].pk)


@login_required
def commend_view(request: HttpRequest, pk: int) -> HttpResponse:
    model = _visible_model(request, pk)
    if not (
        can(request.user, Capability.APPROVE, model.unit)
        or can(request.user, Capability.MANAGE_BODIES, model.unit)
    ):
        raise PermissionDenied(_("You may not record commendations for this model."))
    form = CommendationForm(
        request.POST or None, initial={"version": model.version, "level": model.current_level}
    )
    if request.method != "POST":
        return _model_action(request, model, action="commend", form=form)
    answer = _run(
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
    )
    if answer is not None:
        return answer
    messages.success(request, _("The commendation is recorded."))
    return redirect("skillful:detail", code=model.code)


@login_required
def model_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """The model's evaluations, commendations and the actions on them, on a page of their own
    (the model page shows the same panel)."""
    model = _visible_model(request, pk)
    return render(request, "skillful/evaluation/model_evaluation.html", {"model": model})


def panel_context(user: Any, model: MobilizationModel) -> dict[str, Any]:
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
