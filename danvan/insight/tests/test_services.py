"""Matching voices into issues as they arrive, officers' decisions, answering, learning."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.insight.learning import MIN_LABELS, learned_threshold
from danvan.insight.models import (
    DecisionKind,
    Issue,
    IssueStatus,
    PairLabel,
    TopicLabel,
    TopicModel,
)
from danvan.insight.services import (
    StaleIssueError,
    issue_answer,
    issue_confirm,
    issue_merge,
    issue_split,
    voice_move,
)
from danvan.insight.services_training import insight_train
from danvan.insight.trained import active_trained
from danvan.lib.testing import refused
from danvan.voices.models import Topic, Voice, VoiceStatus
from danvan.voices.services_routing import case_accept, case_set_topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FLOOD = [
    "Đường xóm 7 bị ngập sâu mỗi khi mưa, nước tràn vào nhà dân",
    "duong xom 7 ngap nuoc qua, mua la ngap, xe ko di dc",
    "Cử tri xóm 7 đề nghị nâng cốt đường, đường ngập úng kéo dài sau mỗi trận mưa",
    "Kính gửi UBND xã, con đường xóm 7 ngập lụt, học sinh không đi học được",
    "DUONG XOM 7 NGAP HET ROI, DE NGHI XA XU LY",
]


@pytest.fixture
def officer(commune_officer):
    return Actor(user=commune_officer, ip="198.51.100.7", label="")


def test_voices_about_one_flooded_road_become_one_issue(say):
    voices = [say(text) for text in FLOOD]

    issues = {v.issue_id for v in voices}
    assert len(issues) == 1
    issue = Issue.objects.get(pk=issues.pop())
    assert issue.voice_count == len(FLOOD)
    assert issue.unit.code == "17329"  # the village's commune
    assert issue.status == IssueStatus.OPEN


def test_the_same_complaint_in_two_communes_is_two_issues(say, world):
    here = say(FLOOD[0])
    there = say(FLOOD[0], unit=world.muong_xen_village)

    assert here.issue_id != there.issue_id
    assert Issue.objects.get(pk=there.issue_id).unit == world.muong_xen


def test_another_hamlet_or_another_problem_at_one_place_is_another_issue(say):
    road = say("Đường xóm 3 bị sụt lún, nhiều ổ gà, xe máy ngã liên tục")
    other_hamlet = say("Đường xóm 5 bị sụt lún, nhiều ổ gà, xe máy ngã liên tục")
    ditch = say("Mương thoát nước xóm 3 bị tắc cống, rác ứ đọng, bốc mùi hôi thối")

    assert len({road.issue_id, other_hamlet.issue_id, ditch.issue_id}) == 3


def test_officers_merge_split_and_move_and_each_decision_is_kept(say, officer):
    first = say("Đường xóm 3 bị sụt lún, nhiều ổ gà")
    second = say("Trạm y tế xã thiếu thuốc, bác sĩ không trực đêm")
    a, b = Issue.objects.get(pk=first.issue_id), Issue.objects.get(pk=second.issue_id)

    merged = issue_merge(actor=officer, issue=b, into=a, expected_version=b.version)

    b.refresh_from_db()
    assert merged.pk == a.pk and merged.voice_count == 2
    assert b.status == IssueStatus.CLOSED and b.merged_into == a
    assert PairLabel.objects.filter(same=True).count() == 1

    new = issue_split(
        actor=officer, issue=merged, voice_ids=[second.pk], expected_version=merged.version
    )
    second.refresh_from_db()
    assert second.issue_id == new.pk and new.voice_count == 1 and new.is_confirmed
    pair = PairLabel.objects.get(first=first, second=second)
    assert pair.same is False  # the later decision replaces the earlier label

    a.refresh_from_db()
    moved = voice_move(actor=officer, voice=second, to=a, expected_version=new.version)
    assert moved.pk == a.pk
    assert list(a.decisions.order_by("id").values_list("kind", flat=True)) == [
        DecisionKind.MERGE,
        DecisionKind.SPLIT,
    ]
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "issue.merge",
        "issue.split",
        "issue.move",
    }


def test_a_stale_version_is_refused_and_changes_nothing(say, officer):
    voice = say(FLOOD[0])
    issue = Issue.objects.get(pk=voice.issue_id)
    issue_confirm(actor=officer, issue=issue, expected_version=issue.version)

    with pytest.raises(StaleIssueError):
        issue_confirm(actor=officer, issue=issue, expected_version=issue.version - 1)


def test_an_officer_of_another_commune_may_not_decide(say, world, officer):
    voice = say(FLOOD[0], unit=world.muong_xen_village)
    issue = Issue.objects.get(pk=voice.issue_id)

    # The commune officer of Anh Sơn has no right in Mường Xén.
    with pytest.raises(PermissionDenied):
        issue_confirm(actor=officer, issue=issue, expected_version=issue.version)
    issue.refresh_from_db()
    assert not issue.is_confirmed


def test_splitting_every_voice_out_or_merging_into_itself_is_refused(say, officer):
    voice = say(FLOOD[0])
    issue = Issue.objects.get(pk=voice.issue_id)

    assert refused(
        lambda: issue_split(
            actor=officer, issue=issue, voice_ids=[voice.pk], expected_version=issue.version
        ),
        "nothing to split",
    )
    assert refused(
        lambda: issue_merge(actor=officer, issue=issue, into=issue, expected_version=issue.version)
    )
    issue.refresh_from_db()
    assert issue.voice_count == 1 and issue.status == IssueStatus.OPEN


def test_answering_an_issue_answers_each_accepted_voice_and_lists_the_others(say, officer):
    voices = [say(text) for text in FLOOD[:3]]
    issue = Issue.objects.get(pk=voices[0].issue_id)
    for voice in voices[:2]:
        case_accept(actor=officer, voice=voice, expected_version=voice.version)

    outcome = issue_answer(
        actor=officer,
        issue=issue,
        expected_version=issue.version,
        text="Xã đã bố trí kinh phí nâng cốt đường xóm 7 trong tháng 12.",
        publish=True,
    )

    assert outcome.answered == 2 and outcome.published == 2
    assert outcome.skipped == [voices[2].tracking_code]
    for voice in voices[:2]:
        voice.refresh_from_db()
        assert voice.status == VoiceStatus.PUBLISHED
        assert "nâng cốt đường" in voice.answer_text
    voices[2].refresh_from_db()
    assert voices[2].status == VoiceStatus.RECEIVED
    assert outcome.issue.status == IssueStatus.OPEN  # one voice is still waiting


def test_an_empty_answer_is_refused(say, officer):
    voice = say(FLOOD[0])
    issue = Issue.objects.get(pk=voice.issue_id)
    assert refused(
        lambda: issue_answer(actor=officer, issue=issue, expected_version=issue.version, text=" "),
        "empty",
    )


def test_the_threshold_moves_only_with_enough_labels_of_both_kinds():
    few = [(0.9, True)] * (MIN_LABELS - 1) + [(0.1, False)] * 20
    assert learned_threshold(few, default=0.7) == 0.7
    # Officers kept apart pairs scoring up to 0.72 and joined pairs from 0.8: the threshold rises.
    labels = [(0.8 + i / 100, True) for i in range(12)] + [
        (0.6 + i / 100, False) for i in range(13)
    ]
    learned = learned_threshold(labels, default=0.7)
    assert 0.72 < learned <= 0.8


def test_training_learns_topics_and_the_suggestion_is_stored(say, officer):
    for i in range(30):
        say(f"Đường xóm {i} bị sụt lún, ổ gà, xe ngã", topic="infrastructure")
        say(f"Trạm y tế xã thiếu thuốc cho người bệnh số {i}", topic="health")
    model = insight_train()

    assert model is not None and TopicModel.objects.filter(is_active=True).count() == 1
    assert model.samples == 60 and model.accuracy is not None
    voice = say("Trạm y tế không có thuốc, bác sĩ vắng", topic="infrastructure")
    assert voice.suggested_topic == Topic.objects.get(code="health", province=None)
    assert 0 < voice.topic_confidence <= 1
    assert active_trained().model_id == model.pk


def test_a_topic_correction_is_kept_for_training(say, officer):
    voice = say("Trạm y tế không có thuốc", topic="infrastructure")
    health = Topic.objects.get(code="health", province=None)

    voice = case_set_topic(actor=officer, voice=voice, expected_version=voice.version, topic=health)

    assert voice.topic == health
    assert TopicLabel.objects.get(voice=voice).topic == health
    assert voice.events.filter(action="set_topic").exists()


def test_voices_join_an_issue_only_once_even_if_analysed_again(say):
    voice = say(FLOOD[0])
    from danvan.insight.services_matching import voice_analyse

    voice_analyse(voice_id=voice.pk)
    assert Issue.objects.get(pk=voice.issue_id).voice_count == 1
    assert Voice.objects.filter(issue_id=voice.issue_id).count() == 1
