"""The registry's pages, per role."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from danvan.audit.context import Actor
from danvan.skillful.models import Evidence, Holder, IndicatorReport, Level, MobilizationModel
from danvan.skillful.models import Field as ModelField
from danvan.skillful.services_registry import (
    CommendationInput,
    IndicatorInput,
    model_record_existing,
)
from danvan.skillful.tests.factories_registry import PARTS_TEXT, make_period, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Login = Callable[[Any], Client]


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 0)).save(buffer, format="PNG")
    return SimpleUploadedFile("anh.png", buffer.getvalue(), content_type="image/png")


def registration_post(world: Any, period: Any, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "unit": world.anh_son.code,
        "name": "Dân vận khéo xây dựng đường giao thông nông thôn",
        "holder": Holder.COLLECTIVE,
        "field": ModelField.ECONOMY,
        "period": period.pk,
        "year": 2026,
        "lead_body": world.anh_son_body.pk,
        "partner_bodies": [world.province_body.pk],
        "starts_on": "2026-03-01",
        "ends_on": "",
        **PARTS_TEXT,
        "ind-TOTAL_FORMS": 3,
        "ind-INITIAL_FORMS": 0,
        "ind-MIN_NUM_FORMS": 0,
        "ind-MAX_NUM_FORMS": 20,
        "ind-0-name": "Hộ hiến đất",
        "ind-0-unit_of_measure": "hộ",
        "ind-0-baseline": "0",
        "ind-0-target": "40",
        "ind-1-name": "Đường bê tông",
        "ind-1-unit_of_measure": "m",
        "ind-1-baseline": "0",
        "ind-1-target": "2000",
    }
    data.update(overrides)
    return data


def test_a_commune_officer_registers_a_model_through_the_form(
    world: Any, commune_officer: Any, login: Login
) -> None:
    period = make_period()
    client = login(commune_officer)
    assert client.get("/models/register/").status_code == 200
    response = client.post("/models/register/", registration_post(world, period))
    model = MobilizationModel.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/models/{model.code}/"
    assert model.level == Level.COMMUNE and model.indicators.count() == 2
    assert list(model.partner_bodies.all()) == [world.province_body]
    page = client.get(f"/models/{model.code}/")
    assert page.status_code == 200
    assert "Hộ hiến đất" in page.content.decode()


def test_a_bad_registration_comes_back_with_what_was_typed(
    world: Any, commune_officer: Any, login: Login
) -> None:
    period = make_period()
    client = login(commune_officer)
    response = client.post(
        "/models/register/",
        registration_post(world, period, year=2040, goals="", **{"ind-2-name": "Thiếu đơn vị"}),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Dân vận khéo xây dựng đường giao thông nông thôn" in html
    assert not MobilizationModel.objects.exists()


def test_a_service_refusal_shows_on_the_form(
    world: Any, commune_officer: Any, login: Login
) -> None:
    period = make_period()
    response = login(commune_officer).post(
        "/models/register/", registration_post(world, period, year=2031)
    )
    assert response.status_code == 400
    assert "yearly round must be a year of the period" in response.content.decode()


def test_an_observer_cannot_register(world: Any, observer: Any, login: Login) -> None:
    make_period()
    assert login(observer).get("/models/register/").status_code == 403


def test_registering_for_a_unit_out_of_scope_is_refused(
    world: Any, commune_officer: Any, login: Login
) -> None:
    response = login(commune_officer).get("/models/register/?unit=16813")
    assert response.status_code == 400


def test_a_commune_officer_sees_only_their_communes_models(
    world: Any, commune_officer: Any, provincial_staff: Any, login: Login
) -> None:
    period = make_period()
    mine = register(world, None, period=period)
    theirs = register(
        world, None, period=period, unit=world.muong_xen, lead_body=world.muong_xen_body
    )
    html = login(commune_officer).get("/models/").content.decode()
    assert mine.code in html and theirs.code not in html
    assert login(commune_officer).get(f"/models/{theirs.code}/").status_code == 404
    staff = login(provincial_staff).get("/models/").content.decode()
    assert mine.code in staff and theirs.code in staff


def test_nobody_sees_nothing(world: Any, nobody: Any, login: Login) -> None:
    model = register(world, None)
    client = login(nobody)
    assert model.code not in client.get("/models/").content.decode()
    assert client.get(f"/models/{model.code}/").status_code == 404


def test_the_list_filters(world: Any, provincial_staff: Any, login: Login) -> None:
    period = make_period()
    economy = register(world, None, period=period)
    culture = register(
        world, None, period=period, field=ModelField.CULTURE_SOCIETY, name="Xóm văn hóa"
    )
    client = login(provincial_staff)
    html = client.get("/models/?field=culture_society").content.decode()
    assert culture.code in html and economy.code not in html
    html = client.get("/models/?unit=16813").content.decode()
    assert culture.code not in html
    html = client.get("/models/?q=văn hóa").content.decode()
    assert culture.code in html and economy.code not in html
    assert client.get("/models/?status=nonsense").status_code == 200


def test_the_list_does_not_grow_queries_with_rows(
    world: Any, provincial_staff: Any, login: Login, django_assert_max_num_queries: Any
) -> None:
    period = make_period()
    for n in range(6):
        register(world, None, period=period, name=f"Mô hình {n}")
    client = login(provincial_staff)
    client.get("/models/")
    with django_assert_max_num_queries(15):
        client.get("/models/")


def test_reporting_a_value_with_evidence(
    world: Any, commune_officer: Any, login: Login, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    model = register(world, None)
    indicator = model.indicators.all()[0]
    client = login(commune_officer)
    response = client.post(
        f"/models/{model.code}/report/",
        {
            "indicator": indicator.pk,
            "period_label": "2026",
            "value": "20",
            "note": "Đã vận động 20 hộ",
            "file": png(),
            "caption": "Ảnh",
        },
    )
    assert response.status_code == 302
    assert IndicatorReport.objects.get().value == Decimal(20)
    evidence = Evidence.objects.get()
    page = client.get(f"/models/{model.code}/").content.decode()
    assert "50%" in page
    served = client.get(f"/models/{model.code}/evidence/{evidence.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"


def test_reporting_a_period_twice_answers_400(
    world: Any, commune_officer: Any, login: Login
) -> None:
    model = register(world, None)
    indicator = model.indicators.all()[0]
    client = login(commune_officer)
    data = {"indicator": indicator.pk, "period_label": "2026", "value": "20"}
    assert client.post(f"/models/{model.code}/report/", data).status_code == 302
    response = client.post(f"/models/{model.code}/report/", {**data, "value": "30"})
    assert response.status_code == 400
    assert "already has a value" in response.content.decode()
    assert IndicatorReport.objects.get().value == Decimal(20)


def test_an_observer_cannot_report(world: Any, observer: Any, login: Login) -> None:
    model = register(world, None)
    response = login(observer).post(
        f"/models/{model.code}/report/",
        {"indicator": model.indicators.all()[0].pk, "period_label": "2026", "value": "1"},
    )
    assert response.status_code == 403
    assert not IndicatorReport.objects.exists()


def test_a_bad_evidence_file_answers_400(world: Any, commune_officer: Any, login: Login) -> None:
    model = register(world, None)
    response = login(commune_officer).post(
        f"/models/{model.code}/evidence/",
        {"file": SimpleUploadedFile("x.jpg", b"not an image"), "caption": ""},
    )
    assert response.status_code == 400
    assert not Evidence.objects.exists()


def test_evidence_of_another_communes_model_is_not_served(
    world: Any, commune_officer: Any, login: Login, settings: Any, tmp_path: Any
) -> None:
    from danvan.skillful.services_reporting import evidence_add

    settings.MEDIA_ROOT = tmp_path
    model = register(world, None, unit=world.muong_xen, lead_body=world.muong_xen_body)
    evidence = evidence_add(actor=Actor.system("test"), model=model, upload=png())
    response = login(commune_officer).get(f"/models/{model.code}/evidence/{evidence.pk}/")
    assert response.status_code == 404


def test_adopting_an_honored_model(
    world: Any, system_actor: Actor, provincial_staff: Any, login: Login
) -> None:
    period = make_period()
    origin = model_record_existing(
        actor=system_actor,
        unit=world.anh_son,
        values={
            "name": "Dân vận khéo hiến đất",
            "holder": Holder.COLLECTIVE,
            "field": ModelField.ECONOMY,
            "level": Level.COMMUNE,
            "period": period,
            "year": 2026,
            "lead_body": world.anh_son_body,
            "starts_on": datetime.date(2026, 1, 5),
            **PARTS_TEXT,
        },
        indicators=[IndicatorInput("Hộ", "hộ", Decimal(0), Decimal(10))],
        status="honored",
        commendation=CommendationInput("9/QĐ", datetime.date(2026, 6, 1), "UBND tỉnh", "Bằng khen"),
    )
    client = login(provincial_staff)
    assert "Adopt this model" in client.get(f"/models/{origin.code}/").content.decode()
    form = client.get(f"/models/{origin.code}/adopt/?unit={world.muong_xen.pk}")
    assert form.status_code == 200
    response = client.post(
        f"/models/{origin.code}/adopt/",
        {
            "unit": world.muong_xen.pk,
            "lead_body": world.muong_xen_body.pk,
            "period": period.pk,
            "starts_on": "2026-07-01",
        },
    )
    adopted = MobilizationModel.objects.get(origin=origin)
    assert response.status_code == 302
    assert adopted.unit == world.muong_xen
    assert adopted.code in client.get(f"/models/{origin.code}/").content.decode()


def test_a_model_not_honored_cannot_be_adopted(
    world: Any, provincial_staff: Any, login: Login
) -> None:
    model = register(world, None)
    assert login(provincial_staff).get(f"/models/{model.code}/adopt/").status_code == 404


def test_the_menu_links_the_models(world: Any, commune_officer: Any, login: Login) -> None:
    assert 'href="/models/"' in login(commune_officer).get("/models/").content.decode()


def test_editing_the_registration(world: Any, commune_officer: Any, login: Login) -> None:
    model = register(world, None)
    client = login(commune_officer)
    page = client.get(f"/models/{model.code}/edit/")
    assert page.status_code == 200
    data = {
        **registration_post(world, model.period),
        "name": "Tên đã sửa",
        "version": model.version,
    }
    response = client.post(f"/models/{model.code}/edit/", data)
    assert response.status_code == 302
    model.refresh_from_db()
    assert model.name == "Tên đã sửa" and model.version == 2
    assert list(model.partner_bodies.all()) == [world.province_body]


def test_editing_a_stale_version_answers_409_and_keeps_the_change(
    world: Any, commune_officer: Any, login: Login
) -> None:
    model = register(world, None)
    client = login(commune_officer)
    data = {**registration_post(world, model.period), "version": 1}
    assert (
        client.post(f"/models/{model.code}/edit/", {**data, "name": "Lần một"}).status_code == 302
    )
    response = client.post(f"/models/{model.code}/edit/", {**data, "name": "Lần hai"})
    assert response.status_code == 409
    assert "Someone else changed this model" in response.content.decode()
    model.refresh_from_db()
    assert model.name == "Lần một"


def test_an_observer_cannot_edit(world: Any, observer: Any, login: Login) -> None:
    model = register(world, None)
    assert login(observer).get(f"/models/{model.code}/edit/").status_code == 403


@pytest.mark.usefixtures("english")
def test_the_model_page_reads_a_fixed_number_of_queries(
    world: Any,
    provincial_staff: Any,
    login: Login,
    django_assert_max_num_queries: Any,
) -> None:
    model = register(world, None)
    actor = Actor.system("test")
    from danvan.skillful.services_reporting import indicator_report

    for indicator in model.indicators.all():
        for label in ("2026-H1", "2026-H2"):
            indicator_report(actor=actor, indicator=indicator, period_label=label, value=5)
    client = login(provincial_staff)
    client.get(f"/models/{model.code}/")
    with django_assert_max_num_queries(40):
        assert client.get(f"/models/{model.code}/").status_code == 200


def test_the_pages_render_in_vietnamese(world: Any, commune_officer: Any, settings: Any) -> None:
    from django.test import Client as PlainClient

    from danvan.accounts.twofactor import two_factor_required

    model = register(world, None)
    client = PlainClient()
    client.force_login(commune_officer)
    assert not two_factor_required(commune_officer)
    for url in (
        "/models/",
        "/models/register/",
        f"/models/{model.code}/",
        f"/models/{model.code}/edit/",
        "/models/import/",
    ):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 200, url


def test_adding_an_indicator_from_the_model_page(
    world: Any, commune_officer: Any, login: Login
) -> None:
    model = register(world, None)
    client = login(commune_officer)
    data = {
        "new-name": "Số buổi họp dân",
        "new-unit_of_measure": "buổi",
        "new-baseline": "0",
        "new-target": "12",
    }
    assert client.post(f"/models/{model.code}/indicators/", data).status_code == 302
    assert model.indicators.count() == 3
    bad = client.post(f"/models/{model.code}/indicators/", {**data, "new-target": "0"})
    assert bad.status_code == 400
    assert model.indicators.count() == 3


def test_correcting_an_indicator_from_the_model_page(
    world: Any, commune_officer: Any, login: Login
) -> None:
    model = register(world, None)
    indicator = model.indicators.get(name="Hộ hiến đất")
    client = login(commune_officer)
    url = f"/models/{model.code}/indicators/{indicator.pk}/edit/"
    detail = client.get(f"/models/{model.code}/").content.decode()
    assert url in detail and "Correct this indicator" in detail
    page = client.get(url)
    assert page.status_code == 200 and 'value="Hộ hiến đất"' in page.content.decode()
    data = {
        "version": model.version,
        "ind-name": "Hộ hiến đất",
        "ind-unit_of_measure": "hộ",
        "ind-baseline": "3",
        "ind-target": "45",
    }
    assert client.post(url, {**data, "ind-target": "abc"}).status_code == 400
    assert client.post(url, data).status_code == 302
    indicator.refresh_from_db()
    assert (indicator.baseline, indicator.target) == (Decimal(3), Decimal(45))
    stale = client.post(url, {**data, "ind-target": "50"})  # the page showed version 1
    assert stale.status_code == 409 and "Someone else changed this model" in stale.content.decode()
    indicator.refresh_from_db()
    assert indicator.target == Decimal(45)


def test_an_indicator_with_reports_shows_why_it_cannot_change(
    world: Any, commune_officer: Any, observer: Any, login: Login
) -> None:
    from danvan.skillful.services_reporting import indicator_report

    model = register(world, None)
    indicator = model.indicators.get(name="Hộ hiến đất")
    indicator_report(
        actor=Actor.system("test"), indicator=indicator, period_label="2026-H1", value=8
    )
    client = login(commune_officer)
    url = f"/models/{model.code}/indicators/{indicator.pk}/edit/"
    assert url not in client.get(f"/models/{model.code}/").content.decode()
    page = client.get(url)
    assert "already has values reported (2026-H1)" in page.content.decode()
    model.refresh_from_db()
    refused = client.post(
        url,
        {
            "version": model.version,
            "ind-name": "x",
            "ind-unit_of_measure": "hộ",
            "ind-baseline": "0",
            "ind-target": "1",
        },
    )
    assert refused.status_code == 400
    indicator.refresh_from_db()
    assert indicator.name == "Hộ hiến đất"
    assert login(observer).get(url).status_code == 403


def test_adding_an_indicator_on_a_stale_page_answers_409(
    world: Any, commune_officer: Any, login: Login
) -> None:
    model = register(world, None)
    client = login(commune_officer)
    data = {
        "version": "1",
        "new-name": "Số buổi họp dân",
        "new-unit_of_measure": "buổi",
        "new-baseline": "0",
        "new-target": "12",
    }
    assert client.post(f"/models/{model.code}/indicators/", data).status_code == 302
    again = client.post(f"/models/{model.code}/indicators/", {**data, "new-name": "Khác"})
    assert again.status_code == 409
    assert model.indicators.count() == 3
