"""The dashboards' triggers count "answered on time" exactly as the one Python definition does
(``danvan.voices.on_time``), on both sides of every boundary, on SQLite and PostgreSQL: so the
SQL written for two databases cannot drift from the rule."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.dashboards import sql
from danvan.dashboards.models import Bucket, VoiceFact
from danvan.dashboards.tests.helpers import submit
from danvan.voices.models import Voice
from danvan.voices.on_time import answered_on_time, answered_on_time_q, due_in_force
from danvan.voices.services_answer import case_answer, case_publish, case_reopen
from danvan.voices.services_handling import case_extend
from danvan.voices.services_routing import case_accept, case_assign

pytestmark = pytest.mark.django_db

LOCAL = zoneinfo.ZoneInfo(settings.TIME_ZONE)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LOCAL)


class _Case:
    """One complaint taken through the services; ``answer(at)`` answers it at a given moment."""

    def __init__(self, world: Any, officer: Any, *, kind: str = "complaint_first") -> None:
        self.actor = Actor.of_user(officer)
        voice = submit(world, days_ago=40, kind=kind)
        voice = case_accept(
            actor=self.actor,
            voice=voice,
            expected_version=voice.version,
            accepted_on=voice.received_on + datetime.timedelta(days=1),
        )
        self.voice = case_assign(
            actor=self.actor, voice=voice, expected_version=voice.version, body=world.anh_son_body
        )

    @property
    def due(self) -> datetime.date:
        due = due_in_force(self.voice)
        assert due is not None
        return due

    def answer(self, at: datetime.datetime, monkeypatch: Any) -> _Case:
        monkeypatch.setattr(timezone, "now", lambda: at)
        try:
            self.voice = case_answer(
                actor=self.actor,
                voice=self.voice,
                expected_version=self.voice.version,
                text="Đã trả lời.",
            )
        finally:
            monkeypatch.undo()
        return self

    def reopen(self) -> _Case:
        v = case_publish(actor=self.actor, voice=self.voice, expected_version=self.voice.version)
        self.voice = case_reopen(
            actor=self.actor, voice=v, expected_version=v.version, reason="Chưa thỏa đáng."
        )
        return self

    def extend(self) -> _Case:
        self.voice = case_extend(
            actor=self.actor,
            voice=self.voice,
            expected_version=self.voice.version,
            step="resolve",
            reason="Vụ việc phức tạp.",
            complexity="complex",
        )
        return self


def _cases(world: Any, officer: Any, monkeypatch: Any) -> dict[str, tuple[_Case, bool]]:
    """Each case with what the rule must say of it."""

    def case(**kwargs: Any) -> _Case:
        return _Case(world, officer, **kwargs)

    c = case()
    due = c.due
    cases = {
        "on the due day, last minute": (c.answer(_at(due, 23, 59), monkeypatch), True),
        # 00:30 in Vietnam is still the due day in UTC: the local day decides.
        "the day after, just past midnight": (
            case().answer(_at(due + datetime.timedelta(days=1), 0, 30), monkeypatch),
            False,
        ),
        "the day after": (
            case().answer(_at(due + datetime.timedelta(days=1), 9), monkeypatch),
            False,
        ),
        "the day before": (
            case().answer(_at(due - datetime.timedelta(days=1), 9), monkeypatch),
            True,
        ),
        "not answered": (case(), False),
        "no due date": (
            case(kind="opinion").answer(_at(due + datetime.timedelta(days=300), 9), monkeypatch),
            True,
        ),
        "reopened, still open after an answer on time": (
            case().answer(_at(due, 9), monkeypatch).reopen(),
            True,
        ),
        "reopened, answered again late": (
            case()
            .answer(_at(due, 9), monkeypatch)
            .reopen()
            .answer(_at(due + datetime.timedelta(days=1), 9), monkeypatch),
            False,
        ),
    }
    extended = case().extend()
    assert extended.due > due  # complex: 45 days instead of 30
    cases["extended, answered after the first due date"] = (
        extended.answer(_at(due + datetime.timedelta(days=1), 9), monkeypatch),
        True,
    )
    cases["extended, answered the day after the new one"] = (
        case().extend().answer(_at(extended.due + datetime.timedelta(days=1), 9), monkeypatch),
        False,
    )
    return cases


def _on_time_by_trigger() -> set[int]:
    return set(VoiceFact.objects.filter(on_time=1).values_list("voice_id", flat=True))


def test_the_triggers_count_on_time_as_the_python_rule_on_both_sides_of_every_boundary(
    world: Any, commune_officer: Any, monkeypatch: Any
) -> None:
    cases = _cases(world, commune_officer, monkeypatch)
    expected = {name: on_time for name, (_case, on_time) in cases.items()}
    ids = {c.voice.pk: name for name, (c, _on_time) in cases.items()}
    voices = Voice.objects.filter(pk__in=ids).prefetch_related("deadlines")

    by_python = {ids[v.pk]: answered_on_time(v) for v in voices}
    assert by_python == expected
    by_query = {ids[pk] for pk in voices.filter(answered_on_time_q()).values_list("pk", flat=True)}
    assert by_query == {name for name, on_time in expected.items() if on_time}

    by_trigger = {name: pk in _on_time_by_trigger() for pk, name in ids.items()}
    assert by_trigger == expected
    in_buckets = Bucket.objects.filter(area=world.nghe_an, dim="total").aggregate(n=Sum("on_time"))
    assert in_buckets["n"] == sum(expected.values()) == voices.filter(answered_on_time_q()).count()

    # Recomputed from the voices as they stand, the counts are the same.
    with transaction.atomic():
        sql.rebuild(connection)
    assert {name: pk in _on_time_by_trigger() for pk, name in ids.items()} == expected
    in_buckets = Bucket.objects.filter(area=world.nghe_an, dim="total").aggregate(n=Sum("on_time"))
    assert in_buckets["n"] == sum(expected.values())


@pytest.mark.xfail(
    strict=True,
    reason=(
        "Known difference, left for a decision: a case answered late, reopened and then extended "
        "keeps its late verdict on the fact (decided when answered), while the rule read off the "
        "stored voice, and so sql.rebuild, measure the old answer against the extended due date."
    ),
)
def test_a_reopened_case_extended_before_its_new_answer_counts_the_same(
    world: Any, commune_officer: Any, monkeypatch: Any
) -> None:
    case = _Case(world, commune_officer)
    due = case.due
    case.answer(_at(due + datetime.timedelta(days=1), 9), monkeypatch).reopen().extend()
    voice = Voice.objects.prefetch_related("deadlines").get(pk=case.voice.pk)
    assert (voice.pk in _on_time_by_trigger()) == answered_on_time(voice)
