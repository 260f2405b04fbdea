"""Regrouping from scratch: the same issues as live matching, officers' issues kept."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from danvan.audit.context import Actor
from danvan.insight import regroup as regroup_module
from danvan.insight.models import Issue
from danvan.insight.regroup import regroup
from danvan.insight.services import issue_confirm
from danvan.voices.models import Voice

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

FLOOD = [
    "Đường xóm 7 bị ngập sâu mỗi khi mưa, nước tràn vào nhà dân",
    "duong xom 7 ngap nuoc qua, mua la ngap, xe ko di dc",
    "Kính gửi UBND xã, con đường xóm 7 ngập lụt, học sinh không đi học được",
]


def test_regrouping_rebuilds_the_issues_and_keeps_the_officers(say, world):
    flood = [say(text) for text in FLOOD]
    clinic = say("Trạm y tế xã thiếu thuốc, bác sĩ không trực ban đêm", topic="health")
    elsewhere = say(FLOOD[0], unit=world.muong_xen_village)
    pothole = say("Đường xóm 2 có nhiều ổ gà lớn", unit=world.muong_xen_village)
    # An officer confirmed this issue: it is kept as it is.
    kept = Issue.objects.get(pk=pothole.issue_id)
    issue_confirm(
        actor=Actor(user=None, ip="", label="test"), issue=kept, expected_version=kept.version
    )
    before = {v.pk: v.issue_id for v in [*flood, clinic, elsewhere]}

    report = regroup(processes=1)

    assert report.kept_issues == 1
    assert report.voices == 5  # every voice but the kept issue's
    for voice in [*flood, clinic, elsewhere, pothole]:
        voice.refresh_from_db()
    assert len({v.issue_id for v in flood}) == 1
    assert flood[0].issue_id not in {clinic.issue_id, elsewhere.issue_id}
    assert pothole.issue_id == kept.pk
    assert Issue.objects.get(pk=flood[0].issue_id).voice_count == 3
    assert set(before) == {v.pk for v in [*flood, clinic, elsewhere]}


def test_the_command_reports_what_it_did(say, capsys):
    say(FLOOD[0])
    call_command("regroup_issues", "--processes", "2")
    assert '"voices": 1' in capsys.readouterr().out


def test_regrouping_again_keeps_each_issue_and_moves_no_voice(say, world):
    flood = [say(text) for text in FLOOD]
    clinic = say("Trạm y tế xã thiếu thuốc, bác sĩ không trực ban đêm", topic="health")
    first = regroup(processes=1)
    issues = {v.pk: Voice.objects.get(pk=v.pk).issue_id for v in [*flood, clinic]}
    versions = dict(Issue.objects.values_list("pk", "version"))

    second = regroup(processes=1)

    assert (second.issues, second.moved_voices, second.deleted_issues) == (2, 0, 0)
    assert second.reused_issues == 2
    assert {v.pk: Voice.objects.get(pk=v.pk).issue_id for v in [*flood, clinic]} == issues
    # Nothing changed, so nothing was written: pages open on the issues stay current.
    assert dict(Issue.objects.values_list("pk", "version")) == versions
    assert first.voices == second.voices == 4


def test_a_split_voice_takes_a_new_issue_and_the_old_one_goes(say, world):
    """Two matters wrongly in one issue (put there by hand, not confirmed) come apart; the
    larger part keeps the issue's number, the other gets a new issue."""
    flood = [say(text) for text in FLOOD]
    clinic = say("Trạm y tế xã thiếu thuốc, bác sĩ không trực ban đêm", topic="health")
    wrong = Issue.objects.get(pk=flood[0].issue_id)
    Voice.objects.filter(pk=clinic.pk).update(issue=wrong)
    clinic_issue = Issue.objects.get(pk=clinic.issue_id)
    Issue.objects.filter(pk=clinic_issue.pk).update(voice_count=0)

    report = regroup(processes=1)

    clinic.refresh_from_db()
    assert Voice.objects.get(pk=flood[0].pk).issue_id == wrong.pk
    assert clinic.issue_id not in {wrong.pk, None}
    assert Issue.objects.get(pk=wrong.pk).voice_count == 3
    # The clinic's old issue held no voice any more and none took it over.
    assert report.reused_issues == 1
    assert report.moved_voices == 1
    assert report.deleted_issues == 1
    assert not Issue.objects.filter(pk=clinic_issue.pk).exists()


