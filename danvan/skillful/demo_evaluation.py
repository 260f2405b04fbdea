"""Demo councils, criteria sets and evaluations of the demo province's models.

Called by the demo after the models are seeded. For each emulation period of Nghệ An's models:
a criteria set per level (the five criteria a province published for collective models), a
provincial council and councils in the communes with the most models; then some models are
proposed, scored independently by each member, closed by the leader, some proposed on to the
province and evaluated again, and some of the recognized ones commended. Run twice, it adds
nothing.
"""

from __future__ import annotations

import dataclasses
import datetime
import random
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.utils import timezone

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.skillful.models import (
    Council,
    CriteriaSet,
    EmulationPeriod,
    Evaluation,
    Level,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.services_criteria import (
    CriterionSpec,
    GradeSpec,
    council_create,
    criteria_set_create,
)
from danvan.skillful.services_evaluation import (
    commendation_record,
    evaluation_close,
    evaluation_open,
    model_propose,
    score_give,
)
from danvan.units.models import AdministrativeUnit

PROVINCE_CODE = "40"

#: The criteria a province published for collective models, as data (weights out of 100).
CRITERIA = [
    CriterionSpec(
        "Cách làm sáng tạo, tiết kiệm thời gian, chi phí",
        Decimal(25),
        10,
        "Cách làm mới, phù hợp thực tế, tiết kiệm nguồn lực.",
    ),
    CriterionSpec(
        "Vận động Nhân dân chấp hành chủ trương, pháp luật",
        Decimal(20),
        10,
        "Người dân hiểu, đồng thuận và thực hiện.",
    ),
    CriterionSpec(
        "Huy động được nhiều lực lượng tham gia",
        Decimal(20),
        10,
        "Cả hệ thống chính trị và Nhân dân cùng làm.",
    ),
    CriterionSpec(
        "Hài hòa lợi ích tập thể, cá nhân và xã hội", Decimal(15), 10, "Không ai bị thiệt thòi."
    ),
    CriterionSpec(
        "Bền vững, có khả năng nhân rộng", Decimal(20), 10, "Duy trì được và làm theo được."
    ),
]
GRADES = [
    GradeSpec("Xuất sắc", Decimal(90)),
    GradeSpec("Tốt", Decimal(75)),
    GradeSpec("Khá", Decimal(65)),
    GradeSpec("Không công nhận", Decimal(0), recognizes=False),
]

#: Demo council members beside the demo accounts (no password: they never log in).
EXTRA_MEMBERS = [
    ("hdtinh1", "Nguyễn Thị Hoa"),
    ("hdtinh2", "Trần Văn Đức"),
    ("hdxa1", "Lê Thị Mai"),
    ("hdxa2", "Phan Văn Tâm"),
]

COMMUNE_COUNCILS = 4
MODELS_PER_COMMUNE = 6
PROVINCE_LEVEL_MODELS = 6


def _members() -> dict[str, User]:
    users = {
        u.username: u for u in User.objects.filter(username__in=["tinh", "lanhdao", "xa", "thon"])
    }
    for username, full_name in EXTRA_MEMBERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username=username,
                password=None,
                full_name=full_name,
                email=f"{username}@danvan.example",
            )
        users[username] = user
    return users


def _evaluate(
    actor: Actor,
    model: MobilizationModel,
    council: Council,
    rng: random.Random,
    quality: float,
    leader: User | None,
) -> Evaluation:
    evaluation = evaluation_open(actor=actor, model=model, council=council)
    criteria = list(evaluation.criteria_set.criteria.all())
    for member in council.members.all():
        scores = {}
        comments = {}
        for criterion in criteria:
            raw = quality * criterion.max_score + rng.uniform(-1.2, 1.2)
            value = min(max(round(raw * 2) / 2, 0), criterion.max_score)
            scores[criterion] = Decimal(str(value))
            if rng.random() < 0.3:
                comments[criterion] = rng.choice(
                    [
                        "Có số liệu chứng minh rõ ràng.",
                        "Cần bổ sung minh chứng về kết quả.",
                        "Cách làm hay, nên nhân rộng.",
                        "Sự tham gia của Nhân dân còn hạn chế.",
                    ]
                )
        score_give(
            actor=Actor.of_user(member), evaluation=evaluation, scores=scores, comments=comments
        )
    return evaluation_close(
        actor=Actor.of_user(leader) if leader is not None else actor, evaluation=evaluation
    )


