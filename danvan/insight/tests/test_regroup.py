"""Regrouping from scratch: the same issues as live matching, officers' issues kept."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from danvan.audit.context import Actor
from danvan.insight.models import Issue
from danvan.insight.regroup import regroup
from danvan.insight.services import issue_confirm

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
