"""Due dates computed by hand, from a printed calendar, and checked against the engine.

Days off used below (from the ``holidays`` package, checked against the government's notices):
2026: 1 Jan; Tết 16–20 Feb (Mon–Fri); 27 Apr (Hùng Kings, observed); 30 Apr, 1 May;
      Saturday 22 Aug is worked in exchange for Monday 31 Aug; 31 Aug, 1–2 Sep; 24 Nov
      (Vietnam Culture Day).
2027: 1 Jan; Tết 4–10 Feb (Thu–Wed); 16 Apr; 30 Apr; 3 May (observed); 2–3 Sep; 24 Nov.

Rule sets: before 1 July 2026 a first complaint is accepted within 10 working days; from
1 July 2026 within 7. Each ``why`` shows the counting: the day of the event is never counted.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import pytest

from danvan.audit.context import Actor
from danvan.deadlines.engine import compute_schedule
from danvan.deadlines.selectors import unit_for_deadlines, unit_is_remote
from danvan.deadlines.services import calendar_exception_set

from .conftest import PLAIN_COMMUNE, REMOTE_COMMUNE


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    received: str
    step: str
    due: str | None
    why: str
    accepted: str | None = None
    decided: str | None = None
    remote: bool = False
    unit: str | None = None
    complexity: str = "normal"
    joint: bool = False
    extensions: int = 0
    extended_due: tuple[str, ...] | None = None
    #: Administrator's calendar exceptions: (day, is_working_day).
    exceptions: tuple[tuple[str, bool], ...] = field(default=())


CASES = [
    Case(
        id="legal-rules worked example: 30 days end in Tết 2027",
        kind="complaint_first",
        received="2027-01-04",
        accepted="2027-01-10",
        step="resolve",
        due="2027-02-11",
        why="10 Jan + 30 days = Tue 9 Feb, in Tết (4–10 Feb) → Thu 11 Feb.",
    ),
    Case(
        id="complaint accepted: received 30 June 2026, old rules (10 working days)",
        kind="complaint_first",
        received="2026-06-30",
        step="accept",
        due="2026-07-14",
        why="Jul 1,2,3,6,7,8,9,10,13,14 → 14 Jul.",
    ),
    Case(
        id="complaint accepted: received 1 July 2026, new rules (7 working days)",
        kind="complaint_first",
        received="2026-07-01",
        step="accept",
        due="2026-07-10",
        why="Jul 2,3,6,7,8,9,10 → 10 Jul: a day later receipt, four days earlier due.",
    ),
    Case(
        id="complaint received the day before Tết 2027",
        kind="complaint_first",
        received="2027-02-03",
        step="accept",
        due="2027-02-19",
        why="4–10 Feb off; Feb 11,12,15,16,17,18,19 → 19 Feb.",
    ),
    Case(
        id="citizen reception the Monday before Tết 2027",
        kind="reception",
        received="2027-02-01",
        step="answer",
        due="2027-02-22",
        why="Feb 2,3, (4–10 off), 11,12,15,16,17,18,19,22 → 22 Feb.",
    ),
    Case(
        id="citizen reception on a Tết holiday: counting starts after it",
        kind="reception",
        received="2027-02-06",
        step="answer",
        due="2027-02-24",
        why="Feb 11,12,15,16,17,18,19,22,23,24 → 24 Feb.",
    ),
    Case(
        id="complaint received the Friday before Tết 2026 (old rules)",
        kind="complaint_first",
        received="2026-02-13",
        step="accept",
        due="2026-03-06",
        why="16–20 Feb off; Feb 23,24,25,26,27, Mar 2,3,4,5,6 → 6 Mar.",
    ),
    Case(
        id="denunciation received Friday 28 Aug 2026 before the National Day break",
        kind="denunciation",
        received="2026-08-28",
        step="classify",
        due="2026-09-11",
        extended_due=("2026-09-16",),
        why="31 Aug–2 Sep off; Sep 3,4,7,8,9,10,11 → 11 Sep; up to 10: 14,15,16 → 16 Sep.",
    ),
    Case(
        id="denunciation outside competence: forward within 5 working days of Friday 28 Aug",
        kind="denunciation",
        received="2026-08-28",
        step="forward",
        due="2026-09-09",
        why="Sep 3,4,7,8,9 → 9 Sep.",
    ),
    Case(
        id="reflection received Friday 28 Aug 2026: default answer limit",
        kind="reflection",
        received="2026-08-28",
        step="answer",
        due="2026-09-16",
        why="Sep 3,4,7,8,9,10,11,14,15,16 → 16 Sep.",
    ),
    Case(
        id="Saturday 22 Aug 2026 is worked in exchange for 31 Aug",
        kind="reception",
        received="2026-08-21",
        step="answer",
        due="2026-09-08",
        why="Aug 22(Sat, worked),24,25,26,27,28, (31 Aug–2 Sep off), Sep 3,4,7,8 → 8 Sep.",
    ),
    Case(
        id="reception before the 30 April – 1 May 2026 holidays",
        kind="reception",
        received="2026-04-24",
        step="answer",
        due="2026-05-13",
        why="27 Apr off (observed); Apr 28,29, (30, 1 off), May 4,5,6,7,8,11,12,13 → 13 May.",
    ),
    Case(
        id="remote commune by unit code: 45 days end on the 31 Aug day off",
        kind="complaint_first",
        received="2026-07-10",
        accepted="2026-07-17",
        unit=REMOTE_COMMUNE,
        step="resolve",
        due="2026-09-03",
        why="17 Jul + 45 days = Mon 31 Aug, off, as are 1–2 Sep → Thu 3 Sep.",
    ),
    Case(
        id="same case in a commune that is not remote: 30 days",
        kind="complaint_first",
        received="2026-07-10",
        accepted="2026-07-17",
        unit=PLAIN_COMMUNE,
        step="resolve",
        due="2026-08-17",
        why="17 Jul + 30 days = Sun 16 Aug → Mon 17 Aug.",
    ),
    Case(
        id="remote commune, complex complaint: 60 days",
        kind="complaint_first",
        received="2026-07-10",
        accepted="2026-07-17",
        unit=REMOTE_COMMUNE,
        complexity="complex",
        step="resolve",
        due="2026-09-15",
        why="17 Jul + 60 days = Tue 15 Sep.",
    ),
    Case(
        id="complex first complaint: 45 days",
        kind="complaint_first",
        received="2026-09-25",
        accepted="2026-10-01",
        complexity="complex",
        step="resolve",
        due="2026-11-16",
        why="1 Oct + 45 days = Sun 15 Nov → Mon 16 Nov.",
    ),
    Case(
        id="second complaint ending on Vietnam Culture Day 24 Nov 2026",
        kind="complaint_second",
        received="2026-10-05",
        accepted="2026-10-10",
        step="resolve",
        due="2026-11-25",
        why="10 Oct + 45 days = Tue 24 Nov, a holiday → Wed 25 Nov.",
    ),
    Case(
        id="second complaint, remote and complex: 70 days",
        kind="complaint_second",
        received="2026-09-28",
        accepted="2026-10-01",
        remote=True,
        complexity="complex",
        step="resolve",
        due="2026-12-10",
        why="1 Oct + 70 days = Thu 10 Dec.",
    ),
    Case(
        id="second complaint accepted across 24 Nov 2026",
        kind="complaint_second",
        received="2026-11-20",
        step="accept",
        due="2026-12-07",
        why="Nov 23, (24 off), 25,26,27,30, Dec 1,2,3,4,7 → 7 Dec.",
    ),
    Case(
        id="first decision received: 30 days to file a second complaint",
        kind="complaint_first",
        received="2026-12-01",
        accepted="2026-12-04",
        decided="2027-01-15",
        step="file_second_complaint",
        due="2027-02-15",
        why="15 Jan + 30 days = Sun 14 Feb → Mon 15 Feb.",
    ),
    Case(
        id="first decision received, remote commune: 45 days to file a second complaint",
        kind="complaint_first",
        received="2026-12-01",
        accepted="2026-12-04",
        decided="2027-01-15",
        remote=True,
        step="file_second_complaint",
        due="2027-03-01",
        why="15 Jan + 45 days = Mon 1 Mar.",
    ),
    Case(
        id="complex denunciation, no extension yet",
        kind="denunciation",
        received="2026-08-28",
        accepted="2026-09-03",
        complexity="complex",
        step="resolve",
        due="2026-10-05",
        extended_due=("2026-11-04",),
        why="3 Sep + 30 = Sat 3 Oct → Mon 5 Oct; extension: 5 Oct + 30 = Wed 4 Nov.",
    ),
    Case(
        id="complex denunciation with its one extension",
        kind="denunciation",
        received="2026-08-28",
        accepted="2026-09-03",
        complexity="complex",
        extensions=1,
        step="resolve",
        due="2026-11-04",
        extended_due=("2026-11-04",),
        why="As above, extended once → 4 Nov.",
    ),
    Case(
        id="especially complex denunciation with two extensions",
        kind="denunciation",
        received="2026-08-28",
        accepted="2026-09-03",
        complexity="especially_complex",
        extensions=2,
        step="resolve",
        due="2026-12-04",
        extended_due=("2026-11-04", "2026-12-04"),
        why="5 Oct → 4 Nov → 4 Nov + 30 = Fri 4 Dec.",
    ),
    Case(
        id="overdue denunciation: report to the superior 5 working days after the due date",
        kind="denunciation",
        received="2026-08-28",
        accepted="2026-09-03",
        complexity="especially_complex",
        extensions=2,
        step="superior_report",
        due="2026-12-11",
        why="After Fri 4 Dec: Dec 7,8,9,10,11 → 11 Dec.",
    ),
    Case(
        id="complex denunciation ending in Tết 2027, extended once",
        kind="denunciation",
        received="2027-01-04",
        accepted="2027-01-07",
        complexity="complex",
        extensions=1,
        step="resolve",
        due="2027-03-15",
        extended_due=("2027-03-15",),
        why="7 Jan + 30 = Sat 6 Feb (Tết) → Thu 11 Feb; + 30 = Sat 13 Mar → Mon 15 Mar.",
    ),
    Case(
        id="denunciation received just before Tết 2027: classify",
        kind="denunciation",
        received="2027-02-01",
        step="classify",
        due="2027-02-17",
        extended_due=("2027-02-22",),
        why="Feb 2,3, (4–10 off), 11,12,15,16,17 → 17 Feb; then 18,19,22 → 22 Feb.",
    ),
    Case(
        id="voter recommendation within the agency's competence: 40 days into Tết",
        kind="voter_recommendation",
        received="2026-12-28",
        step="answer",
        due="2027-02-11",
        why="28 Dec + 40 days = Sat 6 Feb, in Tết → Thu 11 Feb.",
    ),
    Case(
        id="voter recommendation, lead agency of a joint answer: 50 days",
        kind="voter_recommendation",
        received="2026-12-28",
        joint=True,
        step="answer",
        due="2027-02-16",
        why="28 Dec + 50 days = Tue 16 Feb.",
    ),
    Case(
        id="joint voter recommendation: ask others to coordinate across New Year",
        kind="voter_recommendation",
        received="2026-12-28",
        joint=True,
        step="coordinate",
        due="2027-01-05",
        why="Dec 29,30,31, (1 Jan off), Jan 4,5 → 5 Jan.",
    ),
    Case(
        id="joint voter recommendation: the coordinating body replies within 15 days",
        kind="voter_recommendation",
        received="2026-12-28",
        joint=True,
        step="coordination_reply",
        due="2027-01-20",
        why="5 Jan + 15 days = Wed 20 Jan.",
    ),
    Case(
        id="administrator declares Friday 10 July 2026 a day off",
        kind="complaint_first",
        received="2026-07-01",
        step="accept",
        due="2026-07-13",
        exceptions=(("2026-07-10", False),),
        why="Jul 2,3,6,7,8,9, (10 off), 13 → 13 Jul.",
    ),
    Case(
        id="administrator makes Saturday 4 July 2026 a working day",
        kind="complaint_first",
        received="2026-07-01",
        step="accept",
        due="2026-07-09",
        exceptions=(("2026-07-04", True),),
        why="Jul 2,3,4(Sat, worked),6,7,8,9 → 9 Jul.",
    ),
    Case(
        id="administrator's day off moves a calendar-day limit too",
        kind="voter_recommendation",
        received="2026-07-01",
        step="answer",
        due="2026-08-11",
        exceptions=(("2026-08-10", False),),
        why="1 Jul + 40 days = Mon 10 Aug, declared off → Tue 11 Aug.",
    ),
]


def _day(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_due_date_matches_the_hand_computed_one(case: Case, request: pytest.FixtureRequest) -> None:
    remote = case.remote
    if case.unit is not None:
        request.getfixturevalue("remote_commune")
        remote = unit_is_remote(unit_for_deadlines(case.unit))
    for day, working in case.exceptions:
        calendar_exception_set(
            actor=Actor.system("test"),
            day=datetime.date.fromisoformat(day),
            is_working_day=working,
            reason="test",
        )
    schedule = compute_schedule(
        kind=case.kind,
        received=datetime.date.fromisoformat(case.received),
        accepted=_day(case.accepted),
        decided=_day(case.decided),
        remote=remote,
        complexity=case.complexity,
        joint=case.joint,
        extensions={"resolve": case.extensions} if case.extensions else None,
    )
    step = schedule.step(case.step)
    assert step is not None, f"no step {case.step} in {[s.step for s in schedule.steps]}"
    assert step.due == _day(case.due), case.why
    if case.extended_due is not None:
        assert [d.isoformat() if d else None for d in step.extended_due] == list(
            case.extended_due
        ), case.why


def test_the_table_has_at_least_twenty_cases() -> None:
    assert len(CASES) >= 20
    assert len({c.id for c in CASES}) == len(CASES)
