"""``/api/v1/``: the citizen app's submit and status lookup, and the officers' case endpoints."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command

from danvan.api.models import ApiToken, hash_key
from danvan.api.tests.helpers import DENOUNCER, submit
from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.voices.models import Topic, Voice, VoiceStatus
from danvan.voices.services_answer import case_answer, case_publish
from danvan.voices.services_routing import case_accept

pytestmark = pytest.mark.django_db

CITIZEN_FORM = {
    "kind": "reflection",
    "topic": "infrastructure",
    "unit": "17329",
    "text": "Đèn đường trước trường tiểu học hỏng đã hai tuần.",
    "submitter_name": "Lê Thị Hoa",
    "submitter_contact": "0911222333",
    "lat": "18.912345",
    "long": "105.123456",
}


def test_the_schema_is_served_as_openapi_json(anonymous):
    response = anonymous.get("/api/schema/?format=json")

    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/voices/" in schema["paths"]
    assert "/api/v1/cases/{tracking_code}/" in schema["paths"]


def test_a_citizen_submits_and_a_replay_with_the_same_key_returns_the_same_voice(world, anonymous):
    first = anonymous.post(
        "/api/v1/voices/", CITIZEN_FORM, format="json", HTTP_IDEMPOTENCY_KEY="app-42"
    )
    again = anonymous.post(
        "/api/v1/voices/", CITIZEN_FORM, format="json", HTTP_IDEMPOTENCY_KEY="app-42"
    )

    assert first.status_code == 201
    assert again.status_code == 200
    assert first.json()["tracking_code"] == again.json()["tracking_code"]
    voice = Voice.objects.get()
    assert voice.channel == "api"
    assert voice.submitter_name == "Lê Thị Hoa"
    assert str(voice.latitude) == "18.912345"


def test_an_invalid_submission_gets_a_problem_with_the_services_vietnamese_message(
    world, anonymous
):
    response = anonymous.post(
        "/api/v1/voices/", {**CITIZEN_FORM, "kind": "denunciation", "submitter_name": ""}
    )

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert "tên" in response.json()["detail"]  # "needs the name", in Vietnamese
    assert not Voice.objects.exists()


def test_an_unknown_unit_or_topic_is_refused(world, anonymous):
    assert anonymous.post("/api/v1/voices/", {**CITIZEN_FORM, "unit": "99999"}).status_code == 400
    assert anonymous.post("/api/v1/voices/", {**CITIZEN_FORM, "topic": "nope"}).status_code == 400


def test_anonymous_submissions_are_throttled_per_address(world, anonymous):
    codes = [
        anonymous.post("/api/v1/voices/", CITIZEN_FORM, REMOTE_ADDR="198.51.100.7").status_code
        for _ in range(21)
    ]

    assert codes[:20] == [201] * 20
    assert codes[20] == 429
    other = anonymous.post("/api/v1/voices/", CITIZEN_FORM, REMOTE_ADDR="198.51.100.8")
    assert other.status_code == 201


def test_the_submission_limit_is_a_setting(world, anonymous, settings):
    settings.DANVAN_API_SUBMIT_RATE = "2/minute"

    codes = [
        anonymous.post("/api/v1/voices/", CITIZEN_FORM, REMOTE_ADDR="198.51.100.9").status_code
        for _ in range(3)
    ]

    assert codes == [201, 201, 429]


def test_the_status_lookup_hides_the_answer_until_published_and_never_shows_the_submitter(
    world, anonymous, commune_officer
):
    voice = submit(world)
    officer = Actor.of_user(commune_officer)
    voice = case_accept(actor=officer, voice=voice, expected_version=voice.version)
    voice = case_answer(
        actor=officer, voice=voice, expected_version=voice.version, text="Đã sửa xong."
    )
    url = f"/api/v1/voices/status/{voice.tracking_code.lower()}/"

    before = anonymous.get(url)
    case_publish(actor=officer, voice=voice, expected_version=voice.version)
    after = anonymous.get(url)

    assert before.status_code == 200
    assert before.json()["status"] == VoiceStatus.ANSWERED
    assert before.json()["answer"] is None
    assert after.json()["answer"]["text"] == "Đã sửa xong."
    assert after.json()["place"] == "Xóm 1, Xã Anh Sơn, Nghệ An"
    for body in (before.content.decode(), after.content.decode()):
        assert "Nguyễn Văn An" not in body
        assert "0912345678" not in body
        assert "submitter" not in body


def test_a_mistyped_or_unknown_tracking_code_is_not_found(world, anonymous):
    assert anonymous.get("/api/v1/voices/status/DV-0000-0000-X/").status_code == 404


def test_case_endpoints_need_a_token(world, anonymous):
    response = anonymous.get("/api/v1/cases/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_or_wrong_token_is_refused(world, commune_officer, token_client):
    from danvan.api.services import api_token_revoke

    client = token_client(commune_officer)
    api_token_revoke(actor=Actor.system("test"), token=ApiToken.objects.get())

    assert client.get("/api/v1/cases/").status_code == 401


def test_the_command_prints_a_key_that_is_stored_only_as_its_hash(world, commune_officer, capsys):
    call_command("create_api_token", "xa", "bảng điều khiển xã")

    key = capsys.readouterr().out.strip()
    token = ApiToken.objects.get()
    assert token.key_hash == hash_key(key)
    assert key not in token.key_hash
    assert token.user == commune_officer


def test_an_officer_lists_only_the_cases_in_scope_with_filters(
    world, commune_officer, token_client, django_assert_max_num_queries
):
    own = submit(world)
    submit(world, unit=world.anh_son, kind="opinion", submitter_name="")
    submit(world, unit=world.muong_xen)
    client = token_client(commune_officer)

    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/cases/")
    filtered = client.get("/api/v1/cases/", {"kind": "reflection", "unit": "17329-001"})

    assert response.status_code == 200
    assert response.json()["count"] == 2
    assert [c["tracking_code"] for c in filtered.json()["results"]] == [own.tracking_code]


def test_the_case_list_filters_as_the_inbox_and_a_value_naming_nothing_finds_nothing(
    world, commune_officer, token_client
):
    first = submit(world)
    land = Topic.objects.get(code="land", province=None)
    second = submit(world, unit=world.anh_son, kind="opinion", submitter_name="", topic=land)
    client = token_client(commune_officer)

    def codes(**params: str) -> list[str]:
        response = client.get("/api/v1/cases/", params)
        assert response.status_code == 200
        return [c["tracking_code"] for c in response.json()["results"]]

    assert codes() == [second.tracking_code, first.tracking_code]  # newest first
    assert codes(topic="infrastructure", unit="17329") == [first.tracking_code]
    assert codes(status="received", kind="opinion") == [second.tracking_code]
    for name, value in [("kind", "x"), ("status", "x"), ("unit", "Anh Sơn"), ("topic", "x")]:
        assert codes(**{name: value}) == []


def test_a_commune_officer_cannot_see_another_communes_case(world, commune_officer, token_client):
    elsewhere = submit(world, unit=world.muong_xen)
    client = token_client(commune_officer)

    assert client.get(f"/api/v1/cases/{elsewhere.tracking_code}/").status_code == 404
    response = client.post(f"/api/v1/cases/{elsewhere.tracking_code}/accept/", {"version": 1})
    assert response.status_code == 404


def test_the_submitter_is_shown_to_a_user_allowed_personal_data_and_the_read_is_audited(
    world, commune_officer, observer, token_client
):
    voice = submit(world)

    officer_view = token_client(commune_officer).get(f"/api/v1/cases/{voice.tracking_code}/")
    observer_view = token_client(observer).get(f"/api/v1/cases/{voice.tracking_code}/")

    assert officer_view.json()["submitter"]["name"] == "Nguyễn Văn An"
    assert observer_view.status_code == 200
    assert observer_view.json()["submitter"] is None
    assert "0912345678" not in observer_view.content.decode()
    audits = AuditEntry.objects.filter(action="sensitive.view")
    assert [a.actor for a in audits] == [commune_officer]


def test_an_officer_moves_a_case_through_its_lifecycle(world, commune_officer, token_client):
    voice = submit(world)
    client = token_client(commune_officer)
    base = f"/api/v1/cases/{voice.tracking_code}"

    accepted = client.post(f"{base}/accept/", {"version": 1}, format="json")
    assigned = client.post(
        f"{base}/assign/", {"version": 2, "body": world.anh_son_body.pk}, format="json"
    )
    answered = client.post(f"{base}/answer/", {"version": 3, "text": "Đã sửa."}, format="json")
    published = client.post(f"{base}/publish/", {"version": 4}, format="json")
    closed = client.post(f"{base}/close/", {"version": 5}, format="json")

    assert [r.status_code for r in (accepted, assigned, answered, published, closed)] == [200] * 5
    assert closed.json()["status"] == VoiceStatus.CLOSED
    assert assigned.json()["assignee"]["name"] == "Đảng ủy xã Anh Sơn"


def test_a_stale_version_gets_409_with_the_vietnamese_message(world, commune_officer, token_client):
    voice = submit(world)
    client = token_client(commune_officer)
    client.post(f"/api/v1/cases/{voice.tracking_code}/accept/", {"version": 1})

    response = client.post(
        f"/api/v1/cases/{voice.tracking_code}/answer/", {"version": 1, "text": "Trả lời"}
    )

    assert response.status_code == 409
    assert "Vụ việc vừa được người khác cập nhật" in response.json()["detail"]


def test_an_action_the_status_forbids_gets_409_and_a_missing_version_400(
    world, commune_officer, token_client
):
    voice = submit(world)
    client = token_client(commune_officer)

    not_now = client.post(f"/api/v1/cases/{voice.tracking_code}/publish/", {"version": 1})
    assert not_now.status_code == 409  # the case as it is now, not the request, is the matter
    assert "Không thể thực hiện khi vụ việc đang ở trạng thái" in not_now.json()["detail"]
    missing = client.post(f"/api/v1/cases/{voice.tracking_code}/accept/", {})
    assert missing.status_code == 400
    assert "version" in missing.json()["fields"]


def test_a_read_only_observer_gets_403_when_acting(world, observer, token_client):
    voice = submit(world)

    response = token_client(observer).post(
        f"/api/v1/cases/{voice.tracking_code}/accept/", {"version": 1}
    )

    assert response.status_code == 403
    assert response.json()["status"] == 403


def test_denouncer_identity_is_in_no_api_response(world, system_admin, token_client, anonymous):
    voice = submit(world, kind="denunciation", **DENOUNCER)
    client = token_client(system_admin)

    bodies = [
        anonymous.get(f"/api/v1/voices/status/{voice.tracking_code}/"),
        client.get("/api/v1/cases/"),
        client.get(f"/api/v1/cases/{voice.tracking_code}/"),
        anonymous.get(f"/open311/v2/requests/{voice.tracking_code}.json"),
        anonymous.get(f"/open311/v2/requests/{voice.tracking_code}.xml"),
        anonymous.get("/open311/v2/requests.json"),
        anonymous.get("/open311/v2/requests.xml"),
    ]

    for response in bodies:
        text = response.content.decode()
        for value in DENOUNCER.values():
            assert value not in text, response.request["PATH_INFO"]
    assert bodies[2].json()["submitter"] is None
