"""Emulation periods and their yearly rounds: the services' checks and the pages where
provincial staff create them."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.skillful.models import CriteriaSet, EmulationPeriod, EmulationRound
from danvan.skillful.services_periods import period_create, round_add
from danvan.skillful.tests.factories_registry import register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Login = Callable[[Any], Client]
D = datetime.date


def _nghe_an_period(world: Any, user: Any, **overrides: Any) -> EmulationPeriod:
    values: dict[str, Any] = {
        "name": "2026–2030",
        "starts_on": D(2026, 1, 1),
        "ends_on": D(2030, 12, 31),
        "province": world.nghe_an,
        "yearly_rounds": True,
    }
    values.update(overrides)
    return period_create(actor=Actor.of_user(user), **values)


def test_provincial_staff_create_a_period_with_one_round_a_year(
    world: Any, provincial_staff: Any
) -> None:
    period = _nghe_an_period(world, provincial_staff, starts_on=D(2026, 3, 1))
    rounds = list(period.rounds.values_list("year", "starts_on", "ends_on"))
    assert [r[0] for r in rounds] == [2026, 2027, 2028, 2029, 2030]
    assert rounds[0][1] == D(2026, 3, 1) and rounds[-1][2] == D(2030, 12, 31)
    entry = AuditEntry.objects.get(action="skillful.period_create")
    assert entry.changes["rounds"] == [2026, 2027, 2028, 2029, 2030]


def test_overlapping_periods_of_a_province_and_a_period_ending_first_are_refused(
    world: Any, provincial_staff: Any, system_actor: Actor
) -> None:
    _nghe_an_period(world, provincial_staff)
    with pytest.raises(ValidationError) as exc:
        _nghe_an_period(world, provincial_staff, name="2028–2032", starts_on=D(2028, 1, 1))
    assert "It overlaps the period 2026–2030 (01/01/2026 to 31/12/2030)." in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        _nghe_an_period(world, provincial_staff, starts_on=D(2031, 1, 1), ends_on=D(2030, 1, 1))
    assert "ends_on" in exc.value.message_dict
    # Another province, or a national period, may cover the same years.
    period_create(
        actor=system_actor,
        name="2026–2030",
        starts_on=D(2026, 1, 1),
        ends_on=D(2030, 12, 31),
        province=world.ha_noi,
    )
    period_create(
        actor=system_actor, name="2026–2030", starts_on=D(2026, 1, 1), ends_on=D(2030, 12, 31)
    )
    assert EmulationPeriod.objects.count() == 3


def test_only_a_provinces_staff_manage_its_periods_and_only_an_administrator_national_ones(
    world: Any, commune_officer: Any, provincial_staff: Any
) -> None:
    with pytest.raises(PermissionDenied):
        _nghe_an_period(world, commune_officer)
    with pytest.raises(PermissionDenied):
        _nghe_an_period(world, provincial_staff, province=world.ha_noi)
    with pytest.raises(PermissionDenied):
        _nghe_an_period(world, provincial_staff, province=None)
    assert not EmulationPeriod.objects.exists()


def test_a_round_outside_its_period_twice_a_year_or_overlapping_is_refused(
    world: Any, provincial_staff: Any
) -> None:
    period = _nghe_an_period(world, provincial_staff, yearly_rounds=False)
    actor = Actor.of_user(provincial_staff)
    with pytest.raises(ValidationError) as exc:
        round_add(actor=actor, period=period, year=2031)
    assert "must be a year of the period (2026–2030)" in exc.value.message_dict["year"][0]
    with pytest.raises(ValidationError) as exc:
        round_add(
            actor=actor, period=period, year=2030, starts_on=D(2030, 6, 1), ends_on=D(2031, 2, 1)
        )
    assert "within its period" in exc.value.message_dict["ends_on"][0]
    with pytest.raises(ValidationError) as exc:
        round_add(
            actor=actor, period=period, year=2027, starts_on=D(2027, 6, 1), ends_on=D(2027, 1, 1)
        )
    assert "ends_on" in exc.value.message_dict
    first = round_add(actor=actor, period=period, year=2027)
    assert (first.starts_on, first.ends_on) == (D(2027, 1, 1), D(2027, 12, 31))
    with pytest.raises(ValidationError) as exc:
        round_add(actor=actor, period=period, year=2027)
    assert "already has a round for 2027" in exc.value.message_dict["year"][0]
    with pytest.raises(ValidationError) as exc:
        round_add(
            actor=actor, period=period, year=2028, starts_on=D(2027, 12, 1), ends_on=D(2028, 12, 1)
        )
    assert "overlaps the round of 2027" in exc.value.message_dict["starts_on"][0]
    assert list(period.rounds.values_list("year", flat=True)) == [2027]
    assert AuditEntry.objects.filter(action="skillful.round_add").count() == 1


def test_a_model_is_registered_only_in_one_of_the_periods_rounds(
    world: Any, provincial_staff: Any
) -> None:
    period = _nghe_an_period(world, provincial_staff, yearly_rounds=False)
    round_add(actor=Actor.of_user(provincial_staff), period=period, year=2027)
    with pytest.raises(ValidationError) as exc:
        register(world, None, period=period, year=2026)
    assert exc.value.message_dict["year"] == [
        "2026–2030 has no round for 2026; its rounds are 2027."
    ]
    model = register(world, None, period=period, year=2027)
    assert model.year == 2027


# --- The pages ----------------------------------------------------------------------------------


def test_provincial_staff_create_a_period_in_the_browser_and_reach_its_criteria_sets(
    world: Any, provincial_staff: Any, login: Login
) -> None:
    client = login(provincial_staff)
    assert client.get("/models/periods/").status_code == 200
    data = {
        "province": world.nghe_an.code,
        "name": "2026–2030",
        "starts_on": "2026-01-01",
        "ends_on": "2030-12-31",
        "yearly_rounds": "on",
    }
    response = client.post("/models/periods/", data)
    assert response.status_code == 302
    period = EmulationPeriod.objects.get()
    assert response["Location"] == f"/models/periods/{period.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "2030" in page and "Set the criteria" in page
    link = f"/models/criteria/new/?province={world.nghe_an.code}&amp;period={period.pk}"
    assert link in page
    form = client.get(f"/models/criteria/new/?province={world.nghe_an.code}&period={period.pk}")
    assert f'<option value="{period.pk}" selected>' in form.content.decode()
    assert period.rounds.count() == 5

    again = client.post("/models/periods/", {**data, "starts_on": "2029-01-01"})
    assert again.status_code == 400
    assert "It overlaps the period 2026–2030" in again.content.decode()
    assert 'value="2029-01-01"' in again.content.decode()  # what was typed comes back
    backwards = client.post(
        "/models/periods/", {**data, "starts_on": "2036-01-01", "ends_on": "2031-01-01"}
    )
    assert backwards.status_code == 400
    assert "The period must end after it starts." in backwards.content.decode()
    assert EmulationPeriod.objects.count() == 1


def test_adding_a_round_on_the_period_page(world: Any, provincial_staff: Any, login: Login) -> None:
    period = _nghe_an_period(world, provincial_staff, yearly_rounds=False)
    client = login(provincial_staff)
    url = f"/models/periods/{period.pk}/"
    outside = client.post(url, {"year": "2031", "starts_on": "", "ends_on": ""})
    assert outside.status_code == 400
    assert "must be a year of the period" in outside.content.decode()
    bad = client.post(url, {"year": "abc"})
    assert bad.status_code == 400
    assert client.post(url, {"year": "2026", "starts_on": "", "ends_on": ""}).status_code == 302
    assert list(EmulationRound.objects.values_list("year", flat=True)) == [2026]


def test_officers_who_do_not_manage_a_province_cannot_open_the_periods(
    world: Any, commune_officer: Any, provincial_staff: Any, login: Login
) -> None:
    period = _nghe_an_period(world, provincial_staff)
    client = login(commune_officer)
    assert client.get("/models/periods/").status_code == 403
    assert client.get(f"/models/periods/{period.pk}/").status_code == 403
    assert client.post(f"/models/periods/{period.pk}/", {"year": "2026"}).status_code == 403
    assert not CriteriaSet.objects.exists()


def test_the_period_pages_render_in_vietnamese(
    world: Any, provincial_staff: Any, settings: Any
) -> None:
    period = _nghe_an_period(world, provincial_staff)
    client = Client()
    client.force_login(provincial_staff)
    for url in ("/models/periods/", f"/models/periods/{period.pk}/"):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 200, url


def test_an_administrator_creates_a_national_period_on_the_page(
    world: Any, system_admin: Any, provincial_staff: Any, login: Login
) -> None:
    admin = login(system_admin)
    page = admin.get("/models/periods/").content.decode()
    assert 'value="national"' in page
    data = {
        "province": "national",
        "name": "2026–2030",
        "starts_on": "2026-01-01",
        "ends_on": "2030-12-31",
    }
    response = admin.post("/models/periods/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    period = EmulationPeriod.objects.get()
    assert period.province is None and not period.rounds.exists()
    # Provincial staff are not offered the whole country, and a forged choice is refused.
    staff = login(provincial_staff)
    assert 'value="national"' not in staff.get("/models/periods/").content.decode()
    assert staff.post("/models/periods/", {**data, "name": "x"}).status_code == 400
    assert EmulationPeriod.objects.count() == 1
