"""Evaluation of models: criteria sets, councils, the lifecycle from proposal to commendation.

Every write is a service taking ``actor=``; it writes its audit row in the same transaction.
The model's row is locked (``select_for_update``) and, when the caller passes the version it saw,
that version is checked, so that two officers acting at once cannot both move the same model
(``StaleModelError``, the one the registry's services raise too).

The lifecycle (trạng thái): registered → under way → proposed → evaluated → recognized (or not
recognized) → honored. A model is first proposed at its own level; once recognized it may be
proposed to the next level up, one level at a time, and is evaluated again there.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.text import clean_name
from danvan.lib.users import Requester
from danvan.skillful.models import (
    LEVEL_ORDER,
    Commendation,
    Council,
    CriteriaSet,
    Criterion,
    Evaluation,
    GradeThreshold,
    Level,
    MobilizationModel,
    ModelStatus,
    Score,
)
from danvan.skillful.services_common import model_lock
from danvan.units.models import AdministrativeUnit

HUNDRED = Decimal(100)
CENT = Decimal("0.01")

#: The statuses from which a model may be proposed (to its own level, or one up once recognized).
#: A model only registered has reported nothing yet: it is under way from its first report.
PROPOSABLE = (
    ModelStatus.UNDER_WAY,
    ModelStatus.NOT_RECOGNIZED,
    ModelStatus.RECOGNIZED,
    ModelStatus.HONORED,
)
#: From these a model has been recognized at its current level and goes one level up.
RECOGNIZED_STATUSES = (ModelStatus.RECOGNIZED, ModelStatus.HONORED)


def level_rank(level: str) -> int:
    return [str(x) for x in LEVEL_ORDER].index(level)


def level_label(level: str) -> str:
    return str(Level(level).label)


def next_level(level: str) -> str | None:
    rank = level_rank(level)
    return str(LEVEL_ORDER[rank + 1]) if rank + 1 < len(LEVEL_ORDER) else None


def province_of(unit: AdministrativeUnit) -> AdministrativeUnit:
    code = unit.path.strip("/").split("/")[0]
    if unit.code == code:
        return unit
    return AdministrativeUnit.objects.get(code=code)


# --- The model's lifecycle --------------------------------------------------------------------------


def _save_model(model: MobilizationModel, fields: list[str]) -> None:
    model.version += 1
    model.save(update_fields=[*fields, "version", "updated_at"])


def unit_reach(unit: AdministrativeUnit) -> str:
    """The highest level a model of ``unit`` can be proposed to: the province above it."""
    # Every unit sits in a province, whose council is the highest; there is no national level.
    return str(Level.PROVINCE)


def proposal_target(model: MobilizationModel) -> str | None:
    """The level the model may be proposed to now, or None."""
    if model.status in RECOGNIZED_STATUSES:
        return next_level(model.current_level)
    if model.status in PROPOSABLE:
        return model.current_level
    return None


@transaction.atomic
def model_propose(
    *,
    actor: Actor,
    model: MobilizationModel,
    to_level: str,
    expected_version: int | None = None,
) -> MobilizationModel:
    """Propose the model for evaluation: first at its own level, then (once recognized) one level
    up at a time, never above the highest level its unit reaches."""
    locked = model_lock(model, expected_version)
    if actor.user is not None and not can(actor.user, Capability.ACT, locked.unit):
        raise PermissionDenied(_("You may not propose this model."))
    if to_level not in Level.values:
        raise ValidationError(_("Unknown level."))
    if locked.status == ModelStatus.REGISTERED:
        raise ValidationError(
            _(
                "The model is proposed once it is under way: report the values of its "
                "indicators first."
            )
        )
    if locked.status not in PROPOSABLE:
        raise ValidationError(
            _("The model cannot be proposed while it is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    target = proposal_target(locked)
    reach = unit_reach(locked.unit)
    if target is None or level_rank(to_level) > level_rank(reach):
        raise ValidationError(
            _(
                "The model cannot be proposed to a level above its unit's: %(level)s is beyond "
                "what a model of %(unit)s can reach."
            )
            % {"level": level_label(to_level), "unit": locked.unit.name},
            code="above_unit",
        )
    if to_level != target:
        if level_rank(to_level) > level_rank(target):
            raise ValidationError(
                _(
                    "The model cannot be proposed to a level above its unit's next step: "
                    "it goes to the %(target)s level now, not the %(level)s level."
                )
                % {"target": level_label(target), "level": level_label(to_level)},
                code="above_unit",
            )
        raise ValidationError(
            _("The model goes to the %(target)s level now, not the %(level)s level.")
            % {"target": level_label(target), "level": level_label(to_level)}
        )
    from_status, from_level = locked.status, locked.current_level
    locked.status = ModelStatus.PROPOSED
    locked.current_level = to_level
    _save_model(locked, ["status", "current_level"])
    audit_record(
        actor=actor,
        action="skillful.model.propose",
        obj=locked,
        unit=locked.unit,
        changes={"status": [from_status, locked.status], "current_level": [from_level, to_level]},
    )
    return locked


def criteria_set_for(council: Council) -> CriteriaSet | None:
    return CriteriaSet.objects.filter(
        province=province_of(council.unit), period=council.period, level=council.level
    ).first()


@transaction.atomic
def evaluation_open(
    *,
    actor: Actor,
    model: MobilizationModel,
    council: Council,
    expected_version: int | None = None,
) -> Evaluation:
    """Put a proposed model before a council of its current level whose unit covers it."""
    locked = model_lock(model, expected_version)
    council = Council.objects.select_related("unit", "period").get(pk=council.pk)
    if actor.user is not None and not can(actor.user, Capability.ACT, council.unit):
        raise PermissionDenied(_("You may not open evaluations for this council."))
    if locked.status != ModelStatus.PROPOSED:
        raise ValidationError(_("Only a model proposed for evaluation can be evaluated."))
    if council.level != locked.current_level:
        raise ValidationError(
            _("The model is proposed at the %(level)s level; this council evaluates at the %(c)s.")
            % {"level": level_label(locked.current_level), "c": level_label(council.level)}
        )
    if not locked.unit.path.startswith(council.unit.path):
        raise ValidationError(
            _("%(unit)s is not under %(council)s.")
            % {"unit": locked.unit.name, "council": council.unit.name}
        )
    if Evaluation.objects.filter(model=locked, closed_at__isnull=True).exists():
        raise ValidationError(_("This model already has an evaluation under way."))
    criteria_set = criteria_set_for(council)
    if criteria_set is None or not criteria_set.criteria.exists():
        raise ValidationError(
            _("The province has no criteria set for %(period)s at the %(level)s level yet.")
            % {"period": council.period.name, "level": level_label(council.level)}
        )
    evaluation = Evaluation.objects.create(model=locked, council=council, criteria_set=criteria_set)
    _save_model(locked, [])
    audit_record(
        actor=actor,
        action="skillful.evaluation.open",
        obj=evaluation,
        unit=council.unit,
        changes={"model": locked.pk, "council": council.pk, "criteria_set": criteria_set.pk},
    )
    return evaluation


def _as_decimal(value: Any) -> Decimal | None:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _checked_score(criterion: Criterion, raw: Any, already: set[int]) -> tuple[Decimal | None, str]:
    """The score given for ``criterion`` as a number, or None and why it is refused."""
    if criterion.pk in already:
        return None, _(
            "You have already scored “%(name)s”; a council member scores each criterion "
            "once and the score is not replaced."
        ) % {"name": criterion.name}
    value = _as_decimal(raw)
    if value is None or not Decimal(0) <= value <= criterion.max_score:
        return None, _("The score of “%(name)s” must be between 0 and %(max)s, not %(value)s.") % {
            "name": criterion.name,
            "max": criterion.max_score,
            "value": raw,
        }
    if value != value.quantize(CENT):
        return None, _("The score of “%(name)s” has more than two decimals.") % {
            "name": criterion.name
        }
    return value, ""


@transaction.atomic
def score_give(
    *,
    actor: Actor,
    evaluation: Evaluation,
    scores: Mapping[Criterion, Any],
    comments: Mapping[Criterion, str] | None = None,
) -> list[Score]:
    """A council member's own scores, once per criterion. The criteria set is frozen from the
    first score on. Nothing is saved when any score is refused."""
    locked = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("council", "criteria_set")
        .get(pk=evaluation.pk)
    )
    member = actor.user
    if member is None or not locked.council.members.filter(pk=member.pk).exists():
        raise PermissionDenied(_("Only the members of the council score this model."))
    if locked.closed_at is not None:
        raise ValidationError(_("This evaluation is closed; no more scores are taken."))
    if not scores:
        raise ValidationError(_("Give at least one score."))
    comments = comments or {}
    # Lock the set before reading its criteria: an edit of the set waits, or has finished.
    criteria_set = CriteriaSet.objects.select_for_update().get(pk=locked.criteria_set_id)
    criteria = {c.pk: c for c in criteria_set.criteria.all()}
    already = set(
        Score.objects.filter(evaluation=locked, member=member).values_list(
            "criterion_id", flat=True
        )
    )
    errors: list[str] = []
    rows: list[Score] = []
    for criterion, raw in scores.items():
        if criterion.pk not in criteria:
            errors.append(
                _("“%(name)s” is not a criterion of this evaluation.") % {"name": criterion.name}
            )
            continue
        criterion = criteria[criterion.pk]
        value, error = _checked_score(criterion, raw, already)
        if value is None:
            errors.append(error)
            continue
        rows.append(
            Score(
                evaluation=locked,
                member=member,
                criterion=criterion,
                value=value,
                comment=(comments.get(criterion) or "").strip()[:5000],
            )
        )
    if errors:
        raise ValidationError(errors)
    # Freeze the set with the first score: from now on its criteria, weights and grades stay put.
    if criteria_set.locked_at is None:
        criteria_set.locked_at = timezone.now()
        criteria_set.save(update_fields=["locked_at"])
    created = Score.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="skillful.score.give",
        obj=locked,
        unit=locked.council.unit,
        changes={"scores": {str(r.criterion_id): str(r.value) for r in rows}},
    )
    return created


@dataclass(frozen=True)
class Result:
    score: Decimal
    grade: GradeThreshold | None
    per_criterion: list[tuple[Criterion, Decimal | None, int]]  # mean, number of scores


def aggregate(
    criteria: list[Criterion], scores: Iterable[Score], grades: Iterable[GradeThreshold]
) -> Result:
    """Per criterion the mean of the members' scores over its highest score, weighted by the
    criteria's weights (normalised to 100): a score from 0 to 100, and the highest grade reached.
    A criterion nobody scored counts as zero."""
    values: dict[int, list[Decimal]] = defaultdict(list)
    for score in scores:
        values[score.criterion_id].append(score.value)
    total_weight = sum((c.weight for c in criteria), Decimal(0))
    weighted = Decimal(0)
    rows: list[tuple[Criterion, Decimal | None, int]] = []
    for criterion in criteria:
        given = values.get(criterion.pk, [])
        mean = sum(given, Decimal(0)) / len(given) if given else None
        rows.append((criterion, mean, len(given)))
        if mean is not None and total_weight > 0:
            weighted += mean / criterion.max_score * criterion.weight
    raw = (weighted / total_weight * HUNDRED) if total_weight > 0 else Decimal(0)
    total = raw.quantize(CENT, rounding=ROUND_HALF_UP)
    reached = [g for g in grades if g.min_score <= total]
    grade = max(reached, key=lambda g: g.min_score) if reached else None
    return Result(score=total, grade=grade, per_criterion=rows)


@transaction.atomic
def evaluation_close(
    *, actor: Actor, evaluation: Evaluation, expected_version: int | None = None
) -> Evaluation:
    """Close the evaluation (leader, ``Capability.APPROVE`` on the council's unit): aggregate the
    scores, give the grade, and move the model to evaluated, then recognized or not."""
    locked = (
        Evaluation.objects.select_for_update(of=("self",))
        .select_related("council__unit", "criteria_set")
        .get(pk=evaluation.pk)
    )
    if actor.user is not None and not can(actor.user, Capability.APPROVE, locked.council.unit):
        raise PermissionDenied(_("Only a leader of the council's unit closes an evaluation."))
    if locked.closed_at is not None:
        raise ValidationError(_("This evaluation is already closed."))
    model = model_lock(locked.model, expected_version)
    criteria = list(locked.criteria_set.criteria.all())
    scores = list(locked.scores.all())
    missing = [c.name for c in criteria if not any(s.criterion_id == c.pk for s in scores)]
    if missing:
        raise ValidationError(
            _("No member has scored these criteria yet: %(names)s.") % {"names": "; ".join(missing)}
        )
    result = aggregate(criteria, scores, locked.criteria_set.grades.all())
    locked.closed_at = timezone.now()
    locked.score = result.score
    locked.grade = result.grade.name if result.grade else ""
    locked.recognized = bool(result.grade and result.grade.recognizes)
    locked.save(update_fields=["closed_at", "score", "grade", "recognized"])
    from_status = model.status
    # Evaluated, then at once recognized or not: both moves are recorded.
    audit_record(
        actor=actor,
        action="skillful.model.evaluated",
        obj=model,
        unit=model.unit,
        changes={"status": [from_status, ModelStatus.EVALUATED], "evaluation": locked.pk},
    )
    model.status = ModelStatus.RECOGNIZED if locked.recognized else ModelStatus.NOT_RECOGNIZED
    _save_model(model, ["status"])
    audit_record(
        actor=actor,
        action="skillful.evaluation.close",
        obj=locked,
        unit=locked.council.unit,
        changes={
            "score": str(result.score),
            "grade": locked.grade,
            "status": [ModelStatus.EVALUATED, model.status],
        },
    )
    return locked


@transaction.atomic
def commendation_record(
    *,
    actor: Actor,
    model: MobilizationModel,
    decision_number: str,
    decided_on: datetime.date,
    issuer: str,
    title: str,
    level: str,
    expected_version: int | None = None,
) -> Commendation:
    """Record a commendation decision (quyết định khen thưởng) for a recognized model."""
    locked = model_lock(model, expected_version)
    if actor.user is not None and not (
        can(actor.user, Capability.APPROVE, locked.unit)
        or can(actor.user, Capability.MANAGE_BODIES, locked.unit)
    ):
        raise PermissionDenied(_("You may not record commendations for this model."))
    decision_number = clean_name(decision_number)
    issuer = clean_name(issuer)
    title = clean_name(title)
    errors: list[str] = []
    if locked.status not in RECOGNIZED_STATUSES:
        errors.append(_("Only a recognized model is commended."))
    if not decision_number:
        errors.append(_("Give the number of the decision."))
    if not issuer:
        errors.append(_("Say who issued the decision."))
    if not title:
        errors.append(_("Give the form of commendation."))
    if level not in Level.values:
        errors.append(_("Unknown level."))
    elif level_rank(level) > level_rank(locked.current_level):
        errors.append(
            _("The model is recognized at the %(level)s level; it is not commended above it.")
            % {"level": level_label(locked.current_level)}
        )
    if decided_on > timezone.localdate():
        errors.append(_("The date of the decision cannot be in the future."))
    if Commendation.objects.filter(
        model=locked, issuer=issuer, decision_number=decision_number
    ).exists():
        errors.append(_("This decision is already recorded for this model."))
    if errors:
        raise ValidationError(errors)
    commendation = Commendation.objects.create(
        model=locked,
        level=level,
        decision_number=decision_number,
        decided_on=decided_on,
        issuer=issuer,
        title=title,
    )
    from_status = locked.status
    locked.status = ModelStatus.HONORED
    _save_model(locked, ["status"])
    audit_record(
        actor=actor,
        action="skillful.commendation.record",
        obj=locked,
        unit=locked.unit,
        changes={
            "status": [from_status, locked.status],
            "decision_number": decision_number,
            "decided_on": decided_on.isoformat(),
            "issuer": issuer,
            "level": level,
        },
    )
    return commendation


# --- Reads --------------------------------------------------------------------------------------------


def scores_visible_to(user: Requester | None, evaluation: Evaluation) -> list[Score]:
    """Members score independently: until the evaluation is closed each member sees only their
    own scores, and nobody else sees any."""
    scores = evaluation.scores.select_related("member", "criterion")
    if evaluation.closed_at is not None:
        return list(scores.order_by("criterion__order", "criterion_id", "member__username"))
    if user is None or not user.is_authenticated:
        return []
    return list(scores.filter(member=cast(User, user)).order_by("criterion__order", "criterion_id"))
