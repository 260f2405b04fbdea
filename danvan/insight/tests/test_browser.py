"""The issue's "Done when" for grouping, in headless Chromium on a phone: the voices of twenty
people about one flooded road show as one issue; an officer merges two issues and splits a wrong
one. The voices are submitted through ``voice_submit`` and analysed by the task the commit
queues (tasks run at once in tests), as in production.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from danvan.audit.context import Actor
from danvan.insight.demo import FLOOD_VOICES
from danvan.insight.models import IssueStatus
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit
from danvan.web.tests.test_browser import ARTIFACTS, PHONE, expect, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "reference_data_left_in_place"),
]


def _say(world: Any, text: str, topic: str = "infrastructure") -> Voice:
    return voice_submit(
        actor=Actor.system("test"),
        kind="reflection",
        channel="web",
        unit=world.anh_son_village,
        topic=Topic.objects.get(code=topic, province=None),
        text=text,
        is_anonymous=True,
    )


def test_twenty_voices_about_one_flooded_road_are_one_issue_merged_and_split_by_an_officer(
    live_server: Any, new_page: Any, with_password: Any, world: Any
) -> None:
    flood = [_say(world, text) for text in FLOOD_VOICES]
    # One cultural house, known by the hamlet's number and by its old name: the matcher sees two
    # places, the commune officer knows they are one.
    medicine = _say(world, "Nhà văn hoá xóm 2 xuống cấp, mái dột, bà con không có chỗ họp")
    doctor = _say(world, "Nhà văn hoá thôn Đông Sơn mái dột nát, đề nghị xã sửa chữa")
    issue = Voice.objects.select_related("issue").get(pk=flood[0].pk).issue
    assert issue is not None
    assert issue.voice_count == 20
    first = Voice.objects.select_related("issue").get(pk=medicine.pk).issue
    second = Voice.objects.select_related("issue").get(pk=doctor.pk).issue
    assert first is not None and second is not None
    assert first.pk != second.pk  # two wordings the matcher kept apart

    officer = with_password("commune_officer")
    page = new_page(viewport=PHONE)
    log_in(page, live_server.url, officer)
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )

    # The largest matter comes first: one issue with the twenty voices.
    page.goto(f"{live_server.url}/issues/")
    top = page.locator("tbody tr").first
    expect(top.locator("td").first).to_have_text("20")
    top.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/issues/{issue.pk}/")
    expect(page.locator(".issue-voices li")).to_have_count(20)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"] + 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "insight-flood-issue-phone.png"), full_page=True)

    # Two of the voices were about something else, in the officer's judgement: split them out.
    page.locator("summary", has_text="Split").click()
    for voice in flood[-2:]:
        page.locator(f"input[name=voices][value='{voice.pk}']").check()
    page.locator("form[action$='/split/'] button[type=submit]").click()
    expect(page.locator(".message-success")).to_contain_text("new issue")
    issue.refresh_from_db()
    assert issue.voice_count == 18
    assert Voice.objects.get(pk=flood[-1].pk).issue_id != issue.pk

    # The two voices about the cultural house are one matter: merge one issue into the other.
    page.goto(f"{live_server.url}/issues/{second.pk}/")
    page.locator("summary", has_text="Merge").click()
    page.locator("select[name=into]").select_option(str(first.pk))
    page.locator("form[action$='/merge/'] button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/issues/{first.pk}/")
    expect(page.locator(".issue-voices li")).to_have_count(2)
    second.refresh_from_db()
    assert second.status == IssueStatus.CLOSED and second.merged_into_id == first.pk
