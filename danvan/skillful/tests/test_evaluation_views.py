"""The evaluation pages: criteria sets, councils, scoring, closing, proposing, commending."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.skillful.models import (
    Commendation,
    Council,
    CriteriaSet,
    Evaluation,
    Level,
    MobilizationModel,
    ModelStatus,
    Score,
)
from danvan.skillful.services_evaluation import model_propose, score_give
from danvan.skillful.tests.test_evaluation_services import (
    make_period,
    open_evaluation,
    setup,  # noqa: F401  (a fixture)
)

pytestmark = pytest.mark.django_db

Login = Callable[[Any], Client]


def formset_data(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
    return data


def criteria_post(name: str, period: Any, weight: str = "2") -> dict[str, Any]:
    return {
        "name": name,
        "period": period.pk,
        "level": Level.PROVINCE,
        **formset_data(
            "criteria",
            [
                {"name": "Sáng tạo", "weight": weight, "max_score": "10"},
                {"name": "Bền vững", "weight": "1", "max_score": "10"},
            ],
        ),
        **formset_data(
            "grades",
            [
                {"name": "Xuất sắc", "min_score": "90", "recognizes": "on"},
                {"name": "Không công nhận", "min_score": "0"},
            ],
        ),
    }


def test_provincial_staff_create_a_criteria_set_on_the_page(
    world: Any, provincial_staff: Any, login: Login
) -> None:
    client = login(provincial_staff)
    period = make_period(world)
    assert client.get(reverse("skillful:criteria_set_create")).status_code == 200
    response = client.post(reverse("skillful:criteria_set_create"), criteria_post("Bộ", period))
    assert response.status_code == 302
    created = CriteriaSet.objects.get()
    assert [c.weight for c in created.criteria.all()] == [Decimal(2), Decimal(1)]
    assert created.grades.get(name="Không công nhận").recognizes is False
    assert client.get(reverse("skillful:criteria_sets")).status_code == 200


def test_a_zero_weight_is_a_clear_400(
    world: Any, provincial_staff: Any, login: Login, english: None
) -> None:
    client = login(provincial_staff)
    response = client.post(
        reverse("skillful:criteria_set_create"), criteria_post("Bộ", make_period(world), "0")
    )
    assert response.status_code == 400
    assert "must be above zero" in response.content.decode()
    assert not CriteriaSet.objects.exists()


def test_a_commune_officer_may_not_manage_criteria(commune_officer: Any, login: Login) -> None:
    assert login(commune_officer).get(reverse("skillful:criteria_sets")).status_code == 403


def test_editing_a_set_after_scoring_began_is_a_400_and_changes_nothing(
    setup: dict[str, Any],  # noqa: F811
    commune_officer: Any,
    provincial_staff: Any,
    login: Login,
    english: None,
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    score_give(
        actor=Actor.of_user(setup["members"][0]),
        evaluation=evaluation,
        scores={setup["criteria"][0]: 5},
    )
    client = login(provincial_staff)
    url = reverse("skillful:criteria_set_edit", args=[setup["set"].pk])
    assert client.get(url).status_code == 200
    data = criteria_post("Đổi", setup["period"])
    response = client.post(url, data)
    assert response.status_code == 400
    assert "changed after scoring began" in response.content.decode()
    assert setup["set"].criteria.count() == 3


def test_staff_set_up_a_council_with_members_by_username(
    world: Any, provincial_staff: Any, commune_officer: Any, login: Login, english: None
) -> None:
    client = login(provincial_staff)
    period = make_period(world)
    data = {
        "name": "Hội đồng xã",
        "unit": world.anh_son.pk,
        "period": period.pk,
        "members": "xa, khongco",
    }
    response = client.post(reverse("skillful:councils"), data)
    assert response.status_code == 400
    assert "khongco" in response.content.decode()
    response = client.post(reverse("skillful:councils"), {**data, "members": "xa tinh"})
    assert response.status_code == 302
    council = Council.objects.get()
    assert council.level == Level.COMMUNE
    assert {m.username for m in council.members.all()} == {"xa", "tinh"}
    edit = client.post(
        reverse("skillful:council_edit", args=[council.pk]), {"name": "HĐ", "members": "xa"}
    )
    assert edit.status_code == 302
    assert list(council.members.values_list("username", flat=True)) == ["xa"]


def test_a_commune_officer_sees_councils_but_cannot_set_one_up(
    setup: dict[str, Any],  # noqa: F811
    commune_officer: Any,
    login: Login,
) -> None:
    client = login(commune_officer)
    response = client.get(reverse("skillful:councils"))
    assert response.status_code == 200
    assert setup["council"].name in response.content.decode()
    assert client.post(reverse("skillful:councils"), {"name": "x"}).status_code == 403


def test_members_score_on_the_page_without_seeing_each_other(
    setup: dict[str, Any],  # noqa: F811
    commune_officer: Any,
    leader: Any,
    login: Login,
    english: None,
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    first, second, _third = setup["members"]
    a, b, c = setup["criteria"]
    url = reverse("skillful:evaluation", args=[evaluation.pk])
    client = login(first)
    page = client.get(url)
    assert page.status_code == 200
    assert "Your scores" in page.content.decode()
    assert login(first).get(reverse("skillful:my_evaluations")).status_code == 200

    out_of_range = client.post(url, {f"score_{a.pk}": "11", f"score_{b.pk}": "5"})
    assert out_of_range.status_code == 400
    assert "between 0 and 10" in out_of_range.content.decode()
    assert not Score.objects.exists()

    saved = client.post(
        url,
        {
            f"score_{a.pk}": "7.75",
            f"comment_{a.pk}": "Sáng tạo thật",
            f"score_{b.pk}": "6",
            f"score_{c.pk}": "15",
        },
    )
    assert saved.status_code == 302
    twice = client.post(url, {f"score_{a.pk}": "9"})
    assert twice.status_code == 400
    assert "already scored" in twice.content.decode()
    assert Score.objects.get(member=first, criterion=a).value == Decimal("7.75")

    other = login(second).get(url).content.decode()
    assert "7,75" not in other and "7.75" not in other and "Sáng tạo thật" not in other

    leader_client = login(leader)
    assert "7,75" not in leader_client.get(url).content.decode()
    for member in setup["members"][1:]:
        score_give(actor=Actor.of_user(member), evaluation=evaluation, scores={a: 8, b: 7, c: 18})
    closed = leader_client.post(reverse("skillful:evaluation_close", args=[evaluation.pk]))
    assert closed.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.closed_at is not None
    in_vietnamese = login(second)
    del in_vietnamese.cookies["django_language"]  # the site's own language
    after = in_vietnamese.get(url).content.decode()
    assert "7,75" in after and "Sáng tạo thật" in after  # Vietnamese decimal comma


def test_someone_outside_the_council_cannot_score(
    setup: dict[str, Any],  # noqa: F811
    commune_officer: Any,
    login: Login,
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    url = reverse("skillful:evaluation", args=[evaluation.pk])
    client = login(commune_officer)
    assert client.get(url).status_code == 200
    assert client.post(url, {f"score_{setup['criteria'][0].pk}": "5"}).status_code == 403


def test_nobody_does_not_see_an_evaluation(
    setup: dict[str, Any],  # noqa: F811
    commune_officer: Any,
    nobody: Any,
    login: Login,
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    url = reverse("skillful:evaluation", args=[evaluation.pk])
    assert login(nobody).get(url).status_code == 404


def test_a_commune_officer_cannot_close(
    setup: dict[str, Any],  # noqa: F811
    commune_officer: Any,
    login: Login,
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    url = reverse("skillful:evaluation_close", args=[evaluation.pk])
    assert login(commune_officer).post(url).status_code == 403


def test_proposing_above_the_units_level_is_a_clear_400(
    setup: dict[str, Any],  # noqa: F811
    commune_officer: Any,
    login: Login,
    english: None,
) -> None:
    model = setup["model"]
    client = login(commune_officer)
    url = reverse("skillful:model_propose", args=[model.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"to_level": Level.PROVINCE, "version": model.version})
    assert response.status_code == 400
    assert "above its unit&#x27;s" in response.content.decode()
    stale = client.post(url, {"to_level": Level.COMMUNE, "version": model.version + 5})
    assert stale.status_code == 409
    response = client.post(url, {"to_level": Level.COMMUNE, "version": model.version})
    assert response.status_code == 302
    assert MobilizationModel.objects.get(pk=model.pk).status == ModelStatus.PROPOSED


def test_a_commune_officer_puts_a_proposed_model_before_the_commune_council(
    setup: dict[str, Any],  # noqa: F811
    commune_officer: Any,
    login: Login,
) -> None:
    model = model_propose(
        actor=Actor.of_user(commune_officer), model=setup["model"], to_level=Level.COMMUNE
    )
    client = login(commune_officer)
    panel = client.get(reverse("skillful:model_evaluation", args=[model.pk])).content.decode()
    assert reverse("skillful:evaluation_open", args=[model.pk]) in panel
    response = client.post(
        reverse("skillful:evaluation_open", args=[model.pk]),
        {"council": setup["council"].pk, "version": model.version},
    )
    evaluation = Evaluation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("skillful:evaluation", args=[evaluation.pk])


def test_a_leader_records_a_commendation_for_a_recognized_model(
    setup: dict[str, Any],  # noqa: F811
    leader: Any,
    login: Login,
) -> None:
    model = setup["model"]
    MobilizationModel.objects.filter(pk=model.pk).update(status=ModelStatus.RECOGNIZED)
    model.refresh_from_db()
    client = login(leader)
    panel = client.get(reverse("skillful:model_evaluation", args=[model.pk])).content.decode()
    url = reverse("skillful:commendation_record", args=[model.pk])
    assert url in panel
    assert client.get(url).status_code == 200
    data = {
        "decision_number": "45/QĐ-UBND",
        "decided_on": "2025-03-01",
        "issuer": "UBND xã Anh Sơn",
        "title": "Giấy khen",
        "level": Level.PROVINCE,
        "version": model.version,
    }
    assert client.post(url, data).status_code == 400  # above the level it is recognized at
    response = client.post(url, {**data, "level": Level.COMMUNE})
    assert response.status_code == 302
    assert Commendation.objects.get().decision_number == "45/QĐ-UBND"
    model.refresh_from_db()
    assert model.status == ModelStatus.HONORED
    panel = client.get(reverse("skillful:model_evaluation", args=[model.pk])).content.decode()
    assert "45/QĐ-UBND" in panel


def test_reviewers_see_the_formalism_flags_before_scoring(
    setup: dict[str, Any],  # noqa: F811
    commune_officer: Any,
    login: Login,
) -> None:
    from danvan.skillful.models import FlagKind, FormalismFlag

    evaluation = open_evaluation(setup, commune_officer)
    FormalismFlag.objects.create(
        model=setup["model"],
        kind=FlagKind.NO_EVIDENCE,
        legacy_reason="Không có ảnh hay tài liệu nào.",
    )
    page = login(setup["members"][0]).get(reverse("skillful:evaluation", args=[evaluation.pk]))
    content = page.content.decode()
    assert "Không có ảnh hay tài liệu nào." in content
    assert content.index("Không có ảnh hay tài liệu nào.") < content.index('name="score_')


def test_the_lists_read_a_constant_number_of_queries(
    setup: dict[str, Any],  # noqa: F811
    commune_officer: Any,
    provincial_staff: Any,
    leader: Any,
    login: Login,
    django_assert_max_num_queries: Any,
) -> None:
    evaluation = open_evaluation(setup, commune_officer)
    member = login(setup["members"][0])
    staff = login(provincial_staff)
    boss = login(leader)
    with django_assert_max_num_queries(12):
        assert member.get(reverse("skillful:my_evaluations")).status_code == 200
    with django_assert_max_num_queries(12):
        assert boss.get(reverse("skillful:my_evaluations")).status_code == 200
    with django_assert_max_num_queries(14):
        assert staff.get(reverse("skillful:councils")).status_code == 200
    with django_assert_max_num_queries(12):
        assert staff.get(reverse("skillful:criteria_sets")).status_code == 200
    assert evaluation.pk


def test_putting_a_model_before_a_council_says_when_none_can_take_it(
    world: Any, commune_officer: Any, login: Login
) -> None:
    from danvan.skillful.tests.test_evaluation_services import make_model

    model = make_model(world, make_period(world), status=ModelStatus.PROPOSED)
    page = login(commune_officer).get(reverse("skillful:evaluation_open", args=[model.pk]))
    assert page.status_code == 200
    assert 'class="message message-warning"' in page.content.decode()
    assert reverse("skillful:councils") in page.content.decode()
