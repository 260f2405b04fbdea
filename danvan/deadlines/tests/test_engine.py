from __future__ import annotations

import datetime

import pytest

from danvan.deadlines.engine import compute_schedule
from danvan.deadlines.errors import DeadlineError, NoRuleSetError
from danvan.deadlines.models import RuleSet, TimeLimitRule, VoiceKind
from danvan.deadlines.selectors import rule_set_for

D = datetime.date
pytestmark = pytest.mark.django_db


def test_a_case_uses_the_rule_set_in_force_on_the_day_it_was_received() -> None:
    assert rule_set_for(D(2026, 6, 30)).effective_from == D(2019, 1, 1)
    assert rule_set_for(D(2026, 7, 1)).effective_from == D(2026, 7, 1)
    assert rule_set_for(D(2030, 1, 1)).effective_from == D(2026, 7, 1)


def test_a_voice_received_before_the_first_rule_set_has_no_schedule() -> None:
    with pytest.raises(NoRuleSetError):
        compute_schedule(kind="complaint_first", received=D(2018, 12, 31))


def test_every_kind_but_opinion_has_time_limits_in_both_rule_sets() -> None:
    for rule_set in RuleSet.objects.all():
        kinds = set(rule_set.rules.values_list("kind", flat=True))
        assert kinds == set(VoiceKind.values) - {VoiceKind.OPINION}, rule_set


def test_the_2026_first_acceptance_is_seven_working_days_to_verify() -> None:
    rule = TimeLimitRule.objects.get(
        rule_set__effective_from=D(2026, 7, 1), kind="complaint_first", step="accept"
    )
    assert (rule.amount, rule.unit, rule.verify) == (7, "working_days", True)
    assert "155/2026" in rule.citation
    old = TimeLimitRule.objects.get(
        rule_set__effective_from=D(2019, 1, 1), kind="complaint_first", step="accept"
    )
    assert (old.amount, old.unit) == (10, "working_days")
    assert "Điều 27" in old.citation and "07/2013/TT-TTCP" in old.citation


def test_an_opinion_has_no_legal_deadline_and_says_so() -> None:
    schedule = compute_schedule(kind="opinion", received=D(2026, 9, 1))
    assert schedule.steps == ()
    assert schedule.notes and "no time limit" in schedule.notes[0]
    assert schedule.as_dict()["steps"] == []


def test_steps_counted_from_acceptance_wait_for_it() -> None:
    schedule = compute_schedule(kind="complaint_first", received=D(2026, 9, 1))
    resolve = schedule.step("resolve")
    assert resolve is not None
    assert resolve.due is None and resolve.counts_from == "accepted"
    assert schedule.due("accept") == D(2026, 9, 11)  # Sep 3,4,7,8,9,10,11 (7 working days)
    assert any("acceptance" in note for note in schedule.notes)


def test_a_step_counted_from_an_unknown_due_date_has_no_date_either() -> None:
    schedule = compute_schedule(kind="denunciation", received=D(2026, 9, 1))
    report = schedule.step("superior_report")
    assert report is not None and report.due is None
    assert report.as_dict()["after_step"] == "resolve"


def test_forwarding_is_marked_as_applying_only_outside_competence() -> None:
    schedule = compute_schedule(kind="reflection", received=D(2026, 9, 1))
    forward = schedule.step("forward")
    assert forward is not None and forward.applies_when == "not_competent"


def test_a_body_may_set_its_own_limit_where_the_law_leaves_it_open() -> None:
    # Reflection answered in 5 working days: after Fri 28 Aug 2026, Sep 3,4,7,8,9.
    schedule = compute_schedule(
        kind="reflection", received=D(2026, 8, 28), limit_overrides={"answer": 5}
    )
    assert schedule.due("answer") == D(2026, 9, 9)
    with pytest.raises(DeadlineError):
        compute_schedule(
            kind="complaint_first", received=D(2026, 8, 28), limit_overrides={"accept": 20}
        )


def test_extensions_are_limited_by_complexity() -> None:
    with pytest.raises(DeadlineError, match="at most 0"):
        compute_schedule(
            kind="denunciation",
            received=D(2026, 8, 28),
            accepted=D(2026, 9, 3),
            extensions={"resolve": 1},
        )
    with pytest.raises(DeadlineError, match="at most 1"):
        compute_schedule(
            kind="denunciation",
            received=D(2026, 8, 28),
            accepted=D(2026, 9, 3),
            complexity="complex",
            extensions={"resolve": 2},
        )
    with pytest.raises(DeadlineError):
        compute_schedule(kind="reception", received=D(2026, 8, 28), extensions={"resolve": 1})


def test_especially_complex_complaints_use_the_complex_limit() -> None:
    schedule = compute_schedule(
        kind="complaint_first",
        received=D(2026, 9, 25),
        accepted=D(2026, 10, 1),
        complexity="especially_complex",
    )
    assert schedule.due("resolve") == D(2026, 11, 16)


def test_a_joint_answer_exists_only_for_voter_recommendations() -> None:
    with pytest.raises(DeadlineError, match="voter_recommendation"):
        compute_schedule(kind="reception", received=D(2026, 9, 1), joint=True)
    own = compute_schedule(kind="voter_recommendation", received=D(2026, 9, 1))
    assert [s.step for s in own.steps] == ["answer"]
    joint = compute_schedule(kind="voter_recommendation", received=D(2026, 9, 1), joint=True)
    assert [s.step for s in joint.steps] == ["coordinate", "coordination_reply", "answer"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "petition"}, "complaint_first"),
        ({"kind": "complaint_first", "accepted": D(2026, 8, 31)}, "acceptance"),
        ({"kind": "complaint_first", "decided": D(2026, 8, 1)}, "decision"),
        ({"kind": "complaint_first", "complexity": "hard"}, "especially_complex"),
    ],
)
def test_bad_input_is_a_deadline_error_with_a_clear_message(
    kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(DeadlineError, match=message):
        compute_schedule(received=D(2026, 9, 1), **kwargs)  # type: ignore[arg-type]


def test_the_schedule_serializes_to_plain_json_types() -> None:
    import json

    schedule = compute_schedule(
        kind="denunciation",
        received=D(2026, 8, 28),
        accepted=D(2026, 9, 3),
        complexity="especially_complex",
    )
    data = json.loads(json.dumps(schedule.as_dict()))
    assert data["rule_set"]["effective_from"] == "2026-07-01"
    resolve = next(s for s in data["steps"] if s["step"] == "resolve")
    assert resolve["extended_due"] == ["2026-11-04", "2026-12-04"]
    assert resolve["citation"] == "Luật Tố cáo 25/2018/QH14, Điều 30"


def test_a_stored_rule_set_can_be_reused_for_a_recomputation() -> None:
    old = RuleSet.objects.get(effective_from=D(2019, 1, 1))
    schedule = compute_schedule(kind="complaint_first", received=D(2026, 7, 1), rule_set=old)
    assert schedule.due("accept") == D(2026, 7, 15)  # 10 working days: Jul 2,3,6,...,14,15
