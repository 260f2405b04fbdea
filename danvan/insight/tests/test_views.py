"""The issues pages, by role, and the decisions taken on them."""

from __future__ import annotations

import pytest

from danvan.insight.models import Issue, IssueStatus

pytestmark = pytest.mark.django_db

ROAD = "Đường xóm 3 bị sụt lún, nhiều ổ gà, xe máy ngã liên tục"
CLINIC = "Trạm y tế xã thiếu thuốc, bác sĩ không trực ban đêm"


def test_officers_see_the_issues_of_their_area_only(
    say, world, login, commune_officer, provincial_staff, nobody
):
    here = say(ROAD)
    there = say(ROAD, unit=world.muong_xen_village)

    page = login(commune_officer).get("/issues/")
    assert page.status_code == 200
    assert f"/issues/{here.issue_id}/" in page.content.decode()
    assert f"/issues/{there.issue_id}/" not in page.content.decode()
    assert login(commune_officer).get(f"/issues/{there.issue_id}/").status_code == 404

    province = login(provincial_staff).get("/issues/").content.decode()
    assert f"/issues/{here.issue_id}/" in province and f"/issues/{there.issue_id}/" in province

    assert login(nobody).get("/issues/").status_code == 403


def test_the_list_filters_by_size_and_bad_filters_do_not_break_it(say, login, provincial_staff):
    for _ in range(3):
        say(ROAD)
    say(CLINIC, topic="health")
    client = login(provincial_staff)

    big = client.get("/issues/", {"min_voices": 3}).content.decode()
    assert "sụt lún" in big and "Trạm y tế" not in big
    assert (
        client.get(
            "/issues/", {"min_voices": "abc", "topic": "999999", "unit": "x" * 30}
        ).status_code
        == 200
    )


def test_an_officer_merges_two_issues_on_the_page(say, login, commune_officer):
    road = Issue.objects.get(pk=say(ROAD).issue_id)
    clinic = Issue.objects.get(pk=say(CLINIC, topic="health").issue_id)
    client = login(commune_officer)

    page = client.get(f"/issues/{clinic.pk}/")
    assert "Merge into another issue" in page.content.decode()
    response = client.post(
        f"/issues/{clinic.pk}/merge/",
        {"version": clinic.version, "into": road.pk, "note": "một việc"},
    )

    assert response.status_code == 302 and response["Location"] == f"/issues/{road.pk}/"
    clinic.refresh_from_db()
    assert clinic.merged_into == road and clinic.status == IssueStatus.CLOSED
    assert "Merged two issues" in client.get(f"/issues/{road.pk}/").content.decode()


def test_a_stale_page_gets_409_and_a_bad_form_400(say, login, commune_officer):
    first = say(ROAD)
    issue = Issue.objects.get(pk=first.issue_id)
    say("duong xom 3 sut lun, o ga qua nhieu")  # joins the issue: its version moves on
    issue.refresh_from_db()
    client = login(commune_officer)

    stale = client.post(f"/issues/{issue.pk}/confirm/", {"version": issue.version - 1})
    assert stale.status_code == 409
    assert "Someone else changed this issue" in stale.content.decode()

    bad = client.post(f"/issues/{issue.pk}/split/", {"version": issue.version, "voices": ["nope"]})
    assert bad.status_code == 400
    issue.refresh_from_db()
    assert issue.voice_count == 2


def test_a_read_only_role_sees_no_decision_forms_and_cannot_post(say, login, observer):
    issue = Issue.objects.get(pk=say(ROAD).issue_id)
    client = login(observer)

    page = client.get(f"/issues/{issue.pk}/").content.decode()
    assert "Merge into another issue" not in page
    assert (
        client.post(f"/issues/{issue.pk}/confirm/", {"version": issue.version}).status_code == 403
    )


def test_answer_all_from_the_issue_page(say, login, commune_officer):
    voice = say(ROAD)
    issue = Issue.objects.get(pk=voice.issue_id)
    client = login(commune_officer)

    response = client.post(
        f"/issues/{issue.pk}/answer/",
        {"version": issue.version, "text": "Xã sẽ sửa đường."},
        follow=True,
    )

    assert response.status_code == 200
    assert voice.tracking_code in response.content.decode()  # listed as not accepted yet


def test_the_case_page_links_its_issue_and_offers_the_topic_correction(say, login, commune_officer):
    voice = say(ROAD)
    page = login(commune_officer).get(f"/cases/{voice.tracking_code}/").content.decode()
    assert f"/issues/{voice.issue_id}/" in page
    assert "Change the topic" in page