def _commend(
    actor: Actor,
    model: MobilizationModel,
    *,
    number: int,
    period: EmulationPeriod,
    issuer: str,
    level: str,
) -> None:
    decided_on = min(period.ends_on, timezone.localdate() - datetime.timedelta(days=number % 60))
    commendation_record(
        actor=actor,
        model=model,
        decision_number=f"{100 + number}/QĐ-UBND",
        decided_on=decided_on,
        issuer=issuer,
        title="Bằng khen" if level == Level.PROVINCE else "Giấy khen",
        level=level,
    )


@dataclasses.dataclass
class _Seeding:
    """What the evaluations of every period are seeded with, and what was done so far."""

    actor: Actor
    province: AdministrativeUnit
    models: QuerySet[MobilizationModel]
    users: dict[str, User]
    leader: User | None
    rng: random.Random
    counts: dict[str, int]
    commendation_number: int = 0


def seed_evaluations(actor: Actor, lines: list[str]) -> None:
    """Councils, criteria and scored evaluations for some of the demo models."""
    province = AdministrativeUnit.objects.filter(code=PROVINCE_CODE).first()
    if province is None:
        return
    if Council.objects.filter(unit=province).exists():
        lines.append("model evaluations: already seeded")
        return
    models = MobilizationModel.objects.filter(unit__path__startswith=province.path)
    period_ids = set(models.values_list("period_id", flat=True))
    periods = list(EmulationPeriod.objects.filter(pk__in=period_ids).order_by("starts_on"))
    if not periods:
        return
    users = _members()
    seeding = _Seeding(
        actor=actor,
        province=province,
        models=models,
        users=users,
        leader=users.get("lanhdao"),
        rng=random.Random(2025),  # noqa: S311 - demo data, reproducible on purpose
        counts={"sets": 0, "councils": 0, "evaluations": 0, "recognized": 0, "honored": 0},
    )
    for period in periods:
        _criteria_sets(seeding, period)
        province_council = _province_council(seeding, period)
        recognized_at_commune = _commune_evaluations(seeding, period)
        _take_further(seeding, period, province_council, recognized_at_commune)
        _province_models(seeding, period, province_council)
    lines.append(
        "model evaluations: {sets} criteria sets, {councils} councils, {evaluations} evaluations, "
        "{recognized} recognized, {honored} honored".format(**seeding.counts)
    )


def _criteria_sets(seeding: _Seeding, period: EmulationPeriod) -> None:
    """The province's criteria sets of the commune and province levels for ``period``."""
    for level in (Level.COMMUNE, Level.PROVINCE):
        if not CriteriaSet.objects.filter(
            province=seeding.province, period=period, level=level
        ).exists():
            criteria_set_create(
                actor=seeding.actor,
                province=seeding.province,
                period=period,
                level=level,
                name=f"Tiêu chí mô hình “Dân vận khéo” cấp {Level(level).label} {period.name}",
                criteria=CRITERIA,
                grades=GRADES,
            )
            seeding.counts["sets"] += 1


def _province_council(seeding: _Seeding, period: EmulationPeriod) -> Council:
    users = seeding.users
    province_members = [users[u] for u in ("tinh", "lanhdao", "hdtinh1", "hdtinh2") if u in users]
    council = council_create(
        actor=seeding.actor,
        unit=seeding.province,
        level=Level.PROVINCE,
        period=period,
        name=f"Hội đồng thi đua “Dân vận khéo” tỉnh {period.name}",
        members=province_members,
    )
    seeding.counts["councils"] += 1
    return council


def _commune_ids(seeding: _Seeding, period: EmulationPeriod) -> list[int]:
    """The communes with the most models under way in ``period`` (Anh Sơn, "17329", among them:
    the demo accounts sit on its council)."""
    commune_ids = [
        row["unit"]
        for row in seeding.models.filter(
            period=period,
            level=Level.COMMUNE,
            current_level=Level.COMMUNE,
            status=ModelStatus.UNDER_WAY,
            unit__tier="commune",
        )
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n", "unit")[:COMMUNE_COUNCILS]
    ]
    anh_son = AdministrativeUnit.objects.filter(code="17329").first()
    if anh_son is not None and anh_son.pk not in commune_ids:
        commune_ids = [anh_son.pk, *commune_ids[: COMMUNE_COUNCILS - 1]]
    return commune_ids


