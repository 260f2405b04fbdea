"""Statistics of the models: scoped, drilled down from province to commune, exported."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from danvan.skillful.models import Field, ModelStatus
from danvan.skillful.tests.test_checks import OTHER_CONTENT, make_model

pytestmark = pytest.mark.django_db

URL = reverse("skillful:stats")


@pytest.fixture
def models(world: Any) -> None:
    make_model(world.anh_son, world.anh_son_body, status=ModelStatus.HONORED)
    make_model(world.anh_son, world.anh_son_body, field=Field.CULTURE_SOCIETY, year=2025)
    make_model(world.anh_son_village, world.village_body, level="village")
    make_model(world.muong_xen, world.muong_xen_body, content=OTHER_CONTENT)
    make_model(world.nghe_an, world.province_body, level="province")
    make_model(world.hoan_kiem, world.hoan_kiem_body)


def _rows(response: Any) -> dict[str, int]:
    return {
        (row.unit.name if row.unit else row.path) + (" *" if row.is_own else ""): row.total
        for row in response.context["stats"].rows
    }


def test_provincial_staff_start_at_their_province_with_one_row_per_commune(
    login: Any, provincial_staff: Any, models: None
) -> None:
    response = login(provincial_staff).get(URL)
    assert response.status_code == 200
    assert _rows(response) == {"Nghệ An *": 1, "Xã Anh Sơn": 3, "Xã Mường Xén": 1}
    assert response.context["stats"].total.total == 5  # Hoàn Kiếm (Hà Nội) is not theirs
    assert "Phường Hoàn Kiếm" not in response.content.decode()


def test_clicking_a_commune_narrows_to_its_own_models_and_its_villages(
    login: Any, provincial_staff: Any, world: Any, models: None
) -> None:
    client = login(provincial_staff)
    page = client.get(URL).content.decode()
    assert f"unit={world.anh_son.code}" in page
    response = client.get(URL, {"unit": world.anh_son.code})
    assert _rows(response) == {"Xã Anh Sơn *": 2, "Xóm 1": 1}
    stats = response.context["stats"]
    assert stats.total.by_field[Field.CULTURE_SOCIETY] == 1
    assert stats.total.recognized == 1
    assert [year for year, _counts, _total in stats.by_year] == [2025, 2026]


def test_filters_narrow_the_counts(login: Any, provincial_staff: Any, models: None) -> None:
    response = login(provincial_staff).get(URL, {"field": Field.CULTURE_SOCIETY})
    assert _rows(response) == {"Xã Anh Sơn": 1}


def test_a_commune_officer_sees_only_their_commune_and_cannot_open_another(
    login: Any, commune_officer: Any, world: Any, models: None
) -> None:
    client = login(commune_officer)
    response = client.get(URL)
    assert _rows(response) == {"Xã Anh Sơn *": 2, "Xóm 1": 1}
    assert client.get(URL, {"unit": world.muong_xen.code}).status_code == 404


def test_an_administrator_starts_with_the_provinces(
    login: Any, system_admin: Any, models: None
) -> None:
    response = login(system_admin).get(URL)
    assert _rows(response) == {"Nghệ An": 5, "Thành phố Hà Nội": 1}


def test_someone_without_a_unit_is_refused(login: Any, nobody: Any) -> None:
    assert login(nobody).get(URL).status_code == 403


def test_the_page_costs_the_same_queries_for_few_or_many_models(
    login: Any, provincial_staff: Any, world: Any, models: None
) -> None:
    client = login(provincial_staff)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for unit, body in [(world.muong_xen_village, world.muong_xen_body)] * 5 + [
        (world.anh_son_village, world.village_body)
    ] * 5:
        make_model(unit, body, field=Field.DEFENCE_SECURITY, year=2024)
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)


def test_the_export_has_a_frozen_header_the_rows_and_a_totals_row(
    login: Any, provincial_staff: Any, models: None
) -> None:
    from django.utils import translation
    from openpyxl import load_workbook

    with translation.override("vi"):  # the site's language: Vietnamese column titles
        unit, total, economy, own = (
            gettext("Unit"),
            gettext("Total"),
            str(Field.ECONOMY.label),
            gettext("%(unit)s (its own models)") % {"unit": "Nghệ An"},
        )
    assert unit == "Đơn vị"

    client = login(provincial_staff)
    del client.cookies["django_language"]  # the site's own language
    response = client.get(reverse("skillful:stats_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="thong-ke-mo-hinh-40')
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "B2"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == (unit, total, economy)
    assert rows[-1][0] == total and rows[-1][1] == 5
    assert {r[0] for r in rows[1:-1]} == {own, "Xã Anh Sơn", "Xã Mường Xén"}
    years = list(book.worksheets[1].iter_rows(values_only=True))
    assert years[-1][0] == total and years[-1][-1] == 5
