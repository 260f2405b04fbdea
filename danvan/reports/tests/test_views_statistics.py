"""The statistics page and its downloads: scoped to the officer's units, a clear error for a
period that does not exist, workbooks in Vietnamese, every download in the audit log."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from danvan.audit.models import AuditEntry
from danvan.dashboards.tests.helpers import answered, submit
from danvan.reports.periods import period_containing
from danvan.voices.models import Voice

pytestmark = pytest.mark.django_db

PAGE = reverse("reports:statistics")
EXPORT = reverse("reports:statistics_export")
TODAY = timezone.localdate()
THIS_YEAR = str(TODAY.year)


@pytest.fixture(autouse=True)
def _no_buckets_left_by_a_flush(db: None) -> Iterator[None]:
    from danvan.dashboards.models import Bucket, VoiceFact

    if not Voice.objects.exists():
        VoiceFact.objects.all().delete()
        Bucket.objects.all().delete()
    yield


@pytest.fixture
def voices(world: Any, commune_officer: Any) -> None:
    answered(world, commune_officer, world.anh_son_body, late=False)
    submit(world, kind="reflection", unit=world.muong_xen_village)
    submit(world, kind="reflection", unit=world.hoan_kiem)


def _vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def test_provincial_staff_see_their_province_this_quarter_by_default(
    login: Any, provincial_staff: Any, world: Any, voices: None
) -> None:
    response = login(provincial_staff).get(PAGE)
    assert response.status_code == 200
    assert response.context["unit"] == world.nghe_an
    assert response.context["period"] == period_containing("quarter", TODAY)
    keys = [table.key for table, _query in response.context["tables"]]
    assert keys == ["voices", "deadlines", "models"]
    page = response.content.decode()
    assert "Xã Anh Sơn" in page and "Phường Hoàn Kiếm" not in page
    assert f"{EXPORT}?unit=40&amp;period=" in page
    assert 'data-testid="download-voices"' in page


def test_the_page_speaks_vietnamese_by_default(
    login: Any, provincial_staff: Any, voices: None
) -> None:
    client = login(provincial_staff)
    client.cookies.pop("django_language", None)
    page = client.get(PAGE).content.decode()
    assert "Đơn vị" in page
    assert _vi("Download XLSX") in page


def test_an_observer_views_and_downloads_the_province(
    login: Any, observer: Any, world: Any, voices: None
) -> None:
    client = login(observer)
    assert client.get(PAGE, {"unit": "40", "period": THIS_YEAR}).status_code == 200
    response = client.get(EXPORT, {"unit": "40", "period": THIS_YEAR})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="thong-ke-tat-ca-40-')
    assert "no-store" in response["Cache-Control"]
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.worksheets) == 3
    sheet = book.worksheets[0]
    assert sheet["B6"].value == "Đơn vị"
    assert sheet.freeze_panes == "C8"
    entry = AuditEntry.objects.get(action="report.statistics_export")
    assert entry.actor == observer
    assert entry.unit == world.nghe_an
    assert entry.changes["period"] == THIS_YEAR
    assert entry.changes["tables"] == ["voices", "deadlines", "models"]
    assert entry.changes["rows"] > 0 and entry.changes["personal_data"] is False
    assert entry.changes["filters"] == f"unit=40&period={THIS_YEAR}"


def test_one_table_downloads_alone(login: Any, provincial_staff: Any, voices: None) -> None:
    response = login(provincial_staff).get(
        EXPORT, {"unit": "17329", "period": THIS_YEAR, "table": "deadlines"}
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert [s.title for s in book.worksheets] == [_vi("Deadlines by body")]
    rows = list(book.worksheets[0].iter_rows(min_row=8, values_only=True))
    assert rows[0][1] == "Đảng ủy xã Anh Sơn" and rows[0][2] == 1
    assert rows[1][1] == _vi("Grand total") and rows[1][2] == 1


def test_an_unknown_table_is_not_found(login: Any, provincial_staff: Any) -> None:
    response = login(provincial_staff).get(EXPORT, {"table": "salaries"})
    assert response.status_code == 404


def test_a_commune_officer_cannot_open_or_export_the_province(
    login: Any, commune_officer: Any, world: Any, voices: None
) -> None:
    client = login(commune_officer)
    assert client.get(PAGE, {"unit": "40"}).status_code == 404
    assert client.get(EXPORT, {"unit": "40"}).status_code == 404
    assert client.get(EXPORT, {"unit": world.muong_xen.code}).status_code == 404
    response = client.get(PAGE)
    assert response.context["unit"] == world.anh_son
    assert [o.code for o, _depth in response.context["options"]] == [
        world.anh_son.code,
        world.anh_son_village.code,
    ]
    assert client.get(EXPORT, {"unit": world.anh_son_village.code}).status_code == 200
    assert not AuditEntry.objects.filter(action="report.statistics_export", unit=world.nghe_an)


def test_someone_with_no_unit_is_refused(login: Any, nobody: Any) -> None:
    client = login(nobody)
    assert client.get(PAGE).status_code == 403
    assert client.get(EXPORT).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client: Any, world: Any) -> None:
    response = client.get(EXPORT)
    assert response.status_code == 302


@pytest.mark.parametrize(
    "query",
    [
        {"period": "2026-13"},
        {"period": "1999"},
        {"period": "next quarter"},
        {"kind": "range", "start": "2026-09-30", "end": "2026-07-01"},
        {"kind": "range", "start": "2026-07-01"},
        {"kind": "month", "year": "12345"},
        {"kind": "week"},
    ],
)
def test_a_period_that_does_not_exist_is_an_error_on_the_form(
    login: Any, provincial_staff: Any, query: dict[str, str]
) -> None:
    client = login(provincial_staff)
    response = client.get(PAGE, query)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors
    assert response.context["tables"] == []
    export = client.get(EXPORT, query)
    assert export.status_code == 400
    assert export["Content-Type"].startswith("text/html")
    assert not AuditEntry.objects.filter(action="report.statistics_export").exists()


def test_the_form_picks_a_half_year_and_a_range(
    login: Any, provincial_staff: Any, voices: None
) -> None:
    client = login(provincial_staff)
    response = client.get(PAGE, {"kind": "half", "year": "2026", "half": "2"})
    assert response.context["period"].code == "2026-H2"
    response = client.get(
        PAGE, {"kind": "range", "start": "2026-07-01", "end": "2026-09-15", "unit": "17329"}
    )
    assert response.context["period"].code == "2026-07-01..2026-09-15"
    assert response.context["unit"].code == "17329"


def test_a_system_administrator_starts_at_the_province_of_their_body(
    login: Any, system_admin: Any, world: Any
) -> None:
    response = login(system_admin).get(PAGE)
    assert response.status_code == 200
    assert response.context["unit"] == world.nghe_an
    assert len(response.context["options"]) == 34
    assert login(system_admin).get(PAGE, {"unit": "01"}).context["unit"] == world.ha_noi
