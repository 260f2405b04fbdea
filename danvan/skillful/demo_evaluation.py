"""Demo councils, criteria sets and evaluations of the demo province's models.

Called by the demo after the models are seeded. For each emulation period of Nghệ An's models:
a criteria set per level (the five criteria a province published for collective models), a
provincial council and councils in the communes with the most models; then some models are
proposed, scored independently by each member, closed by the leader, some proposed on to the
province and evaluated again, and some of the recognized ones commended. Run twice, it adds
nothing.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

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
from danvan.skillful.services_evaluation import (
    CriterionSpec,
    GradeSpec,
    commendation_record,
    council_create,
    criteria_set_create,
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


def _members() -> dict[str, Any]:
    user_model = get_user_model()
    users = {
        u.username: u
        for u in user_model.objects.filter(username__in=["tinh", "lanhdao", "xa", "thon"])
    }
    for username, full_name in EXTRA_MEMBERS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_user(
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
    leader: Any | None,
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
    leader = users.get("lanhdao")
    rng = random.Random(2025)  # noqa: S311 - demo data, reproducible on purpose
    counts = {"sets": 0, "councils": 0, "evaluations": 0, "recognized": 0, "honored": 0}
    commendation_number = 0

    for period in periods:
        for level in (Level.COMMUNE, Level.PROVINCE):
            if not CriteriaSet.objects.filter(
                province=province, period=period, level=level
            ).exists():
                criteria_set_create(
                    actor=actor,
                    province=province,
                    period=period,
                    level=level,
                    name=f"Tiêu chí mô hình “Dân vận khéo” cấp {Level(level).label} {period.name}",
                    criteria=CRITERIA,
                    grades=GRADES,
                )
                counts["sets"] += 1
        province_members = [
            users[u] for u in ("tinh", "lanhdao", "hdtinh1", "hdtinh2") if u in users
        ]
        province_council = council_create(
            actor=actor,
            unit=province,
            level=Level.PROVINCE,
            period=period,
            name=f"Hội đồng thi đua “Dân vận khéo” tỉnh {period.name}",
            members=province_members,
        )
        counts["councils"] += 1

        commune_ids = [
            row["unit"]
            for row in models.filter(
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
        recognized_at_commune: list[tuple[MobilizationModel, AdministrativeUnit]] = []
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
            counts["councils"] += 1
            candidates = models.filter(
                period=period,
                unit=commune,
                level=Level.COMMUNE,
                current_level=Level.COMMUNE,
                status=ModelStatus.UNDER_WAY,
            ).order_by("pk")[:MODELS_PER_COMMUNE]
            for model in candidates:
                model = model_propose(actor=actor, model=model, to_level=Level.COMMUNE)
                evaluation = _evaluate(actor, model, council, rng, rng.uniform(0.55, 0.98), leader)
                counts["evaluations"] += 1
                if evaluation.recognized:
                    counts["recognized"] += 1
                    recognized_at_commune.append((model, commune))

        # Some recognized commune models go on to the province; others are commended at home.
        for index, (model, commune) in enumerate(recognized_at_commune):
            model.refresh_from_db()
            if index % 2 == 0:
                model = model_propose(actor=actor, model=model, to_level=Level.PROVINCE)
                evaluation = _evaluate(
                    actor, model, province_council, rng, rng.uniform(0.7, 0.98), leader
                )
                counts["evaluations"] += 1
                if evaluation.recognized:
                    counts["recognized"] += 1
                    model.refresh_from_db()
                    commendation_number += 1
                    _commend(
                        actor,
                        model,
                        number=commendation_number,
                        period=period,
                        issuer=f"Ủy ban nhân dân {province.name}",
                        level=Level.PROVINCE,
                    )
                    counts["honored"] += 1
            elif index % 4 == 1:
                commendation_number += 1
                _commend(
                    actor,
                    model,
                    number=commendation_number,
                    period=period,
                    issuer=f"Ủy ban nhân dân {commune.name}",
                    level=Level.COMMUNE,
                )
                counts["honored"] += 1

        # Models registered at the province level go straight before the provincial council.
        for model in models.filter(
            period=period,
            level=Level.PROVINCE,
            current_level=Level.PROVINCE,
            status=ModelStatus.UNDER_WAY,
        ).order_by("pk")[:PROVINCE_LEVEL_MODELS]:
            model = model_propose(actor=actor, model=model, to_level=Level.PROVINCE)
            evaluation = _evaluate(
                actor, model, province_council, rng, rng.uniform(0.6, 0.98), leader
            )
            counts["evaluations"] += 1
            if evaluation.recognized:
                counts["recognized"] += 1

    lines.append(
        "model evaluations: {sets} criteria sets, {councils} councils, {evaluations} evaluations, "
        "{recognized} recognized, {honored} honored".format(**counts)
    )
