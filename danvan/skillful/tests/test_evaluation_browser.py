"""A commune council evaluates a model in headless Chromium, over real HTTP.

The commune officer proposes the model and puts it before the commune council on a desktop, then
scores it; a village member of the council scores it on a phone without seeing the officer's
scores; the leader closes the evaluation and the weighted result is the one worked out by hand.
"""

from __future__ import annotations

from typing import Any

import pytest

# The helpers of the browser tests (and their module-level skip when Chromium is missing).
from danvan.web.tests.test_browser import (
    ARTIFACTS,
    PHONE,
    expect,
    log_in,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "reference_data_left_in_place"),
]


def test_a_commune_council_scores_a_model_and_the_leader_closes_it(
    world: Any,
    provincial_staff: Any,
    live_server: Any,
    new_page: Any,
    with_password: Any,
) -> None:
    from danvan.audit.context import Actor
    from danvan.skillful.models import Evaluation, Level, MobilizationModel, ModelStatus
    from danvan.skillful.services_criteria import council_create
    from danvan.skillful.tests.test_evaluation_services import (
        make_model,
        make_period,
        three_criteria_set,
    )

    officer = with_password("commune_officer")
    member = with_password("village_member")
    leader = with_password("leader")
    staff = Actor.of_user(provincial_staff)
    period = make_period(world)
    criteria_set = three_criteria_set(staff, world, period, Level.COMMUNE)
    first, second, third = criteria_set.criteria.all()
    council = council_create(
        actor=staff,
        unit=world.anh_son,
        level=Level.COMMUNE,
        period=period,
        name="Hội đồng thi đua xã Anh Sơn",
        members=[officer, member],
    )
    model = make_model(world, period)
    base = live_server.url

    # The commune officer, on a desktop: propose, put before the council, score.
    page = new_page(viewport={"width": 1280, "height": 800})
    log_in(page, base, officer)
    page.goto(f"{base}/models/evaluations/model/{model.pk}/")
    page.locator(f"a[href$='/models/evaluations/model/{model.pk}/propose/']").click()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/models/{model.code}/")  # the model page, with the panel
    page.locator(f"a[href$='/models/evaluations/model/{model.pk}/open/']").click()
    page.select_option("#id_council", str(council.pk))
    page.locator("main form button[type=submit]").click()
    evaluation = Evaluation.objects.get(model=model)
    url = f"{base}/models/evaluations/{evaluation.pk}/"
    expect(page).to_have_url(url)
    page.fill(f"#id_score_{first.pk}", "8")
    page.fill(f"#id_score_{second.pk}", "6")
    page.fill(f"#id_score_{third.pk}", "20")
    page.fill(f"#id_comment_{first.pk}", "Cách làm sáng tạo")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(url)

    # The village member, on a phone: sees the model in "My evaluations", not the officer's scores.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(phone, base, member)
    phone.goto(f"{base}/models/evaluations/")
    phone.locator(f"a[href$='/models/evaluations/{evaluation.pk}/']").first.click()
    expect(phone).to_have_url(url)
    expect(phone.locator("main")).not_to_contain_text("Cách làm sáng tạo")
    phone.fill(f"#id_score_{first.pk}", "9")
    phone.fill(f"#id_score_{second.pk}", "7")
    phone.fill(f"#id_score_{third.pk}", "18")
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(url)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "skillful-scoring-phone.png"), full_page=True)

    # The leader closes: means 8.5/10, 6.5/10, 19/20 weighted 3:2:1 → 80.00, "Tốt".
    desk = new_page(viewport={"width": 1280, "height": 800})
    log_in(desk, base, leader)
    desk.goto(url)
    desk.locator(f"form[action$='/models/evaluations/{evaluation.pk}/close/'] button").click()
    expect(desk).to_have_url(url)
    expect(desk.locator("main .stat")).to_contain_text("80,00")
    expect(desk.locator("main .stat")).to_contain_text("Tốt")
    expect(desk.locator("main")).to_contain_text("Cách làm sáng tạo")
    model.refresh_from_db()
    assert model.status == ModelStatus.RECOGNIZED
    assert MobilizationModel.objects.get(pk=model.pk).current_level == Level.COMMUNE
