from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from danvan.deadlines.engine import compute_schedule
from danvan.deadlines.errors import NoRuleSetError
from danvan.deadlines.models import VoiceKind
from danvan.deadlines.rulebook import Rulebook

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("received", [D(2026, 6, 30), D(2026, 7, 1), D(2026, 11, 2)])
@pytest.mark.parametrize("remote", [False, True])
def test_the_rulebook_gives_the_schedule_compute_schedule_gives(received, remote) -> None:
    rulebook = Rulebook()
    for kind in VoiceKind.values:
        assert rulebook.schedule(kind=kind, received=received, remote=remote) == compute_schedule(
            kind=kind, received=received, remote=remote
        )


def test_the_rulebook_reads_the_rules_once_for_many_schedules() -> None:
    rulebook = Rulebook()
    rulebook.schedule(kind="complaint_first", received=D(2026, 11, 2))
    with CaptureQueriesContext(connection) as queries:
        for day in range(1, 29):
            for kind in VoiceKind.values:
                rulebook.schedule(kind=kind, received=D(2026, 10, day))
    assert len(queries) == 0


def test_a_day_before_every_rule_set_has_no_schedule_in_the_rulebook_either() -> None:
    with pytest.raises(NoRuleSetError):
        Rulebook().schedule(kind="complaint_first", received=D(2018, 12, 31))
