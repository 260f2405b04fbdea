from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import REMOTE_COMMUNE

pytestmark = pytest.mark.django_db
URL = "/deadlines/"


def test_the_url_is_named() -> None:
    assert reverse("deadlines:calculator") == URL


def test_the_calculator_needs_a_login(client: Client) -> None:
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login" in response["Location"]


def test_an_empty_calculator_shows_the_form(officer_client: Client) -> None:
    response = officer_client.get(URL)
    assert response.status_code == 200
    assert b'name="received"' in response.content
    assert response.context["schedule"] is None


def test_the_worked_example_shows_the_due_date_and_its_weekday(officer_client: Client) -> None:
    response = officer_client.get(
        URL,
        {
            "kind": "complaint_first",
            "received": "2027-01-04",
            "accepted": "2027-01-10",
            "complexity": "normal",
        },
    )
    assert response.status_code == 200
    schedule = response.context["schedule"]
    assert schedule.due("resolve").isoformat() == "2027-02-11"
    html = response.content.decode()
    assert "11/02/2027" in html
    assert "Luật Khiếu nại 02/2011/QH13, Điều 28" in html


def test_a_remote_commune_by_code(officer_client: Client, remote_commune: Any) -> None:
    response = officer_client.get(
        URL,
        {
            "kind": "complaint_first",
            "received": "2026-07-10",
            "accepted": "2026-07-17",
            "unit": REMOTE_COMMUNE,
            "complexity": "normal",
        },
    )
    assert response.status_code == 200
    assert response.context["schedule"].remote is True
    assert "03/09/2026" in response.content.decode()
    assert remote_commune.name in response.content.decode()


def test_denunciation_shows_its_extensions(officer_client: Client) -> None:
    response = officer_client.get(
        URL,
        {
            "kind": "denunciation",
            "received": "2026-08-28",
            "accepted": "2026-09-03",
            "complexity": "especially_complex",
            "extensions": "1",
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "04/11/2026" in html and "04/12/2026" in html


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "petition", "received": "2026-09-01"}, "kind"),
        ({"kind": "reception", "received": "not a date"}, "received"),
        ({"kind": "reception", "received": ""}, "received"),
        (
            {"kind": "complaint_first", "received": "2026-09-10", "accepted": "2026-09-01"},
            "accepted",
        ),
        ({"kind": "reception", "received": "2026-09-01", "unit": "99999"}, "unit"),
        ({"kind": "reception", "received": "2026-09-01", "complexity": "hard"}, "complexity"),
        ({"kind": "denunciation", "received": "2026-09-01", "extensions": "5"}, "extensions"),
    ],
)
def test_bad_input_gives_form_errors_not_a_crash(
    officer_client: Client, params: dict[str, str], field: str
) -> None:
    params = {"complexity": "normal", **params}
    response = officer_client.get(URL, params)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert response.context["schedule"] is None


def test_unit_and_remote_together_is_an_error(officer_client: Client, national_units: None) -> None:
    response = officer_client.get(
        URL,
        {
            "kind": "reception",
            "received": "2026-09-01",
            "unit": "17329",
            "remote": "on",
            "complexity": "normal",
        },
    )
    assert response.status_code == 400
    assert "remote" in response.context["form"].errors


def test_errors_found_by_the_engine_are_shown_on_the_form(officer_client: Client) -> None:
    response = officer_client.get(
        URL,
        {"kind": "reception", "received": "2018-06-01", "complexity": "normal"},
    )
    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    response = officer_client.get(
        URL,
        {
            "kind": "denunciation",
            "received": "2026-09-01",
            "complexity": "normal",
            "extensions": "1",
        },
    )
    assert response.status_code == 400
    assert "tối đa 0 lần" in response.content.decode()