def test_a_voice_moved_while_its_commune_is_grouped_stays_where_it_was_put(say, world, monkeypatch):
    """Between reading a commune's voices and writing its issues, an officer moves a voice:
    the regroup leaves that voice alone and counts each issue's voices as they are."""
    flood = [say(text) for text in FLOOD]
    pothole = say("Đường xóm 2 có nhiều ổ gà lớn")
    elsewhere = Issue.objects.get(pk=pothole.issue_id)
    real_group = regroup_module._group

    def group_then_move(*args, **kwargs):
        groups = real_group(*args, **kwargs)
        Voice.objects.filter(pk=flood[2].pk).update(issue=elsewhere)
        return groups

    monkeypatch.setattr(regroup_module, "_group", group_then_move)
    report = regroup(processes=1)

    assert Voice.objects.get(pk=flood[2].pk).issue_id == elsewhere.pk
    flood_issue = Issue.objects.get(voices=flood[0])
    assert flood_issue.voice_count == 2 == Voice.objects.filter(issue=flood_issue).count()
    assert Issue.objects.get(pk=elsewhere.pk).voice_count == 2
    assert report.moved_voices < report.voices


def test_issues_left_without_voices_are_deleted_with_their_commune_regrouped(say, world):
    lonely = Issue.objects.get(pk=say(FLOOD[0]).issue_id)
    Voice.objects.filter(issue=lonely).delete()

    report = regroup(processes=1)

    assert report.voices == 0
    assert report.deleted_issues == 1
    assert not Issue.objects.exists()


def _regroup_rows():
    from danvan.audit.models import AuditEntry

    return AuditEntry.objects.filter(action="issue.regroup").order_by("id")


def test_each_commune_that_changes_writes_one_audit_row_of_counts_and_threshold(say, world):
    flood = [say(text) for text in FLOOD]
    say("Trạm y tế xã thiếu thuốc, bác sĩ không trực ban đêm", topic="health")
    say(FLOOD[0], unit=world.muong_xen_village)
    wrong = Issue.objects.get(pk=flood[0].issue_id)
    Voice.objects.filter(pk=flood[1].pk).update(issue=None)  # one voice out of its issue

    report = regroup(processes=1, threshold=0.4, actor=Actor.system("test_regroup"))

    rows = list(_regroup_rows())
    # Anh Sơn changed (a voice put back); Mường Xén's one voice was already where it is now.
    assert report.communes == 2 and report.audited_communes == 1 == len(rows)
    row = rows[0]
    assert row.unit_id == wrong.unit_id and row.actor_label == "system:test_regroup"
    assert row.changes["voices"] == 4 and row.changes["moved_voices"] >= 1
    assert row.changes["threshold"] == 0.4
    assert {"issues", "reused", "created", "deleted"} <= set(row.changes)

    # Nothing left to change: no row.
    regroup(processes=1, threshold=0.4)
    assert _regroup_rows().count() == 1


def test_a_commune_whose_audit_row_fails_is_left_as_it_was(say, world, monkeypatch):
    flood = [say(text) for text in FLOOD]
    Voice.objects.filter(pk=flood[1].pk).update(issue=None)

    def refuse(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(regroup_module, "audit_record", refuse)
    with pytest.raises(RuntimeError):
        regroup(processes=1)
    assert Voice.objects.get(pk=flood[1].pk).issue_id is None
