"""The dashboard page, its exports and its map, per role and scope."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from danvan.dashboards import selectors
from danvan.dashboards.periods import PeriodForm, day_range, month, quarter, year
from danvan.dashboards.tests.helpers import answered, submit

pytestmark = pytest.mark.django_db

URL = "/dashboard/"
#: The last 200 days: every voice of the tests (the late ones were received 80 days ago).
RECENT = {
    "period": "range",
    "start": (timezone.localdate() - datetime.timedelta(days=200)).isoformat(),
    "end": timezone.localdate().isoformat(),
}


@pytest.fixture
def cases(world: Any, commune_officer: Any, provincial_staff: Any) -> None:
    # Xã Anh Sơn's body: two answers, both on time. The province's body: one on time, one late.
    answered(world, commune_officer, world.anh_son_body, late=False)
    answered(world, commune_officer, world.anh_son_body, late=False, kind="denunciation")
    answered(world, provincial_staff, world.province_body, late=False, unit=world.muong_xen)
    answered(world, provincial_staff, world.province_body, late=True, unit=world.muong_xen)
    submit(world, kind="reflection", channel="hotline", unit=world.muong_xen_village)
    submit(world, kind="opinion", submitter_name="", unit=world.hoan_kiem)


def test_the_province_sees_bodies_ranked_by_on_time_answers(login, provincial_staff, cases, world):
    response = login(provincial_staff).get(URL, {"unit": "40", **RECENT})
    assert response.status_code == 200
    board = response.context["board"]
    assert [row.label for row in board.bodies] == [
        world.anh_son_body.name,
        world.province_body.name,
    ]
    assert [row.figures.on_time_rate for row in board.bodies] == [100.0, 50.0]
    assert board.total.n == 5  # Hà Nội's voice is not in Nghệ An
    assert board.aggregates.overdue == 0
    html = response.content.decode()
    assert html.index(world.anh_son_body.name) < html.index(world.province_body.name)
    assert "100.0%" in html and "50.0%" in html
    # Drill-down: the communes of the province, with links to their own dashboards.
    units = {row.key: row.figures.n for row in board.tables["units"]}
    assert units["17329"] == 2 and units["16813"] == 3
    assert f"unit={world.anh_son.code}" in html


def test_the_figures_equal_a_group_by_over_the_voices(provincial_staff, cases, world):
    period = year(timezone.localdate().year)
    if timezone.localdate().month == 1:  # the late case was received last year
        period = day_range(
            timezone.localdate() - datetime.timedelta(days=200), timezone.localdate()
        )
    fast = selectors.aggregates(
        areas=[world.nghe_an.pk], children=[world.anh_son.pk, world.muong_xen.pk], period=period
    )
    slow = selectors.naive_aggregates(
        paths=[world.nghe_an.path],
        children=[world.anh_son.path, world.muong_xen.path],
        period=period,
    )
    for dim in ("kind", "channel", "status", "topic", "body"):
        expected = {str(k): row["n"] for k, row in slow[dim].items() if k is not None and row["n"]}
        got = {k: f.n for k, f in fast.by_dim.get(dim, {}).items() if f.n}
        assert got == expected, dim
        answers = {str(k): r["answered"] for k, r in slow[dim].items() if k is not None and r["n"]}
        assert {k: f.answered for k, f in fast.by_dim.get(dim, {}).items() if f.n} == answers
    assert fast.overdue == slow["overdue"]
    assert {k: f.n for k, f in fast.children.items()} == {
        world.anh_son.pk: slow["children"][world.anh_son.path],
        world.muong_xen.pk: slow["children"][world.muong_xen.path],
    }
    assert sum(now for _day, now, _before in fast.trend) == fast.total.n == 5


def test_a_commune_officer_sees_only_their_commune(login, commune_officer, cases, world):
    client = login(commune_officer)
    response = client.get(URL)
    assert response.status_code == 200
    board = response.context["board"]
    assert board.root == world.anh_son
    assert board.total.n == 2
    assert [row.label for row in board.bodies] == [world.anh_son_body.name]
    assert [row.unit for row in board.tables["units"]] == [world.anh_son_village]
    assert client.get(URL, {"unit": world.muong_xen.code}).status_code == 404
    assert client.get(URL, {"unit": "40"}).status_code == 404
    assert client.get(URL, {"unit": world.anh_son_village.code}).status_code == 200
    for table in ("bodies", "overdue"):
        assert (
            client.get(reverse("dashboards:export"), {"unit": "16813", "table": table}).status_code
            == 404
        )


def test_someone_with_no_unit_is_refused(login, nobody):
    assert login(nobody).get(URL).status_code == 403


def test_an_overdue_voice_is_listed_and_counted(login, commune_officer, world):
    from danvan.audit.context import Actor
    from danvan.voices.services_routing import case_accept

    voice = submit(world, days_ago=70)
    case_accept(
        actor=Actor.of_user(commune_officer),
        voice=voice,
        expected_version=voice.version,
        accepted_on=timezone.localdate() - datetime.timedelta(days=69),
    )
    response = login(commune_officer).get(
        URL, {"period": "range", "start": "2020-01-01", "end": timezone.localdate().isoformat()}
    )
    board = response.context["board"]
    assert board.aggregates.overdue == 1
    assert [row.voice.pk for row in board.overdue] == [voice.pk]
    assert board.overdue[0].days > 0
    assert voice.tracking_code in response.content.decode()


def test_periods_and_their_previous_period():
    assert month(2026, 3) == month(2026, 3)
    m = month(2026, 1)
    assert (m.start, m.end, m.previous_start, m.previous_end) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 1, 31),
        datetime.date(2025, 12, 1),
        datetime.date(2025, 12, 31),
    )
    q = quarter(2026, 2)
    assert (q.start, q.end, q.previous_start) == (
        datetime.date(2026, 4, 1),
        datetime.date(2026, 6, 30),
        datetime.date(2026, 1, 1),
    )
    r = day_range(datetime.date(2026, 3, 10), datetime.date(2026, 3, 19))
    assert (r.previous_start, r.previous_end) == (
        datetime.date(2026, 2, 28),
        datetime.date(2026, 3, 9),
    )
    assert year(2026).previous_start == datetime.date(2025, 1, 1)


@pytest.mark.parametrize(
    "query",
    [
        {"period": "range", "start": "2026-05-01", "end": "2026-04-01"},
        {"period": "range", "start": "x"},
        {"period": "nonsense", "year": "abc"},
        {"period": "month", "month": "13"},
        {"unit": "", "period": "quarter", "quarter": "9"},
    ],
)
def test_bad_input_shows_an_error_and_the_current_month(login, provincial_staff, cases, query):
    response = login(provincial_staff).get(URL, query)
    assert response.status_code == 200
    today = timezone.localdate()
    assert response.context["board"].period == month(today.year, today.month)
    assert not response.context["form"].is_valid()


def test_the_number_of_queries_does_not_grow_with_the_voices(
    login, provincial_staff, commune_officer, world
):
    client = login(provincial_staff)
    query = {"unit": "40", **RECENT}
    answered(world, commune_officer, world.anh_son_body, late=False)
    client.get(URL, query)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, query)
    for n in range(6):
        submit(
            world, kind="reflection", days_ago=n, unit=world.muong_xen if n % 2 else world.anh_son
        )
    with CaptureQueriesContext(connection) as more:
        client.get(URL, query)
    answered(world, provincial_staff, world.province_body, late=True, unit=world.muong_xen)
    with CaptureQueriesContext(connection) as most:
        client.get(URL, query)
    assert len(few) == len(more) == len(most)
    assert len(most) <= 22


@pytest.mark.usefixtures("english")
def test_every_table_exports_with_a_header_and_totals(login, provincial_staff, cases, world):
    from openpyxl import load_workbook

    from danvan.dashboards.views import TABLES

    client = login(provincial_staff)
    for table in TABLES:
        response = client.get(
            reverse("dashboards:export"), {"unit": "40", "table": table, **RECENT}
        )
        assert response.status_code == 200, table
        assert "attachment;" in response["Content-Disposition"]
        book = load_workbook(io.BytesIO(response.content))
        sheet = book.worksheets[0]
        assert sheet.freeze_panes == "A2"
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[-1][0] == "Total" or rows[-1][1] == "Total", table
        if table == "bodies":
            assert rows[0][:3] == ("Rank", "Responsible body", "Received")
            assert [r[1] for r in rows[1:-1]] == [world.anh_son_body.name, world.province_body.name]
            assert rows[1][8] == 100.0 and rows[2][8] == 50.0
            assert rows[-1][4] == 4  # answered, in all
        if table == "units":
            assert rows[-1][1] == 5
    everything = client.get(reverse("dashboards:export"), {"unit": "40"})
    assert len(load_workbook(io.BytesIO(everything.content)).worksheets) == len(TABLES)
    assert client.get(reverse("dashboards:export"), {"table": "secret"}).status_code == 404


def test_the_vietnamese_export_has_vietnamese_titles(login, provincial_staff, cases, settings):
    from openpyxl import load_workbook

    client = login(provincial_staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = client.get(reverse("dashboards:export"), {"table": "units"})
    header = next(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)
    )
    assert header[0] and len(header) == 9


def test_the_map_without_a_tile_server_fetches_nothing(login, provincial_staff, world, settings):
    settings.DANVAN_MAP_TILE_URL = ""
    submit(world, latitude=Decimal("18.85"), longitude=Decimal("104.95"))
    submit(world, unit=world.hoan_kiem, latitude=Decimal("21.03"), longitude=Decimal("105.85"))
    response = login(provincial_staff).get(reverse("dashboards:map"))
    html = response.content.decode()
    assert response.context["points"] == [
        {"lat": 18.85, "lng": 104.95, "code": response.context["voices"][0].tracking_code,
         "topic": response.context["voices"][0].topic.name,
         "on": response.context["voices"][0].received_on.strftime("%d/%m/%Y")}
    ]  # fmt: skip
    assert 'data-testid="no-tiles"' in html
    assert 'data-tile-url=""' in html
    assert "http" not in html.split('id="dash-map"')[1].split(">")[0]
    assert "vendor/leaflet-1.9.4/leaflet.js" in html


def test_the_map_uses_the_configured_tile_server(login, provincial_staff, world, settings):
    settings.DANVAN_MAP_TILE_URL = "https://tiles.example.vn/{z}/{x}/{y}.png"
    submit(world, latitude=Decimal("18.85"), longitude=Decimal("104.95"))
    html = login(provincial_staff).get(reverse("dashboards:map")).content.decode()
    assert 'data-tile-url="https://tiles.example.vn/{z}/{x}/{y}.png"' in html
    assert 'data-testid="no-tiles"' not in html


def test_the_period_form_defaults_to_this_month():
    today = timezone.localdate()
    assert PeriodForm(None).period_or_default() == month(today.year, today.month)
    form = PeriodForm({"period": "quarter", "year": "2025", "quarter": "4"})
    assert form.period_or_default().start == datetime.date(2025, 10, 1)
