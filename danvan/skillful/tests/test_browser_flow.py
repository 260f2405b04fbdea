"""The issue's "Done when" flow in headless Chromium, over real HTTP.

A commune officer registers a model through the form and reports its indicators twice; the
commune council scores it and the leader closes the evaluation; the officer proposes it to the
province, the provincial council scores it and the leader closes; the leader records the
commendation; anyone sees it on the public showcase, on a phone. Then another commune registers
the same content under another name, and the reviewer sees it flagged as a near-duplicate of the
first, with a link to it, and dismisses it with a note that the nightly run keeps.

The registry's services run the checks of the model they change; the test also runs
``manage.py check_models`` where the nightly job would, to show it keeps a dismissal.

A second test: provincial staff create an emulation period with its yearly rounds in the browser,
are refused an overlapping one, and go from the period to setting its criteria.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

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

PARTS = {
    "situation": (
        "Đường giao thông nội đồng xuống cấp, lầy lội vào mùa mưa. Nhiều hộ đi lại khó khăn."
    ),
    "goals": "Bê tông hóa toàn bộ đường nội đồng. Mỗi hộ hiến đất và góp ngày công.",
    "content": (
        "Chi bộ họp bàn, phân công đảng viên phụ trách từng nhóm hộ. Tổ dân vận đến từng nhà "
        "vận động hiến đất, tháo dỡ tường rào. Công khai danh sách đóng góp tại nhà văn hóa."
    ),
    "area_and_target": "Các hộ dân có đất dọc tuyến đường nội đồng.",
    "forces": "Chi bộ, ban công tác Mặt trận, chi hội phụ nữ, chi đoàn thanh niên.",
    "resources": "Nhân dân góp ngày công, ngân sách xã hỗ trợ xi măng.",
    "expected_outputs": "Hoàn thành 2.000 m đường bê tông, 40 hộ hiến đất.",
    "sustainability": "Tổ tự quản duy tu đường, nhân rộng ra các xóm khác.",
}
NAME = "Dân vận khéo làm đường nội đồng"


def _register(page: Any, base: str, unit: Any, body: Any, period: Any, name: str) -> str:
    page.goto(f"{base}/models/register/?unit={unit.code}")
    page.fill("#id_name", name)
    page.select_option("#id_holder", "collective")
    page.select_option("#id_field", "economy")
    page.select_option("#id_period", str(period.pk))
    page.fill("#id_year", "2025")
    page.select_option("#id_lead_body", str(body.pk))
    for part, text in PARTS.items():
        page.fill(f"#id_{part}", text)
    page.fill("#id_starts_on", "2025-01-15")
    page.fill("#id_ind-0-name", "Hộ hiến đất")
    page.fill("#id_ind-0-unit_of_measure", "hộ")
    page.fill("#id_ind-0-baseline", "0")
    page.fill("#id_ind-0-target", "40")
    page.locator("main form[method=post] button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/models/MH-[0-9A-Za-z-]+/$"))
    return str(page.url.rstrip("/").rsplit("/", 1)[-1])


def _score_and_close(officer_page: Any, leader_page: Any, base: str, evaluation: Any) -> None:
    url = f"{base}/models/evaluations/{evaluation.pk}/"
    if officer_page.url != url:
        officer_page.goto(url)
    criteria = list(evaluation.criteria_set.criteria.all())
    for criterion in criteria:
        officer_page.fill(f"#id_score_{criterion.pk}", str(criterion.max_score))
    # The scoring form, not a flag's "dismiss" form that the page shows above it.
    officer_page.locator(f"form:has(#id_score_{criteria[0].pk}) button[type=submit]").click()
    expect(officer_page).to_have_url(url)
    leader_page.goto(url)
    leader_page.locator(
        f"form[action$='/models/evaluations/{evaluation.pk}/close/'] button"
    ).click()
    expect(leader_page).to_have_url(url)


def test_a_model_goes_from_registration_to_the_showcase_and_a_copy_is_flagged(
    world: Any,
    provincial_staff: Any,
    live_server: Any,
    new_page: Any,
    with_password: Any,
) -> None:
    from django.core.management import call_command

    from danvan.audit.context import Actor
    from danvan.lib.roles import Role
    from danvan.organizations.services import membership_add
    from danvan.skillful.models import Evaluation, FlagKind, Level, MobilizationModel
    from danvan.skillful.services_criteria import council_create
    from danvan.skillful.tests.test_evaluation_services import make_period, three_criteria_set

    officer = with_password("commune_officer")
    leader = with_password("leader")
    staff = Actor.of_user(provincial_staff)
    period = make_period(world)
    three_criteria_set(staff, world, period, Level.COMMUNE)
    three_criteria_set(staff, world, period, Level.PROVINCE)
    commune_council = council_create(
        actor=staff,
        unit=world.anh_son,
        level=Level.COMMUNE,
        period=period,
        name="Hội đồng thi đua xã Anh Sơn",
        members=[officer],
    )
    province_council = council_create(
        actor=staff,
        unit=world.nghe_an,
        level=Level.PROVINCE,
        period=period,
        name="Hội đồng thi đua tỉnh Nghệ An",
        members=[leader],
    )
    base = live_server.url

    # The commune officer registers the model and reports its indicator twice.
    page = new_page(viewport={"width": 1280, "height": 800})
    log_in(page, base, officer)
    code = _register(page, base, world.anh_son, world.anh_son_body, period, NAME)
    model = MobilizationModel.objects.get(code=code)
    indicator = model.indicators.get()
    # Before any report the officer corrects the indicator's target.
    page.goto(f"{base}/models/{code}/")
    page.locator(f"[data-testid=indicator-edit-{indicator.pk}]").click()
    page.fill("#id_ind-target", "45")
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(f"{base}/models/{code}/")
    indicator.refresh_from_db()
    assert indicator.target == 45
    for label, value in (("2025-H1", "15"), ("2025-H2", "32")):
        page.goto(f"{base}/models/{code}/")
        page.locator("details:has(form[action$='/report/']) > summary").click()
        form = page.locator("form[action$='/report/']")
        form.locator("[name=indicator]").select_option(str(indicator.pk))
        form.locator("[name=period_label]").fill(label)
        form.locator("[name=value]").fill(value)
        form.locator("button[type=submit]").click()
        expect(page).to_have_url(f"{base}/models/{code}/")
    assert list(indicator.reports.values_list("value", flat=True)) == [15, 32]

    # Proposed at the commune, scored by the commune council, closed by the leader.
    desk = new_page(viewport={"width": 1280, "height": 800})
    log_in(desk, base, leader)
    page.goto(f"{base}/models/evaluations/model/{model.pk}/propose/")
    page.select_option("#id_to_level", Level.COMMUNE)
    page.locator("main form button[type=submit]").click()
    page.goto(f"{base}/models/evaluations/model/{model.pk}/open/")
    page.select_option("#id_council", str(commune_council.pk))
    page.locator("main form button[type=submit]").click()
    _score_and_close(page, desk, base, Evaluation.objects.get(model=model))
    model.refresh_from_db()
    assert model.status == "recognized" and model.current_level == Level.COMMUNE

    # Proposed to the province; the provincial council (the leader) scores it and closes.
    page.goto(f"{base}/models/evaluations/model/{model.pk}/propose/")
    page.select_option("#id_to_level", Level.PROVINCE)
    page.locator("main form button[type=submit]").click()
    desk.goto(f"{base}/models/evaluations/model/{model.pk}/open/")
    desk.select_option("#id_council", str(province_council.pk))
    desk.locator("main form button[type=submit]").click()
    evaluation = Evaluation.objects.get(model=model, council=province_council)
    _score_and_close(desk, desk, base, evaluation)
    model.refresh_from_db()
    assert model.status == "recognized" and model.current_level == Level.PROVINCE

    # The leader records the commendation: the model is honored.
    desk.goto(f"{base}/models/evaluations/model/{model.pk}/commend/")
    desk.fill("#id_decision_number", "1234/QĐ-UBND")
    desk.fill("#id_decided_on", "2025-12-20")
    desk.fill("#id_issuer", "UBND tỉnh Nghệ An")
    desk.fill("#id_title", "Bằng khen")
    desk.select_option("#id_level", Level.PROVINCE)
    desk.locator("main form button[type=submit]").click()
    model.refresh_from_db()
    assert model.status == "honored"

    # Anyone, on a phone, finds it on the showcase of Nghệ An.
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(f"{base}/mo-hinh/")
    phone.select_option("#province-picker", world.nghe_an.code)
    phone.locator("main form button[type=submit]").click()
    expect(phone).to_have_url(f"{base}/mo-hinh/{world.nghe_an.code}/")
    shown = phone.locator("[data-testid=showcase-model]")
    expect(shown).to_have_count(1)
    expect(shown).to_contain_text(NAME)
    expect(shown).to_contain_text("1234/QĐ-UBND")
    expect(shown).to_contain_text("Xã Anh Sơn")
    expect(phone.locator("main")).not_to_contain_text(officer.full_name)
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "skillful-showcase-phone.png"), full_page=True)

    # Another commune registers the same content under another name: flagged.
    other = with_password("nobody")
    membership_add(
        actor=Actor.system("test"),
        user=other,
        body=world.muong_xen_body,
        role=Role.COMMUNE_OFFICER,
        position="Chuyên viên",
    )
    copy_page = new_page(viewport={"width": 1280, "height": 800})
    log_in(copy_page, base, other)
    copy_code = _register(
        copy_page, base, world.muong_xen, world.muong_xen_body, period, "Đường đẹp bản em"
    )
    call_command("check_models")
    copy = MobilizationModel.objects.get(code=copy_code)
    assert copy.flags.filter(kind=FlagKind.NEAR_DUPLICATE, other=model).exists()
    desk.goto(f"{base}/models/{copy_code}/")
    flag = desk.locator("[data-testid=flag-near_duplicate]")
    expect(flag).to_contain_text(code)
    expect(flag.locator(f"a[href='/models/{code}/']")).to_have_count(1)

    # The reviewer, having checked, dismisses it with a note; the nightly run keeps it dismissed.
    flag.locator("summary").click()
    flag.locator("textarea[name=note]").fill("Hai xã cùng học tập mô hình của tỉnh, đã xác minh")
    flag.locator("button[type=submit]").click()
    expect(desk).to_have_url(f"{base}/models/{copy_code}/")
    expect(desk.locator("[data-testid=flag-near_duplicate]")).to_have_count(0)
    expect(desk.locator("[data-testid=formalism-flags]")).to_contain_text("đã xác minh")
    call_command("check_models")
    dismissed = copy.flags.get(kind=FlagKind.NEAR_DUPLICATE)
    assert dismissed.dismissed_at is not None


def test_provincial_staff_create_a_period_with_rounds_and_set_its_criteria(
    world: Any, live_server: Any, new_page: Any, with_password: Any
) -> None:
    from danvan.skillful.models import EmulationPeriod

    staff = with_password("provincial_staff")
    base = live_server.url
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, base, staff)
    page.goto(f"{base}/models/periods/")
    form = page.locator("[data-testid=period-form]")
    form.locator("#id_province").select_option(world.nghe_an.code)
    form.locator("#id_name").fill("2026–2030")
    form.locator("#id_starts_on").fill("2026-01-01")
    form.locator("#id_ends_on").fill("2030-12-31")
    form.locator("button[type=submit]").click()
    period = EmulationPeriod.objects.get()
    expect(page).to_have_url(f"{base}/models/periods/{period.pk}/")
    expect(page.locator("[data-testid=rounds] tbody tr")).to_have_count(5)

    page.goto(f"{base}/models/periods/")
    form = page.locator("[data-testid=period-form]")
    form.locator("#id_name").fill("2028–2032")
    form.locator("#id_starts_on").fill("2028-01-01")
    form.locator("#id_ends_on").fill("2032-12-31")
    form.locator("button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("2026–2030")
    expect(page.locator(".field.has-error")).to_have_count(1)
    assert EmulationPeriod.objects.count() == 1

    page.goto(f"{base}/models/periods/{period.pk}/")
    page.locator("main a[href*='level=commune']").click()
    expect(page).to_have_url(re.compile(r"/models/criteria/new/"))
    expect(page.locator("#id_period")).to_have_value(str(period.pk))
    expect(page.locator("#id_level")).to_have_value("commune")
