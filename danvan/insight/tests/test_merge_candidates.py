"""The merge list's likeness of two issues agrees with what the officer sees."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.insight.services import issue_split

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TEXT = "Đường vào xóm bị sạt lở sau mưa lớn, xe máy không đi qua được, đề nghị xã sửa gấp."


def test_two_issues_of_the_same_words_are_offered_as_alike(say, login, commune_officer):
    first = say(TEXT)
    second = say(TEXT)
    assert first.issue_id == second.issue_id
    issue = first.issue
    # An officer splits one off by mistake: the two issues now say the very same thing.
    issue_split(
        actor=Actor.of_user(commune_officer),
        issue=issue,
        voice_ids=[second.pk],
        expected_version=issue.version,
    )
    second.refresh_from_db()
    assert second.issue_id != first.issue_id
    page = login(commune_officer).get(reverse("insight:issue", args=[first.issue_id]))
    text = page.content.decode()
    scores = [int(s) for s in re.findall(r"(\d+)% alike", text)]
    assert scores, text[:2000]
    assert min(scores) >= 90, scores


def test_the_same_words_in_another_hamlet_say_so_instead_of_0_percent(say, login, commune_officer):
    first = say(TEXT.replace("vào xóm", "vào Xóm 1"))
    second = say(TEXT.replace("vào xóm", "vào Xóm 2"))
    assert first.issue_id != second.issue_id
    page = login(commune_officer).get(reverse("insight:issue", args=[first.issue_id]))
    text = page.content.decode()
    assert "0% alike" not in text
    assert "(1 voice, names another place)" in text
