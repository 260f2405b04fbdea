"""The officers' inbox and case page, driven through their forms as an officer uses them."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.deadlines.engine import compute_schedule
from danvan.deadlines.selectors import working_calendar
from danvan.voices.models import Topic, Voice, VoiceEvent, VoiceStatus
from danvan.voices.services import voice_submit
from danvan.voices.services_answer import case_answer
from danvan.voices.services_routing import case_accept, case_refuse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CITIZEN = Actor(user=None, ip="203.0.113.5", label="citizen")
INBOX = reverse("voices:inbox")
BULK = reverse("voices:bulk")


def submit(unit, **overrides) -> Voice:
    values = {
        "actor": CITIZEN,
        "kind": "complaint_first",
        "channel": "web",
        "unit": unit,
        "topic": Topic.objects.get(code="land", province=None),
        "text": "Gia đình tôi chưa nhận được tiền bồi thường khi thu hồi đất làm đường.",
        "received_on": timezone.localdate(),
        "submitter_name": "Nguyễn Văn An",
        "submitter_contact": "0912345678",
    }
    values.update(overrides)
    return voice_submit(**values)


def case_url(voice: Voice) -> str:
    return reverse("voices:case", args=[voice.tracking_code])


def action_url(voice: Voice, action: str) -> str:
    return reverse("voices:case_action", args=[voice.tracking_code, action])


def fresh(voice: Voice) -> Voice:
    return Voice.objects.get(pk=voice.pk)


def html(response) -> str:
    return response.content.decode()


def received_due_in(days_from: int, days_to: int) -> datetime.date:
    """A day of receipt that puts a first complaint's acceptance due within the given span of
    working days from today (0: today), whatever today is (weekends and holidays move it)."""
    today = timezone.localdate()
    calendar = working_calendar()
    earliest = calendar.add_working_days(today, days_from) if days_from else today
    latest = calendar.add_working_days(today, days_to)
    for back in range(60):
        received = today - datetime.timedelta(days=back)
        due = compute_schedule(
            kind="complaint_first", received=received, remote=False, complexity="normal"
        ).due("accept")
        if due is not None and earliest <= due <= latest:
            return received
    raise AssertionError("no day of receipt gives that due date")


# --- Scope ----------------------------------------------------------------------------------------


def test_the_inbox_needs_a_login(client):
    response = client.get(INBOX)

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_commune_officer_sees_only_their_communes_voices(world, commune_officer, login):
    here = submit(world.anh_son_village)
    there = submit(world.muong_xen_village)

    page = html(login(commune_officer).get(INBOX))

    assert here.tracking_code in page
    assert there.tracking_code not in page


def test_a_commune_officer_gets_404_on_another_communes_case(world, commune_officer, login):
    there = submit(world.muong_xen_village)
    client = login(commune_officer)

    assert client.get(case_url(there)).status_code == 404
    response = client.post(action_url(there, "accept"), {"accept-version": 1})
    assert response.status_code == 404
    assert fresh(there).status == VoiceStatus.RECEIVED


def test_nobody_sees_an_empty_inbox(world, nobody, login):
    submit(world.anh_son_village)

    response = login(nobody).get(INBOX)

    assert response.status_code == 200
    assert "No case matches." in html(response)
    assert 'name="ids"' not in html(response)


def test_an_observer_sees_the_case_without_actions_and_is_refused_one(world, observer, login):
    voice = submit(world.anh_son_village)
    client = login(observer)

    page = client.get(case_url(voice))
    assert page.status_code == 200
    assert voice.tracking_code in html(page)
    assert '<form method="post" action="/cases/' not in html(page)
    assert 'name="ids"' not in html(client.get(INBOX))

    response = client.post(action_url(voice, "accept"), {"accept-version": 1})
    assert response.status_code == 403
    assert fresh(voice).status == VoiceStatus.RECEIVED


# --- Filters --------------------------------------------------------------------------------------


@pytest.fixture
def mixed(world, commune_officer):
    """Voices that differ in one respect each, all in Xã Anh Sơn."""
    today = timezone.localdate()
    officer = Actor.of_user(commune_officer)
    voices = {
        "complaint": submit(world.anh_son_village),
        "reflection": submit(
            world.anh_son,
            kind="reflection",
            topic=Topic.objects.get(code="environment", province=None),
            received_on=today - datetime.timedelta(days=40),
        ),
        "overdue": submit(world.anh_son_village, received_on=today - datetime.timedelta(days=30)),
        "due_soon": submit(world.anh_son_village, received_on=received_due_in(0, 3)),
        "refused": submit(world.anh_son_village, received_on=today - datetime.timedelta(days=35)),
    }
    case_refuse(actor=officer, voice=voices["refused"], expected_version=1, reason="Trùng lặp.")
    return voices


def listed(client, **params) -> set[str]:
    response = client.get(INBOX, params)
    assert response.status_code == 200
    page = html(response)
    return {code for code in Voice.objects.values_list("tracking_code", flat=True) if code in page}


def names(mixed, *keys) -> set[str]:
    return {mixed[k].tracking_code for k in keys}


def test_the_inbox_filters_by_kind(mixed, commune_officer, login):
    assert listed(login(commune_officer), kind="reflection") == names(mixed, "reflection")


def test_the_inbox_filters_by_topic(mixed, commune_officer, login):
    environment = Topic.objects.get(code="environment", province=None)

    assert listed(login(commune_officer), topic=environment.pk) == names(mixed, "reflection")


def test_the_inbox_filters_by_unit_with_the_units_below(mixed, world, commune_officer, login):
    client = login(commune_officer)

    assert listed(client, unit=world.anh_son.code) == names(mixed, *mixed)
    assert listed(client, unit=world.anh_son_village.code) == names(
        mixed, "complaint", "overdue", "due_soon", "refused"
    )


def test_the_inbox_filters_by_status(mixed, commune_officer, login):
    assert listed(login(commune_officer), status="refused") == names(mixed, "refused")


def test_the_inbox_filters_by_date_of_receipt(mixed, commune_officer, login):
    today = timezone.localdate()
    client = login(commune_officer)

    assert listed(client, received_from=today.isoformat()) == names(mixed, "complaint")
    assert listed(client, received_to=(today - datetime.timedelta(days=38)).isoformat()) == names(
        mixed, "reflection"
    )


def test_the_inbox_filters_by_due_date(mixed, commune_officer, login):
    due = fresh(mixed["overdue"]).due_on
    assert due is not None

    found = listed(
        login(commune_officer), due_before=(due + datetime.timedelta(days=1)).isoformat()
    )

    assert mixed["overdue"].tracking_code in found
    assert mixed["complaint"].tracking_code not in found


def test_overdue_and_due_soon_cases_are_filtered_and_badged(mixed, commune_officer, login):
    client = login(commune_officer)

    overdue = listed(client, urgency="overdue")
    assert mixed["overdue"].tracking_code in overdue
    assert not overdue & names(mixed, "complaint", "due_soon", "refused")
    assert listed(client, urgency="due_soon") == names(mixed, "due_soon")

    page = html(client.get(INBOX))
    assert "Overdue" in page and "badge-overdue" in page
    assert "Due soon" in page and "badge-due-soon" in page


def test_due_soon_takes_the_number_of_days_the_officer_chose(world, commune_officer, login):
    voice = submit(world.anh_son_village, received_on=received_due_in(5, 8))
    client = login(commune_officer)

    assert listed(client, urgency="due_soon") == set()
    assert listed(client, urgency="due_soon", days=8) == {voice.tracking_code}


def test_due_soon_is_danvan_due_soon_days_working_days_as_for_urging(
    world, commune_officer, login, settings
):
    voice = submit(world.anh_son_village, received_on=received_due_in(5, 8))
    settings.DANVAN_DUE_SOON_DAYS = 8
    client = login(commune_officer)

    assert listed(client, urgency="due_soon") == {voice.tracking_code}
    assert "badge-due-soon" in html(client.get(INBOX))
    assert listed(client, urgency="due_soon", days=3) == set()


def test_an_invalid_filter_is_reported_and_ignored(mixed, commune_officer, login):
    response = login(commune_officer).get(INBOX, {"received_from": "not a date"})

    assert response.status_code == 200
    assert "Enter a valid date." in html(response)


def test_the_inbox_lists_the_most_urgent_first(mixed, commune_officer, login):
    page = html(login(commune_officer).get(INBOX))

    positions = {k: page.index(v.tracking_code) for k, v in mixed.items()}
    assert positions["overdue"] < positions["due_soon"] < positions["complaint"]
    assert positions["refused"] == max(positions.values())


def _inbox_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(INBOX).status_code == 200
    return len(queries)


def test_the_inbox_makes_as_many_queries_for_30_rows_as_for_5(
    world, commune_officer, login, django_assert_max_num_queries
):
    officer = Actor.of_user(commune_officer)
    for i in range(5):
        voice = submit(world.anh_son_village)
        if i % 2:
            voice = case_accept(actor=officer, voice=voice, expected_version=1)
    client = login(commune_officer)
    with_5 = _inbox_queries(client)
    assert with_5 <= 20  # session, user, scope, count, page, topics, bodies: no row adds one
    for i in range(25):
        voice = submit(world.anh_son_village, kind="reflection" if i % 2 else "complaint_first")
        if i % 3 == 0:
            voice = case_accept(actor=officer, voice=voice, expected_version=1)

    with django_assert_max_num_queries(with_5):
        response = client.get(INBOX)

    assert html(response).count('name="ids"') == 30


def test_the_inbox_pages_without_counting_past_a_limit(world, commune_officer, login, monkeypatch):
    monkeypatch.setattr("danvan.voices.views_inbox.PAGE_SIZE", 2)
    made = [
        submit(world.anh_son_village, received_on=timezone.localdate() - datetime.timedelta(days=i))
        for i in range(5)
    ]
    client = login(commune_officer)

    first = html(client.get(INBOX, {"status": "received"}))
    assert "5 cases" in first and "Page 1 of 3" in first
    assert "page=2" in first and "status=received" in first
    assert "Previous" not in first
    last = client.get(INBOX, {"status": "received", "page": 3})
    assert "Page 3 of 3" in html(last) and "page=2" in html(last) and "page=4" not in html(last)
    assert [v for v, _urgency in last.context["rows"]] == [fresh(made[0])]

    monkeypatch.setattr("danvan.voices.selectors.INBOX_COUNT_LIMIT", 3)
    capped = html(client.get(INBOX, {"page": 2}))
    assert "More than 3 cases" in capped
    assert "Page 2" in capped and "Page 2 of" not in capped
    assert "page=1" in capped and "page=3" in capped


# --- The case page --------------------------------------------------------------------------------


def test_the_case_page_shows_deadlines_and_the_whole_timeline(world, commune_officer, login):
    voice = submit(world.anh_son_village)
    officer = Actor.of_user(commune_officer)
    voice = case_accept(actor=officer, voice=voice, expected_version=1)
    case_answer(actor=officer, voice=voice, expected_version=2, text="Đã chi trả đủ.")

    page = html(login(commune_officer).get(case_url(voice)))

    assert "Accept or refuse the complaint" in page  # a step of the schedule
    assert "Law" in page or "Luật" in page  # its citation
    assert "Đã chi trả đủ." in page
    # The answer is not public until published; officers still see it on the timeline.
    assert VoiceEvent.objects.filter(voice=voice, action="answer", is_public=False).exists()
    assert "No (internal)" in page
    assert commune_officer.display_name in page
    assert "Nguyễn Văn An" in page  # the commune officer may see personal data


def test_an_observer_does_not_see_the_submitters_personal_data(world, observer, login):
    voice = submit(world.anh_son_village)

    page = html(login(observer).get(case_url(voice)))

    assert "Nguyễn Văn An" not in page
    assert "0912345678" not in page


@pytest.mark.parametrize("role", ["system_admin", "provincial_staff", "commune_officer", "leader"])
def test_the_denouncers_identity_is_never_on_the_case_page(world, role, request, login):
    user = request.getfixturevalue(role)
    voice = submit(
        world.anh_son_village,
        kind="denunciation",
        topic=Topic.objects.get(code="officials_conduct", province=None),
        submitter_name="Trần Văn Bảo",
        submitter_contact="0987654321",
        submitter_address="Xóm 1, xã Anh Sơn",
        submitter_id_number="040123456789",
    )
    client = login(user)

    page = html(client.get(case_url(voice)))
    assert "Identity protected" in page
    for secret in ("Trần Văn Bảo", "0987654321", "Xóm 1, xã Anh Sơn", "040123456789"):
        assert secret not in page
    # Nor after it is handled, nor on the inbox.
    client.post(action_url(voice, "accept"), {"accept-version": 1, "accept-accepted_on": ""})
    for url in (case_url(voice), INBOX):
        assert "Trần Văn Bảo" not in html(client.get(url))


def test_the_full_flow_through_the_page_forms(world, commune_officer, login):
    # A reflection: a complaint closes only once its written decision is issued (decisions app).
    voice = submit(world.anh_son_village, received_on=timezone.localdate(), kind="reflection")
    client = login(commune_officer)
    today = timezone.localdate().isoformat()

    page = html(client.get(case_url(voice)))
    assert 'name="accept-version"' in page and 'name="refuse-reason"' in page
    assert 'name="publish-version"' not in page

    steps = [
        ("accept", {"accept-accepted_on": today}, VoiceStatus.ACCEPTED),
        ("assign", {"assign-body": world.village_body.pk}, VoiceStatus.ASSIGNED),
        ("answer", {"answer-text": "Xã đã chi trả tiền bồi thường."}, VoiceStatus.ANSWERED),
        ("publish", {}, VoiceStatus.PUBLISHED),
        ("close", {"close-note": ""}, VoiceStatus.CLOSED),
        ("reopen", {"reopen-reason": "Công dân phản ánh chưa nhận đủ."}, VoiceStatus.ASSIGNED),
    ]
    for action, data, status in steps:
        version = fresh(voice).version
        response = client.post(action_url(voice, action), {f"{action}-version": version, **data})
        assert response.status_code == 302, (action, html(response))
        assert response["Location"] == case_url(voice)
        assert fresh(voice).status == status, action

    voice = fresh(voice)
    assert voice.assignee == world.village_body
    assert voice.answer_text == "Xã đã chi trả tiền bồi thường."
    page = html(client.get(case_url(voice)))
    assert "The case is reopened." in page
    assert list(voice.events.values_list("action", flat=True)) == [
        "submit", "accept", "assign", "answer", "publish", "close", "reopen",
    ]  # fmt: skip


def test_refusing_needs_a_reason(world, commune_officer, login):
    voice = submit(world.anh_son_village)
    client = login(commune_officer)

    response = client.post(action_url(voice, "refuse"), {"refuse-version": 1, "refuse-reason": ""})
    assert response.status_code == 400
    assert fresh(voice).status == VoiceStatus.RECEIVED

    response = client.post(
        action_url(voice, "refuse"), {"refuse-version": 1, "refuse-reason": "Không thuộc xã."}
    )
    assert response.status_code == 302
    assert fresh(voice).refusal_reason == "Không thuộc xã."


def test_a_refused_action_answers_400_with_the_services_message(world, commune_officer, login):
    voice = submit(world.anh_son_village, received_on=timezone.localdate())
    before = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()

    response = login(commune_officer).post(
        action_url(voice, "accept"), {"accept-version": 1, "accept-accepted_on": before}
    )

    assert response.status_code == 400
    assert "The acceptance date cannot be before the date of receipt." in html(response)
    assert fresh(voice).status == VoiceStatus.RECEIVED


def test_an_action_not_allowed_in_the_status_answers_400(world, commune_officer, login):
    voice = submit(world.anh_son_village)

    response = login(commune_officer).post(action_url(voice, "publish"), {"publish-version": 1})

    assert response.status_code == 400
    assert "This cannot be done while the case is" in html(response)


def test_an_action_without_the_version_seen_is_refused(world, commune_officer, login):
    voice = submit(world.anh_son_village)

    response = login(commune_officer).post(action_url(voice, "refuse"), {"refuse-reason": "Trùng."})

    assert response.status_code == 400
    assert "did not say which version" in html(response)
    assert fresh(voice).status == VoiceStatus.RECEIVED


def test_an_unknown_action_is_404(world, commune_officer, login):
    voice = submit(world.anh_son_village)

    assert login(commune_officer).post(action_url(voice, "delete"), {}).status_code == 404


def test_the_assign_picker_offers_only_bodies_at_the_unit_or_above(world, provincial_staff, login):
    voice = submit(world.anh_son)
    voice = case_accept(actor=Actor.of_user(provincial_staff), voice=voice, expected_version=1)
    client = login(provincial_staff)

    page = html(client.get(case_url(voice)))
    assert world.anh_son_body.name in page and world.province_body.name in page
    assert world.muong_xen_body.name not in page
    assert world.village_body.name not in page  # below the case's unit

    response = client.post(
        action_url(voice, "assign"), {"assign-version": 2, "assign-body": world.muong_xen_body.pk}
    )
    assert response.status_code == 400
    assert fresh(voice).assignee is None


def test_two_officers_the_second_gets_409_and_nothing_is_lost(
    world, commune_officer, provincial_staff, login
):
    voice = submit(world.anh_son_village)
    first, second = login(commune_officer), login(provincial_staff)
    # Both open the page at version 1.
    assert 'name="accept-version" value="1"' in html(first.get(case_url(voice)))
    assert 'name="refuse-version" value="1"' in html(second.get(case_url(voice)))

    today = timezone.localdate().isoformat()
    ok = first.post(action_url(voice, "accept"), {"accept-version": 1, "accept-accepted_on": today})
    assert ok.status_code == 302
    late = second.post(
        action_url(voice, "refuse"), {"refuse-version": 1, "refuse-reason": "Không thuộc xã."}
    )

    assert late.status_code == 409
    assert "Someone else changed this case" in html(late)
    voice = fresh(voice)
    assert voice.status == VoiceStatus.ACCEPTED
    assert voice.refusal_reason == ""
    assert voice.accepted_on == timezone.localdate()
    # The fresh page carries the new version, so the second officer can act on what is there now.
    assert 'name="assign-version" value="2"' in html(late)
    assert 'name="refuse-version"' not in html(late)


# --- Bulk actions ---------------------------------------------------------------------------------


def bulk(client, action: str, rows: list[tuple[Voice, int]], **extra) -> str:
    data: dict[str, object] = {"action": action, "ids": [v.pk for v, _ in rows], **extra}
    for voice, version in rows:
        data[f"v_{voice.pk}"] = version
    response = client.post(BULK, data)
    assert response.status_code == 200
    return html(response)


def test_bulk_accept_reports_a_stale_row_and_accepts_the_others(world, commune_officer, login):
    voices = [submit(world.anh_son_village) for _ in range(3)]
    client = login(commune_officer)
    inbox = html(client.get(INBOX))
    for v in voices:
        assert f'name="v_{v.pk}" value="1"' in inbox
    # A colleague refuses the second one after the inbox was loaded.
    case_refuse(
        actor=Actor.of_user(commune_officer), voice=voices[1], expected_version=1, reason="Trùng."
    )

    page = bulk(client, "accept", [(v, 1) for v in voices])

    assert "2 succeeded, 1 failed." in page
    assert "Someone else changed this case" in page
    assert [fresh(v).status for v in voices] == [
        VoiceStatus.ACCEPTED,
        VoiceStatus.REFUSED,
        VoiceStatus.ACCEPTED,
    ]


def test_bulk_assign_reports_wrong_status_and_out_of_scope_rows(world, commune_officer, login):
    officer = Actor.of_user(commune_officer)
    accepted = case_accept(actor=officer, voice=submit(world.anh_son_village), expected_version=1)
    received = submit(world.anh_son_village)
    elsewhere = submit(world.muong_xen_village)
    client = login(commune_officer)

    page = bulk(
        client,
        "assign",
        [(accepted, 2), (received, 1), (elsewhere, 1)],
        body=world.anh_son_body.pk,
    )

    assert "1 succeeded, 2 failed." in page
    assert "This cannot be done while the case is" in page
    assert "Not found, or not in your scope." in page
    assert elsewhere.tracking_code not in page
    assert fresh(accepted).assignee == world.anh_son_body
    assert fresh(received).status == VoiceStatus.RECEIVED


def test_bulk_actions_of_an_observer_are_refused_row_by_row(world, observer, login):
    voice = submit(world.anh_son_village)

    page = bulk(login(observer), "accept", [(voice, 1)])

    assert "0 succeeded, 1 failed." in page
    assert "You may not act on this case." in page
    assert fresh(voice).status == VoiceStatus.RECEIVED


def test_bulk_assign_without_a_body_or_rows_goes_back_with_a_message(world, commune_officer, login):
    voice = submit(world.anh_son_village)
    client = login(commune_officer)

    response = client.post(
        BULK, {"action": "assign", "ids": [voice.pk], f"v_{voice.pk}": 1, "query": "kind=opinion"}
    )
    assert response.status_code == 302
    assert response["Location"] == INBOX + "?kind=opinion"
    assert "Choose the body" in html(client.get(response["Location"]))

    response = client.post(BULK, {"action": "accept"}, follow=True)
    assert "Select at least one case." in html(response)


def test_a_bulk_row_without_its_version_is_not_acted_on(world, commune_officer, login):
    voice = submit(world.anh_son_village)

    response = login(commune_officer).post(BULK, {"action": "accept", "ids": [voice.pk]})

    assert response.status_code == 200
    assert "0 succeeded, 1 failed." in html(response)
    assert fresh(voice).status == VoiceStatus.RECEIVED


# --- Administration -------------------------------------------------------------------------------


def test_the_admin_lists_voices_read_only_without_the_submitter(world, system_admin, login):
    voice = submit(world.anh_son_village)
    client = login(system_admin)

    listing = client.get(reverse("admin:voices_voice_changelist"))
    assert listing.status_code == 200
    assert voice.tracking_code in html(listing)
    page = client.get(reverse("admin:voices_voice_change", args=[voice.pk]))
    assert page.status_code == 200
    assert "Nguyễn Văn An" not in html(page)
    assert "0912345678" not in html(page)
    assert 'name="_save"' not in html(page)
    assert client.get(reverse("admin:voices_voice_add")).status_code == 403
    assert client.get(reverse("admin:voices_voiceevent_changelist")).status_code == 200


def test_the_denouncers_identity_is_not_in_the_admin():
    from django.contrib import admin

    from danvan.voices.models import DenouncerIdentity

    assert not admin.site.is_registered(DenouncerIdentity)


def test_a_system_admin_edits_a_provinces_topics_but_not_the_builtin_ones(
    world, system_admin, login
):
    client = login(system_admin)
    land = Topic.objects.get(code="land", province=None)

    response = client.post(
        reverse("admin:voices_topic_add"),
        {
            "province": world.nghe_an.pk,
            "code": "fishing",
            "name": "Khai thác thủy sản",
            "order": 200,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    topic = Topic.objects.get(code="fishing", province=world.nghe_an)
    assert topic.name == "Khai thác thủy sản"

    builtin = html(client.get(reverse("admin:voices_topic_change", args=[land.pk])))
    assert 'name="_save"' not in builtin
    response = client.post(
        reverse("admin:voices_topic_add"),
        {"province": "", "code": "other2", "name": "Khác", "order": 1, "is_active": "on"},
    )
    assert response.status_code == 200
    assert not Topic.objects.filter(code="other2").exists()