def _commune_evaluations(
    seeding: _Seeding, period: EmulationPeriod
) -> list[tuple[MobilizationModel, AdministrativeUnit]]:
    """A council in each of those communes evaluates some of its models; the models it
    recognized, with their commune."""
    users, rng, actor = seeding.users, seeding.rng, seeding.actor
    recognized_at_commune: list[tuple[MobilizationModel, AdministrativeUnit]] = []
    commune_ids = _commune_ids(seeding, period)
    for commune in AdministrativeUnit.objects.filter(pk__in=commune_ids).order_by("path"):
        names = (
            ["xa", "thon", "hdxa1", "hdxa2"]
            if commune.code == "17329"
            else ["hdxa1", "hdxa2", "tinh"]
        )
        council = council_create(
            actor=actor,
            unit=commune,
            level=Level.COMMUNE,
            period=period,
            name=f"Hội đồng thi đua {commune.name} {period.name}",
            members=[users[u] for u in names if u in users],
        )
        seeding.counts["councils"] += 1
        candidates = seeding.models.filter(
            period=period,
            unit=commune,
            level=Level.COMMUNE,
            current_level=Level.COMMUNE,
            status=ModelStatus.UNDER_WAY,
        ).order_by("pk")[:MODELS_PER_COMMUNE]
        for model in candidates:
            model = model_propose(actor=actor, model=model, to_level=Level.COMMUNE)
            evaluation = _evaluate(
                actor, model, council, rng, rng.uniform(0.55, 0.98), seeding.leader
            )
            seeding.counts["evaluations"] += 1
            if evaluation.recognized:
                seeding.counts["recognized"] += 1
                recognized_at_commune.append((model, commune))
    return recognized_at_commune


def _take_further(
    seeding: _Seeding,
    period: EmulationPeriod,
    province_council: Council,
    recognized_at_commune: list[tuple[MobilizationModel, AdministrativeUnit]],
) -> None:
    """Some recognized commune models go on to the province; others are commended at home."""
    actor, counts = seeding.actor, seeding.counts
    for index, (model, commune) in enumerate(recognized_at_commune):
        model.refresh_from_db()
        if index % 2 == 0:
            model = model_propose(actor=actor, model=model, to_level=Level.PROVINCE)
            evaluation = _evaluate(
                actor,
                model,
                province_council,
                seeding.rng,
                seeding.rng.uniform(0.7, 0.98),
                seeding.leader,
            )
            counts["evaluations"] += 1
            if evaluation.recognized:
                counts["recognized"] += 1
                model.refresh_from_db()
                _commend_next(seeding, model, period, seeding.province, Level.PROVINCE)
        elif index % 4 == 1:
            _commend_next(seeding, model, period, commune, Level.COMMUNE)


def _commend_next(
    seeding: _Seeding,
    model: MobilizationModel,
    period: EmulationPeriod,
    issuer_unit: AdministrativeUnit,
    level: str,
) -> None:
    """The next commendation decision of the demo, by the People's Committee of ``issuer_unit``."""
    seeding.commendation_number += 1
    _commend(
        seeding.actor,
        model,
        number=seeding.commendation_number,
        period=period,
        issuer=f"Ủy ban nhân dân {issuer_unit.name}",
        level=level,
    )
    seeding.counts["honored"] += 1


def _province_models(seeding: _Seeding, period: EmulationPeriod, province_council: Council) -> None:
    """Models registered at the province level go straight before the provincial council."""
    actor = seeding.actor
    for model in seeding.models.filter(
        period=period,
        level=Level.PROVINCE,
        current_level=Level.PROVINCE,
        status=ModelStatus.UNDER_WAY,
    ).order_by("pk")[:PROVINCE_LEVEL_MODELS]:
        model = model_propose(actor=actor, model=model, to_level=Level.PROVINCE)
        evaluation = _evaluate(
            actor,
            model,
            province_council,
            seeding.rng,
            seeding.rng.uniform(0.6, 0.98),
            seeding.leader,
        )
        seeding.counts["evaluations"] += 1
        if evaluation.recognized:
            seeding.counts["recognized"] += 1
