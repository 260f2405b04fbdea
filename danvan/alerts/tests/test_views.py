"""The alert pages by role: the list and its filters, the detail with its reason and voices,
acknowledging and closing (a note is required; a stale version gets 409)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.alerts.models import Alert, AlertLevel, AlertStatus
from danvan.alerts.scan import alerts_scan
from danvan.alerts.selectors import active_alerts
from danvan.alerts.tests.conftest import weekly_history
from danvan.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def alerts(world: Any, submit: Any, land: Any, health: Any, today: datetime.date) -> list[Alert]:
    """A caution land surge in Anh Sơn, an attention health surge in Mường Xén."""
    weekly_history(submit, world.anh_son, land, today, [1] * 12)
    submit(world.anh_son, land, today, 5)
    weekly_history(submit, world.muong_xen, health, today, [4] * 12)
    submit(world.muong_xen, health, today, 9)
    alerts_scan(today=today)
    return [
        Alert.objects.get(unit=world.anh_son),
        Alert.objects.get(unit=world.muong_xen),
    ]


def rows(response: Any) -> list[int]:
    return [alert.pk for alert in response.context["alerts"]]


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("system_admin", {"anh_son", "muong_xen"}),
        ("provincial_staff", {"anh_son", "muong_xen"}),
        ("leader", {"anh_son", "muong_xen"}),
        ("observer", {"anh_son", "muong_xen"}),
        ("commune_officer", {"anh_son"}),
        ("village_member", set()),
        ("nobody", set()),
    ],
)
def test_each_role_sees_the_alerts_of_its_scope(
    request: pytest.FixtureRequest, login: Any, alerts: list[Alert], who: str, sees: set[str]
) -> None:
    user = request.getfixturevalue(who)
    by_name = {"anh_son": alerts[0].pk, "muong_xen": alerts[1].pk}
    client = login(user)
    response = client.get("/alerts/")
    assert response.status_code == 200
    assert set(rows(response)) == {by_name[n] for n in sees}
    for name, pk in by_name.items():
        expected = 200 if name in sees else 404
        assert client.get(f"/alerts/{pk}/").status_code == expected
    assert {a.pk for a in active_alerts(user)} == {by_name[n] for n in sees}


def test_the_list_filters_by_level_rule_status_and_unit(
    login: Any, provincial_staff: Any, alerts: list[Alert]
) -> None:
    client = login(provincial_staff)
    assert rows(client.get("/alerts/", {"level": AlertLevel.CAUTION})) == [alerts[0].pk]
    assert rows(client.get("/alerts/", {"unit": "16813"})) == [alerts[1].pk]
    assert set(rows(client.get("/alerts/", {"unit": "40", "rule": "surge"}))) == {
        a.pk for a in alerts
    }
    assert rows(client.get("/alerts/", {"rule": "mass_complaint"})) == []
    assert rows(client.get("/alerts/", {"status": "closed"})) == []
    assert len(rows(client.get("/alerts/", {"status": "active"}))) == 2
    # The most serious first.
    assert rows(client.get("/alerts/")) == [alerts[0].pk, alerts[1].pk]


def test_wrong_filters_are_shown_as_errors_not_crashes(
    login: Any, commune_officer: Any, alerts: list[Alert]
) -> None:
    client = login(commune_officer)
    response = client.get("/alerts/", {"level": "9", "status": "gone", "unit": "16813"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"level", "status", "unit"}
    assert "No such unit among yours." in response.content.decode()
    assert rows(response) == [alerts[0].pk]
    assert client.get("/alerts/", {"page": "x"}).status_code == 200


def test_the_list_reads_a_fixed_number_of_queries(
    login: Any,
    system_admin: Any,
    alerts: list[Alert],
    world: Any,
    submit: Any,
    land: Any,
    today: datetime.date,
) -> None:
    client = login(system_admin)
    client.get("/alerts/")
    with CaptureQueriesContext(connection) as two:
        client.get("/alerts/")
    weekly_history(submit, world.hoan_kiem, land, today, [1] * 12)
    submit(world.hoan_kiem, land, today, 6)
    alerts_scan(today=today)
    client = login(system_admin)  # a fresh scope cache, as on the first request
    client.get("/alerts/")
    with CaptureQueriesContext(connection) as three:
        response = client.get("/alerts/")
    assert len(response.context["alerts"]) == 3
    assert len(three) == len(two)


def test_the_detail_says_why_in_words_and_numbers_and_lists_the_voices(
    login: Any, commune_officer: Any, alerts: list[Alert]
) -> None:
    response = login(commune_officer).get(f"/alerts/{alerts[0].pk}/")
    page = response.content.decode()
    assert "5 voices in the last 7 days, against 1 on average" in page
    assert "4 times σ = 1 above the average" in page
    assert "Caution" in page
    assert len(response.context["voices"]) == 5
    assert "Đảng ủy xã Anh Sơn" in page  # the body told
    assert 'id="acknowledge-form"' in page and 'id="close-form"' in page


def test_acknowledge_then_close_with_a_note(
    login: Any, commune_officer: Any, alerts: list[Alert]
) -> None:
    client = login(commune_officer)
    alert = alerts[0]
    response = client.post(
        f"/alerts/{alert.pk}/acknowledge/", {"version": alert.version, "note": "Đang xác minh"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by == commune_officer
    assert alert.acknowledge_note == "Đang xác minh"

    response = client.post(f"/alerts/{alert.pk}/close/", {"version": alert.version, "note": " "})
    assert response.status_code == 400
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED

    response = client.post(
        f"/alerts/{alert.pk}/close/",
        {"version": alert.version, "note": "Đã tổ chức đối thoại, giải thích chính sách"},
        follow=True,
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert alert.close_note == "Đã tổ chức đối thoại, giải thích chính sách"
    assert "The alert is closed." in response.content.decode()
    assert "Đã tổ chức đối thoại" in response.content.decode()
    assert list(
        AuditEntry.objects.filter(action__startswith="alert.")
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["alert.raise", "alert.raise", "alert.acknowledge", "alert.close"]


def test_a_stale_version_gets_409_and_the_alert_as_it_is_now(
    login: Any, commune_officer: Any, provincial_staff: Any, alerts: list[Alert]
) -> None:
    alert = alerts[0]
    seen = alert.version
    login(provincial_staff).post(f"/alerts/{alert.pk}/acknowledge/", {"version": seen})
    response = login(commune_officer).post(
        f"/alerts/{alert.pk}/close/", {"version": seen, "note": "Đã xử lý"}
    )
    assert response.status_code == 409
    assert "Someone changed this alert" in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    response = login(commune_officer).post(f"/alerts/{alert.pk}/close/", {"note": "Đã xử lý"})
    assert response.status_code == 400


def test_those_who_may_only_look_cannot_act(
    login: Any, observer: Any, commune_officer: Any, nobody: Any, alerts: list[Alert]
) -> None:
    alert = alerts[0]
    page = login(observer).get(f"/alerts/{alert.pk}/").content.decode()
    assert 'id="acknowledge-form"' not in page
    assert (
        login(observer)
        .post(f"/alerts/{alert.pk}/acknowledge/", {"version": alert.version})
        .status_code
        == 403
    )
    assert (
        login(nobody)
        .post(f"/alerts/{alert.pk}/acknowledge/", {"version": alert.version})
        .status_code
        == 404
    )
    # The commune officer cannot reach another commune's alert.
    assert (
        login(commune_officer)
        .post(f"/alerts/{alerts[1].pk}/acknowledge/", {"version": alerts[1].version})
        .status_code
        == 404
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_active_alerts_for_the_dashboard_by_unit(
    provincial_staff: Any, world: Any, alerts: list[Alert]
) -> None:
    assert [a.pk for a in active_alerts(provincial_staff, unit=world.anh_son)] == [alerts[0].pk]
    assert [a.pk for a in active_alerts(provincial_staff, unit=world.nghe_an)] == [
        alerts[0].pk,
        alerts[1].pk,
    ]


def test_pages_need_a_login(client: Any, alerts: list[Alert]) -> None:
    assert client.get("/alerts/").status_code == 302
    assert client.get(f"/alerts/{alerts[0].pk}/").status_code == 302


def test_the_export_has_the_filtered_alerts_with_their_reason_and_is_audited(
    login: Any, provincial_staff: Any, commune_officer: Any, nobody: Any, alerts: list[Alert]
) -> None:
    import io

    from openpyxl import load_workbook

    response = login(provincial_staff).get("/alerts/export.xlsx", {"level": AlertLevel.CAUTION})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and the caution alert
    assert rows[1][2] == "Xã Anh Sơn"
    assert str(rows[1][10]).startswith("5 voices in the last 7 days")
    entry = AuditEntry.objects.get(action="alert.export")
    assert entry.changes["rows"] == 1
    # Scope: the commune officer's export has only its commune; nobody's has nothing.
    for user, expected in ((commune_officer, 2), (nobody, 1)):
        content = login(user).get("/alerts/export.xlsx").content
        sheet = load_workbook(io.BytesIO(content)).active
        assert sheet is not None
        assert len(list(sheet.iter_rows(values_only=True))) == expected


def test_an_issue_alert_links_to_the_issue_and_lists_its_voices(
    login: Any,
    commune_officer: Any,
    world: Any,
    submit: Any,
    land: Any,
    today: datetime.date,
    make_issue: Any,
) -> None:
    from danvan.alerts.models import AlertRule
    from danvan.alerts.tests.conftest import put_in_issue

    issue = make_issue(world.anh_son, land, title="Bồi thường dự án đường tỉnh 534")
    put_in_issue(submit(world.anh_son, land, today - 2 * DAY, 5), issue)
    alerts_scan(today=today)
    alert = Alert.objects.get(rule=AlertRule.MASS_COMPLAINT)
    response = login(commune_officer).get(f"/alerts/{alert.pk}/")
    page = response.content.decode()
    assert f'href="/issues/{issue.pk}/"' in page
    assert "5 different people (5 voices) on this issue in the last 30 days" in page
    assert len(response.context["voices"]) == 5


def test_the_dashboard_shows_the_active_alerts_of_its_area(world, login, provincial_staff):
    from danvan.alerts.demo import alerts_demo_seed
    from danvan.audit.context import Actor as _Actor

    alert = alerts_demo_seed(actor=_Actor.system("test"), commune=world.anh_son)
    assert alert is not None
    client = login(provincial_staff)
    client.cookies["django_language"] = "en"

    page = client.get("/dashboard/").content.decode()

    assert 'data-testid="active-alerts"' in page
    assert f"/alerts/{alert.pk}/" in page
