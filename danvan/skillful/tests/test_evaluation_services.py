"""Criteria sets, councils and the lifecycle services of the evaluation part."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.skillful.models import (
    CriteriaSet,
    Criterion,
    EmulationPeriod,
    Evaluation,
    Field,
    GradeThreshold,
    Holder,
    Level,
    MobilizationModel,
    ModelStatus,
    Score,
)
from danvan.skillful.services_common import StaleModelError
from danvan.skillful.services_criteria import (
    CriterionSpec,
    GradeSpec,
    council_create,
    criteria_set_create,
    criteria_set_update,
)
from danvan.skillful.services_evaluation import (
    aggregate,
    commendation_record,
    evaluation_close,
    evaluation_open,
    model_propose,
    score_give,
    scores_visible_to,
)

pytestmark = pytest.mark.django_db

GRADES = [
    GradeSpec("Xuất sắc", Decimal(90)),
    GradeSpec("Tốt", Decimal(75)),
    GradeSpec("Không công nhận", Decimal(0), recognizes=False),
]


def make_period(world: Any) -> EmulationPeriod:
    return EmulationPeriod.objects.create(
        name="2021–2025",
        starts_on=datetime.date(2021, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        province=world.nghe_an,
    )


def make_model(world: Any, period: EmulationPeriod, **extra: Any) -> MobilizationModel:
    fields: dict[str, Any] = {
        "code": f"MH-T-{MobilizationModel.objects.count() + 1}",
        "name": "Dân vận khéo trong hiến đất làm đường",
        "holder": Holder.COLLECTIVE,
        "field": Field.ECONOMY,
        "level": Level.COMMUNE,
        "current_level": Level.COMMUNE,
        "unit": world.anh_son,
        "period": period,
        "year": 2024,
        "lead_body": world.anh_son_body,
        "situation": "Đường xóm hẹp",
        "goals": "Mở rộng đường",
        "content": "Vận động hiến đất",
        "area_and_target": "Xóm 1",
        "forces": "Tổ dân vận",
        "resources": "Nhân dân đóng góp",
        "starts_on": datetime.date(2024, 1, 1),
        "expected_outputs": "2 km đường",
        "sustainability": "Nhân rộng ra các xóm",
        "status": ModelStatus.UNDER_WAY,
    }
    fields.update(extra)
    return MobilizationModel.objects.create(**fields)


def members(count: int) -> list[Any]:
    return [
        get_user_model().objects.create_user(
            username=f"hoidong{i}", password=None, full_name=f"Thành viên {i}"
        )
        for i in range(count)
    ]


def three_criteria_set(
    actor: Actor, world: Any, period: EmulationPeriod, level: str
) -> CriteriaSet:
    return criteria_set_create(
        actor=actor,
        province=world.nghe_an,
        period=period,
        level=level,
        name=f"Tiêu chí {level}",
        criteria=[
            CriterionSpec("Sáng tạo, tiết kiệm", Decimal(3), 10),
            CriterionSpec("Huy động nhiều lực lượng", Decimal(2), 10),
            CriterionSpec("Bền vững", Decimal(1), 20),
        ],
        grades=GRADES,
    )


@pytest.fixture
def setup(world: Any, provincial_staff: Any) -> dict[str, Any]:
    staff = Actor.of_user(provincial_staff)
    period = make_period(world)
    criteria_set = three_criteria_set(staff, world, period, Level.COMMUNE)
    council_members = members(3)
    council = council_create(
        actor=staff,
        unit=world.anh_son,
        level=Level.COMMUNE,
        period=period,
        name="Hội đồng thi đua xã Anh Sơn",
        members=council_members,
    )
    return {
        "staff": staff,
        "period": period,
        "set": criteria_set,
        "criteria": list(criteria_set.criteria.all()),
        "members": council_members,
        "council": council,
        "model": make_model(world, period),
    }


def open_evaluation(setup: dict[str, Any], commune_officer: Any) -> Evaluation:
    actor = Actor.of_user(commune_officer)
    model = model_propose(actor=actor, model=setup["model"], to_level=Level.COMMUNE)
    return evaluation_open(actor=actor, model=model, council=setup["council"])


def give_all(evaluation: Evaluation, setup: dict[str, Any], rows: list[list[int]]) -> None:
    for member, values in zip(setup["members"], rows, strict=True):
        score_give(
            actor=Actor.of_user(member),
            evaluation=evaluation,
            scores=dict(zip(setup["criteria"], values, strict=True)),
        )


# --- Aggregation --------------------------------------------------------------------------------


def test_three_members_with_unequal_weights_aggregate_to_the_hand_computed_score(
    setup: dict[str, Any], commune_officer: Any, leader: Any
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    # Means: 8/10, 7/10, 18/20 → (0.8×3 + 0.7×2 + 0.9×1) / 6 × 100 = 78.33
    give_all(evaluation, setup, [[8, 6, 20], [9, 7, 18], [7, 8, 16]])
    closed = evaluation_close(actor=Actor.of_user(leader), evaluation=evaluation)
    assert closed.score == Decimal("78.33")
    assert closed.grade == "Tốt"
    assert closed.recognized is True
    model = MobilizationModel.objects.get(pk=setup["model"].pk)
    assert model.status == ModelStatus.RECOGNIZED
    actions = list(
        AuditEntry.objects.filter(action__startswith="skillful.").values_list("action", flat=True)
    )
    assert "skillful.model.evaluated" in actions
    assert "skillful.evaluation.close" in actions


def test_a_score_below_every_recognizing_grade_is_not_recognized(
    setup: dict[str, Any], commune_officer: Any, leader: Any
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    give_all(evaluation, setup, [[5, 5, 10], [5, 5, 10], [5, 5, 10]])
    closed = evaluation_close(actor=Actor.of_user(leader), evaluation=evaluation)
    assert closed.score == Decimal("50.00")
    assert closed.grade == "Không công nhận"
    assert closed.recognized is False
    assert MobilizationModel.objects.get(pk=setup["model"].pk).status == (
        ModelStatus.NOT_RECOGNIZED
    )


def test_weights_are_normalised_to_one_hundred() -> None:
    a = Criterion(pk=1, name="a", weight=Decimal(40), max_score=10)
    b = Criterion(pk=2, name="b", weight=Decimal(60), max_score=5)
    scores = [
        Score(criterion_id=1, value=Decimal(10)),
        Score(criterion_id=2, value=Decimal(5)),
        Score(criterion_id=2, value=Decimal(4)),
    ]
    grades = [GradeThreshold(name="Xuất sắc", min_score=Decimal(90))]
    result = aggregate([a, b], scores, grades)
    # 1.0×40 + 0.9×60 = 94
    assert result.score == Decimal("94.00")
    assert result.grade is not None and result.grade.name == "Xuất sắc"


def test_the_highest_threshold_reached_is_the_grade() -> None:
    a = Criterion(pk=1, name="a", weight=Decimal(1), max_score=10)
    grades = [
        GradeThreshold(name="Tốt", min_score=Decimal(75)),
        GradeThreshold(name="Xuất sắc", min_score=Decimal(90)),
        GradeThreshold(name="Không", min_score=Decimal(0), recognizes=False),
    ]

    def grade(value: str) -> str:
        reached = aggregate([a], [Score(criterion_id=1, value=Decimal(value))], grades).grade
        return reached.name if reached else ""

    assert grade("9") == "Xuất sắc"
    assert grade("8.9") == "Tốt"
    assert grade("0") == "Không"


# --- Bad input ------------------------------------------------------------------------------------


def test_a_score_out_of_range_is_refused_and_nothing_is_saved(
    setup: dict[str, Any], commune_officer: Any, english: None
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    first, second, _third = setup["criteria"]
    with pytest.raises(ValidationError, match="between 0 and 10"):
        score_give(
            actor=Actor.of_user(setup["members"][0]),
            evaluation=evaluation,
            scores={first: 8, second: 11},
        )
    with pytest.raises(ValidationError, match="between 0 and 10"):
        score_give(
            actor=Actor.of_user(setup["members"][0]), evaluation=evaluation, scores={first: -1}
        )
    assert not Score.objects.exists()
    assert CriteriaSet.objects.get(pk=setup["set"].pk).locked_at is None


def test_a_member_scoring_twice_is_refused_and_the_first_score_kept(
    setup: dict[str, Any], commune_officer: Any, english: None
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    first = setup["criteria"][0]
    member = Actor.of_user(setup["members"][0])
    score_give(actor=member, evaluation=evaluation, scores={first: 7}, comments={first: "Tốt"})
    with pytest.raises(ValidationError, match="already scored"):
        score_give(actor=member, evaluation=evaluation, scores={first: 10})
    score = Score.objects.get()
    assert (score.value, score.comment) == (Decimal(7), "Tốt")


def test_only_council_members_score(
    setup: dict[str, Any], commune_officer: Any, leader: Any
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    with pytest.raises(PermissionDenied):
        score_give(
            actor=Actor.of_user(leader), evaluation=evaluation, scores={setup["criteria"][0]: 5}
        )


def test_criteria_changed_after_scoring_began_are_refused(
    setup: dict[str, Any], commune_officer: Any, english: None
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    score_give(
        actor=Actor.of_user(setup["members"][0]),
        evaluation=evaluation,
        scores={setup["criteria"][0]: 5},
    )
    assert CriteriaSet.objects.get(pk=setup["set"].pk).locked_at is not None
    with pytest.raises(ValidationError, match="changed after scoring began"):
        criteria_set_update(
            actor=setup["staff"],
            criteria_set=setup["set"],
            name="Khác",
            criteria=[CriterionSpec("Một", Decimal(1), 10)],
            grades=GRADES,
        )
    assert [c.weight for c in Criterion.objects.filter(criteria_set=setup["set"])] == [
        Decimal(3),
        Decimal(2),
        Decimal(1),
    ]


def test_criteria_can_be_changed_before_scoring(setup: dict[str, Any]) -> None:
    criteria_set_update(
        actor=setup["staff"],
        criteria_set=setup["set"],
        name="Bộ mới",
        criteria=[CriterionSpec("Một", Decimal(1), 10)],
        grades=GRADES,
    )
    assert list(
        Criterion.objects.filter(criteria_set=setup["set"]).values_list("name", flat=True)
    ) == ["Một"]


@pytest.mark.parametrize(
    ("criteria", "grades", "message"),
    [
        ([CriterionSpec("A", Decimal(0), 10)], GRADES, "must be above zero"),
        ([CriterionSpec("A", Decimal(-2), 10)], GRADES, "must be above zero"),
        ([], GRADES, "at least one criterion"),
        ([CriterionSpec("A", Decimal(1), 10)], [GradeSpec("X", Decimal(101))], "between 0 and 100"),
        ([CriterionSpec("A", Decimal(1), 10)], [], "at least one grade"),
    ],
)
def test_bad_criteria_sets_are_refused(
    world: Any,
    provincial_staff: Any,
    criteria: list[CriterionSpec],
    grades: list[GradeSpec],
    message: str,
    english: None,
) -> None:
    with pytest.raises(ValidationError, match=message):
        criteria_set_create(
            actor=Actor.of_user(provincial_staff),
            province=world.nghe_an,
            period=make_period(world),
            level=Level.PROVINCE,
            name="Bộ",
            criteria=criteria,
            grades=grades,
        )
    assert not CriteriaSet.objects.exists()


def test_only_provincial_staff_manage_criteria_sets(world: Any, commune_officer: Any) -> None:
    with pytest.raises(PermissionDenied):
        three_criteria_set(Actor.of_user(commune_officer), world, make_period(world), Level.COMMUNE)


def test_only_those_managing_bodies_create_councils(world: Any, commune_officer: Any) -> None:
    with pytest.raises(PermissionDenied):
        council_create(
            actor=Actor.of_user(commune_officer),
            unit=world.anh_son,
            level=Level.COMMUNE,
            period=make_period(world),
            name="Hội đồng",
            members=[commune_officer],
        )


def test_a_council_level_must_match_its_unit(world: Any, provincial_staff: Any) -> None:
    with pytest.raises(ValidationError):
        council_create(
            actor=Actor.of_user(provincial_staff),
            unit=world.anh_son,
            level=Level.PROVINCE,
            period=make_period(world),
            name="Hội đồng",
            members=[provincial_staff],
        )


def test_a_model_proposed_to_a_level_above_its_units_is_refused(
    world: Any, setup: dict[str, Any], commune_officer: Any, english: None
) -> None:
    actor = Actor.of_user(commune_officer)
    model = setup["model"]
    with pytest.raises(ValidationError, match="above its unit's"):
        model_propose(actor=actor, model=model, to_level=Level.PROVINCE)
    village_model = make_model(
        world,
        setup["period"],
        level=Level.VILLAGE,
        current_level=Level.VILLAGE,
    )
    with pytest.raises(ValidationError, match="above its unit's"):
        model_propose(actor=actor, model=village_model, to_level=Level.PROVINCE)
    assert MobilizationModel.objects.get(pk=model.pk).status == ModelStatus.UNDER_WAY


def test_a_model_at_the_province_cannot_go_higher(
    setup: dict[str, Any], commune_officer: Any, english: None
) -> None:
    model = setup["model"]
    model.status, model.current_level = ModelStatus.RECOGNIZED, Level.PROVINCE
    model.save()
    with pytest.raises(ValidationError, match="above its unit's"):
        model_propose(actor=Actor.of_user(commune_officer), model=model, to_level=Level.PROVINCE)


def test_a_stale_version_is_refused(setup: dict[str, Any], commune_officer: Any) -> None:
    with pytest.raises(StaleModelError):
        model_propose(
            actor=Actor.of_user(commune_officer),
            model=setup["model"],
            to_level=Level.COMMUNE,
            expected_version=setup["model"].version + 1,
        )


def test_a_council_must_be_at_the_models_level_and_cover_its_unit(
    world: Any, setup: dict[str, Any], commune_officer: Any, provincial_staff: Any
) -> None:
    actor = Actor.of_user(commune_officer)
    model = model_propose(actor=actor, model=setup["model"], to_level=Level.COMMUNE)
    muong_xen = council_create(
        actor=setup["staff"],
        unit=world.muong_xen,
        level=Level.COMMUNE,
        period=setup["period"],
        name="Hội đồng Mường Xén",
        members=[provincial_staff],
    )
    with pytest.raises((ValidationError, PermissionDenied)):
        evaluation_open(actor=Actor.of_user(provincial_staff), model=model, council=muong_xen)
    province = council_create(
        actor=setup["staff"],
        unit=world.nghe_an,
        level=Level.PROVINCE,
        period=setup["period"],
        name="Hội đồng tỉnh",
        members=[provincial_staff],
    )
    with pytest.raises(ValidationError):
        evaluation_open(actor=Actor.of_user(provincial_staff), model=model, council=province)
    assert not Evaluation.objects.exists()


def test_members_do_not_see_each_others_scores_until_closed(
    setup: dict[str, Any], commune_officer: Any, leader: Any
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    give_all(evaluation, setup, [[8, 6, 20], [9, 7, 18], [7, 8, 16]])
    first = setup["members"][0]
    assert {s.member_id for s in scores_visible_to(first, evaluation)} == {first.pk}
    assert scores_visible_to(leader, evaluation) == []
    evaluation_close(actor=Actor.of_user(leader), evaluation=evaluation)
    evaluation.refresh_from_db()
    assert len(scores_visible_to(first, evaluation)) == 9


def test_only_a_leader_closes(setup: dict[str, Any], commune_officer: Any) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    give_all(evaluation, setup, [[8, 6, 20], [9, 7, 18], [7, 8, 16]])
    with pytest.raises(PermissionDenied):
        evaluation_close(actor=Actor.of_user(commune_officer), evaluation=evaluation)


def test_the_full_lifecycle_from_commune_to_honored_at_the_province(
    world: Any, setup: dict[str, Any], commune_officer: Any, leader: Any, provincial_staff: Any
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    give_all(evaluation, setup, [[10, 9, 20], [9, 9, 18], [10, 10, 20]])
    evaluation_close(actor=Actor.of_user(leader), evaluation=evaluation)
    model = model_propose(
        actor=Actor.of_user(commune_officer), model=setup["model"], to_level=Level.PROVINCE
    )
    assert (model.status, model.current_level) == (ModelStatus.PROPOSED, Level.PROVINCE)
    provincial_set = three_criteria_set(setup["staff"], world, setup["period"], Level.PROVINCE)
    council = council_create(
        actor=setup["staff"],
        unit=world.nghe_an,
        level=Level.PROVINCE,
        period=setup["period"],
        name="Hội đồng tỉnh",
        members=[provincial_staff],
    )
    evaluation = evaluation_open(
        actor=Actor.of_user(provincial_staff), model=model, council=council
    )
    assert evaluation.criteria_set == provincial_set
    score_give(
        actor=Actor.of_user(provincial_staff),
        evaluation=evaluation,
        scores=dict(zip(provincial_set.criteria.all(), [10, 10, 19], strict=True)),
    )
    closed = evaluation_close(actor=Actor.of_user(leader), evaluation=evaluation)
    assert closed.grade == "Xuất sắc"
    commendation_record(
        actor=Actor.of_user(leader),
        model=model,
        decision_number="123/QĐ-UBND",
        decided_on=datetime.date(2025, 5, 19),
        issuer="UBND tỉnh Nghệ An",
        title="Bằng khen",
        level=Level.PROVINCE,
    )
    model.refresh_from_db()
    assert model.status == ModelStatus.HONORED
    assert model.commendations.get().decision_number == "123/QĐ-UBND"


def test_a_model_not_recognized_is_not_commended(
    setup: dict[str, Any], commune_officer: Any, leader: Any
) -> None:
    with pytest.raises(ValidationError):
        commendation_record(
            actor=Actor.of_user(leader),
            model=setup["model"],
            decision_number="1/QĐ",
            decided_on=datetime.date(2025, 1, 1),
            issuer="UBND xã",
            title="Giấy khen",
            level=Level.COMMUNE,
        )


def test_a_model_only_registered_is_not_proposed_before_it_reports(
    world: Any, setup: dict[str, Any], commune_officer: Any, english: None
) -> None:
    model = make_model(world, setup["period"], status=ModelStatus.REGISTERED)
    with pytest.raises(ValidationError, match="under way"):
        model_propose(actor=Actor.of_user(commune_officer), model=model, to_level=Level.COMMUNE)
