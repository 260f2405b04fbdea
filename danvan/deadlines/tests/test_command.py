from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from .conftest import PLAIN_COMMUNE, REMOTE_COMMUNE

pytestmark = pytest.mark.django_db


def run(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("compute_deadlines", *args, stdout=out)
    return json.loads(out.getvalue())


def dues(data: dict[str, Any]) -> dict[str, str | None]:
    return {s["step"]: s["due"] for s in data["steps"]}


def test_prints_every_step_of_the_worked_example_as_json() -> None:
    data = run("--kind", "complaint_first", "--received", "2027-01-04", "--accepted", "2027-01-10")
    assert data["kind"] == "complaint_first"
    assert data["received"] == "2027-01-04" and data["accepted"] == "2027-01-10"
    assert data["remote"] is False and data["unit"] is None
    assert data["complexity"] == "normal"
    assert data["rule_set"]["effective_from"] == "2026-07-01"
    # accept: Jan 5,6,7,8,11,12,13 (7 working days); resolve: the legal-rules example.
    assert dues(data) == {
        "accept": "2027-01-13",
        "resolve": "2027-02-11",
        "file_second_complaint": None,
    }
    resolve = data["steps"][1]
    assert resolve["limit"] == 30 and resolve["unit"] == "days"
    assert resolve["counts_from"] == "accepted"
    assert resolve["citation"] == "Luật Khiếu nại 02/2011/QH13, Điều 28"


def test_output_keeps_vietnamese_letters() -> None:
    out = StringIO()
    call_command(
        "compute_deadlines", "--kind", "denunciation", "--received", "2026-09-01", stdout=out
    )
    assert "Luật Tố cáo" in out.getvalue()


def test_without_acceptance_the_steps_counted_from_it_are_null() -> None:
    data = run("--kind", "complaint_first", "--received", "2026-06-30")
    assert data["rule_set"]["effective_from"] == "2019-01-01"
    resolve = next(s for s in data["steps"] if s["step"] == "resolve")
    assert resolve["due"] is None and resolve["counts_from"] == "accepted"
    assert dues(data)["accept"] == "2026-07-14"


def test_unit_code_applies_the_remote_flag_of_the_commune(remote_commune: Any) -> None:
    args = ["--kind", "complaint_first", "--received", "2026-07-10", "--accepted", "2026-07-17"]
    remote = run(*args, "--unit", REMOTE_COMMUNE)
    assert remote["remote"] is True
    assert remote["unit"]["code"] == REMOTE_COMMUNE
    assert dues(remote)["resolve"] == "2026-09-03"  # 45 days → Mon 31 Aug off → Thu 3 Sep
    plain = run(*args, "--unit", PLAIN_COMMUNE)
    assert plain["remote"] is False
    assert dues(plain)["resolve"] == "2026-08-17"


def test_remote_can_be_stated_directly() -> None:
    data = run(
        "--kind",
        "complaint_first",
        "--received",
        "2026-07-10",
        "--accepted",
        "2026-07-17",
        "--remote",
        "--complex",
    )
    assert data["remote"] is True and data["complexity"] == "complex"
    assert dues(data)["resolve"] == "2026-09-15"  # 60 days


def test_especially_complex_denunciation_lists_both_extensions() -> None:
    data = run(
        "--kind",
        "denunciation",
        "--received",
        "2026-08-28",
        "--accepted",
        "2026-09-03",
        "--especially-complex",
    )
    resolve = next(s for s in data["steps"] if s["step"] == "resolve")
    assert resolve["due"] == "2026-10-05"
    assert resolve["extended_due"] == ["2026-11-04", "2026-12-04"]
    assert resolve["extensions_allowed"] == 2


def test_granted_extensions_move_the_due_date_and_the_superior_report() -> None:
    data = run(
        "--kind",
        "denunciation",
        "--received",
        "2026-08-28",
        "--accepted",
        "2026-09-03",
        "--complex",
        "--extensions",
        "1",
    )
    assert dues(data)["resolve"] == "2026-11-04"
    assert dues(data)["superior_report"] == "2026-11-11"  # Nov 5,6,9,10,11


def test_opinion_prints_no_steps_and_a_note() -> None:
    data = run("--kind", "opinion", "--received", "2026-09-01")
    assert data["steps"] == []
    assert data["notes"]


def test_joint_voter_recommendation() -> None:
    data = run("--kind", "voter_recommendation", "--received", "2026-12-28", "--joint")
    assert dues(data) == {
        "coordinate": "2027-01-05",
        "coordination_reply": "2027-01-20",
        "answer": "2027-02-16",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--kind", "petition", "--received", "2026-09-01"], "Valid kinds: opinion, reflection"),
        (["--kind", "reception", "--received", "2026-02-30"], "not a date"),
        (["--kind", "reception", "--received", "01/09/2026"], "not a date"),
        (
            ["--kind", "complaint_first", "--received", "2026-09-01", "--accepted", "2026-9-9"],
            "not a date",
        ),
        (
            ["--kind", "complaint_first", "--received", "2026-09-10", "--accepted", "2026-09-01"],
            "acceptance date cannot be before",
        ),
        (
            [
                "--kind",
                "complaint_first",
                "--received",
                "2026-09-01",
                "--unit",
                "17329",
                "--remote",
            ],
            "not both",
        ),
        (
            [
                "--kind",
                "denunciation",
                "--received",
                "2026-09-01",
                "--complex",
                "--especially-complex",
            ],
            "not both",
        ),
        (["--kind", "reception", "--received", "2026-09-01", "--unit", "99999"], "99999"),
        (["--kind", "reception", "--received", "2018-06-01"], "No rule set"),
        (
            ["--kind", "denunciation", "--received", "2026-09-01", "--extensions", "1"],
            "at most 0",
        ),
        (["--kind", "reception", "--received", "2026-09-01", "--joint"], "joint"),
    ],
)
def test_bad_arguments_are_clear_errors(args: list[str], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("compute_deadlines", *args, stdout=StringIO())


def test_a_province_code_is_not_a_commune(national_units: None) -> None:
    with pytest.raises(CommandError, match="not a commune"):
        call_command(
            "compute_deadlines",
            "--kind",
            "reception",
            "--received",
            "2026-09-01",
            "--unit",
            "40",
            stdout=StringIO(),
        )
