"""Open311 GeoReport v2 in JSON and XML."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from danvan.api.tests.helpers import submit
from danvan.audit.context import Actor
from danvan.voices.models import Topic, Voice, VoiceStatus
from danvan.voices.services_answer import case_answer, case_publish
from danvan.voices.services_routing import case_accept, case_assign

pytestmark = pytest.mark.django_db

REQUEST = {
    "service_code": "infrastructure",
    "description": "Cống thoát nước tắc, nước tràn ra đường.",
    "first_name": "Hoa",
    "last_name": "Lê Thị",
    "phone": "0911222333",
    "email": "hoa@example.vn",
}


def xml(response) -> ET.Element:
    assert response["Content-Type"].startswith("text/xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own response, not untrusted input


def test_services_are_the_topics_in_json_and_xml(world, anonymous):
    as_json = anonymous.get("/open311/v2/services.json").json()
    as_xml = xml(anonymous.get("/open311/v2/services.xml"))

    land = next(s for s in as_json if s["service_code"] == "land")
    assert land == {
        "service_code": "land",
        "service_name": "Đất đai, giải phóng mặt bằng",
        "description": "Đất đai, giải phóng mặt bằng",
        "metadata": False,
        "type": "realtime",
        "keywords": "land, dat dai, giai phong mat bang",
        "group": "",
    }
    assert as_xml.tag == "services"
    codes = [s.findtext("service_code") for s in as_xml.findall("service")]
    assert codes == [s["service_code"] for s in as_json]
    assert as_xml.findtext("service/metadata") == "false"


def test_a_service_definition_has_no_attributes(world, anonymous):
    assert anonymous.get("/open311/v2/services/land.json").json() == [
        {"service_code": "land", "attributes": []}
    ]
    root = xml(anonymous.get("/open311/v2/services/land.xml"))
    assert root.tag == "service_definition"
    assert anonymous.get("/open311/v2/services/nope.json").status_code == 404


def test_a_request_posted_with_address_id_becomes_a_reflection_from_the_api(world, anonymous):
    response = anonymous.post("/open311/v2/requests.json", {**REQUEST, "address_id": "17329"})

    assert response.status_code == 201
    [created] = response.json()
    assert created["account_id"] is None
    voice = Voice.objects.get(public_id=created["service_request_id"])
    assert (voice.kind, voice.channel, voice.unit) == ("reflection", "api", world.anh_son)
    assert voice.submitter_name == "Hoa Lê Thị"
    assert voice.submitter_contact == "0911222333 / hoa@example.vn"
    assert voice.tracking_code in created["service_notice"]


def test_a_request_posted_with_an_address_string_without_diacritics_finds_the_commune(
    world, anonymous
):
    response = anonymous.post(
        "/open311/v2/requests.xml",
        {**REQUEST, "address_string": "xom 1, xa anh son, nghe an", "lat": "18.9", "long": "105.2"},
    )

    assert response.status_code == 201
    root = xml(response)
    assert root.tag == "service_requests"
    voice = Voice.objects.get(public_id=root.findtext("request/service_request_id"))
    assert voice.unit == world.anh_son
    assert (str(voice.latitude), str(voice.longitude)) == ("18.900000", "105.200000")


def test_a_province_written_with_its_title_is_found_too(world, anonymous):
    response = anonymous.post(
        "/open311/v2/requests.json",
        {**REQUEST, "address_string": "Phường Hoàn Kiếm, Thành phố Hà Nội"},
    )

    assert response.status_code == 201
    assert Voice.objects.get().unit == world.hoan_kiem


@pytest.mark.parametrize(
    "place",
    [
        {"address_string": "Xã Không Có, Nghệ An"},
        {"address_string": "Xã Anh Sơn, Hà Nội"},
        {"address_id": "99999"},
        {"address_id": "40"},
        {"lat": "18.9", "long": "105.2"},
        {},
    ],
)
def test_an_unknown_place_gets_an_open311_error(world, anonymous, place):
    response = anonymous.post("/open311/v2/requests.json", {**REQUEST, **place})

    assert response.status_code == 400
    [error] = response.json()
    assert error["code"] == 400
    assert error["description"]
    assert not Voice.objects.exists()


def test_errors_in_xml_follow_the_spec(world, anonymous):
    response = anonymous.post("/open311/v2/requests.xml", {**REQUEST, "address_id": "99999"})

    root = xml(response)
    assert root.tag == "errors"
    assert root.findtext("error/code") == "400"
    assert root.findtext("error/description")


def test_an_unknown_or_inactive_service_code_is_refused(world, anonymous):
    Topic.objects.filter(code="education").update(is_active=False)  # no service for this yet

    for code in ("nope", "education"):
        response = anonymous.post(
            "/open311/v2/requests.json", {**REQUEST, "address_id": "17329", "service_code": code}
        )
        assert response.status_code == 400
        assert response.json()[0]["code"] == 400
    assert not Voice.objects.exists()


def test_a_retried_post_with_the_same_idempotency_key_counts_once(world, anonymous):
    form = {**REQUEST, "address_id": "17329"}
    first = anonymous.post("/open311/v2/requests.json", form, HTTP_IDEMPOTENCY_KEY="k-1")
    second = anonymous.post("/open311/v2/requests.json", form, HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.json()[0]["service_request_id"] == second.json()[0]["service_request_id"]
    assert Voice.objects.count() == 1


def test_requests_are_listed_without_personal_data_and_with_the_published_answer(
    world, anonymous, commune_officer
):
    voice = submit(world)
    officer = Actor.of_user(commune_officer)
    voice = case_accept(actor=officer, voice=voice, expected_version=voice.version)
    voice = case_assign(
        actor=officer, voice=voice, expected_version=voice.version, body=world.anh_son_body
    )
    voice = case_answer(actor=officer, voice=voice, expected_version=voice.version, text="Đã sửa.")
    open_one = submit(world, unit=world.muong_xen, text="Trường học dột mái.")

    answered = anonymous.get("/open311/v2/requests.json").json()
    case_publish(actor=officer, voice=voice, expected_version=voice.version)
    listed = anonymous.get("/open311/v2/requests.json").json()
    closed = anonymous.get("/open311/v2/requests.json", {"status": "closed"}).json()
    as_xml = xml(anonymous.get("/open311/v2/requests.xml", {"status": "open"}))
    by_id = anonymous.get(f"/open311/v2/requests/{voice.public_id}.json").json()

    assert {r["service_request_id"] for r in listed} == {voice.public_id, open_one.public_id}
    row = next(r for r in listed if r["service_request_id"] == voice.public_id)
    assert row["status"] == "closed"
    assert row["status_notes"] == "Đã sửa."
    assert row["agency_responsible"] == "Đảng ủy xã Anh Sơn"
    assert row["address"] == "Xóm 1, Xã Anh Sơn, Nghệ An"
    assert row["service_code"] == "infrastructure"
    assert row["requested_datetime"].endswith("+07:00")
    unpublished = next(r for r in answered if r["service_request_id"] == voice.public_id)
    assert unpublished["status_notes"] != "Đã sửa."
    assert [r["service_request_id"] for r in closed] == [voice.public_id]
    assert [r.findtext("service_request_id") for r in as_xml.findall("request")] == [
        open_one.public_id
    ]
    assert by_id == [row]
    for text in (str(listed), str(answered), ET.tostring(as_xml, encoding="unicode")):
        assert "Nguyễn Văn An" not in text
        assert "0912345678" not in text


def test_requests_are_filtered_by_id_service_code_and_dates(world, anonymous):
    road = submit(world)
    school = submit(world, topic=Topic.objects.get(code="education", province=None))

    by_ids = anonymous.get(
        "/open311/v2/requests.json",
        {"service_request_id": f"{road.public_id},{school.public_id}"},
    ).json()
    by_code = anonymous.get("/open311/v2/requests.json", {"service_code": "education"}).json()
    future = anonymous.get("/open311/v2/requests.json", {"start_date": "2999-01-01T00:00:00Z"})
    bad = anonymous.get("/open311/v2/requests.json", {"start_date": "yesterday"})

    assert len(by_ids) == 2
    assert [r["service_request_id"] for r in by_code] == [school.public_id]
    assert future.json() == []
    assert bad.status_code == 400


def test_complaints_and_denunciations_are_not_open311_requests(world, anonymous):
    complaint = submit(world, kind="complaint_first")

    assert anonymous.get("/open311/v2/requests.json").json() == []
    assert anonymous.get(f"/open311/v2/requests/{complaint.public_id}.json").status_code == 404
    assert complaint.status == VoiceStatus.RECEIVED


def test_errors_are_in_vietnamese_by_default(world, anonymous):
    response = anonymous.post("/open311/v2/requests.json", {**REQUEST, "address_id": "99999"})

    assert response.json() == [
        {"code": 400, "description": "address_id không phải là mã của một xã, phường hiện hành."}
    ]


def test_the_request_list_takes_a_fixed_number_of_queries(
    world, anonymous, django_assert_max_num_queries
):
    for unit in (world.anh_son, world.muong_xen, world.anh_son_village, world.hoan_kiem):
        submit(world, unit=unit)

    with django_assert_max_num_queries(3):
        rows = anonymous.get("/open311/v2/requests.xml").content

    assert rows.count(b"<request>") == 4


def test_open311_never_publishes_a_tracking_code(world, anonymous):
    """The code lets its holder rate the answer or file a second complaint: Open311 lists
    requests to anyone, so it names them by their public id."""
    created = anonymous.post("/open311/v2/requests.json", {**REQUEST, "address_id": "17329"})
    posted = Voice.objects.get()
    other = submit(world, is_anonymous=True, submitter_name="")

    listed = anonymous.get("/open311/v2/requests.json")
    as_xml = anonymous.get("/open311/v2/requests.xml")
    one = anonymous.get(f"/open311/v2/requests/{other.public_id}.xml")

    assert created.json()[0]["service_request_id"] == posted.public_id
    assert posted.tracking_code in created.json()[0]["service_notice"]  # the sender's own copy
    assert {r["service_request_id"] for r in listed.json()} == {posted.public_id, other.public_id}
    for response in (listed, as_xml, one):
        body = response.content.decode()
        assert "DV-" not in body
        assert posted.tracking_code not in body
        assert other.tracking_code not in body


def test_a_request_is_found_by_its_public_id_and_not_by_its_tracking_code(world, anonymous):
    voice = submit(world)

    by_public_id = anonymous.get(f"/open311/v2/requests/{voice.public_id.upper()}.json")
    by_code = anonymous.get(f"/open311/v2/requests/{voice.tracking_code}.json")
    filtered = anonymous.get(
        "/open311/v2/requests.json", {"service_request_id": f"{voice.tracking_code},nope"}
    )

    assert [r["service_request_id"] for r in by_public_id.json()] == [voice.public_id]
    assert by_code.status_code == 404
    assert filtered.json() == []


def test_published_coordinates_are_rounded_to_about_a_hundred_metres(world, anonymous):
    named = submit(world, latitude=Decimal("18.912345"), longitude=Decimal("105.204567"))
    nameless = submit(
        world,
        is_anonymous=True,
        submitter_name="",
        submitter_contact="",
        submitter_address="",
        latitude=Decimal("18.900499"),
        longitude=Decimal("105.199501"),
    )

    rows = {r["service_request_id"]: r for r in anonymous.get("/open311/v2/requests.json").json()}
    as_xml = xml(anonymous.get(f"/open311/v2/requests/{named.public_id}.xml"))

    assert (rows[named.public_id]["lat"], rows[named.public_id]["long"]) == (18.912, 105.205)
    assert (rows[nameless.public_id]["lat"], rows[nameless.public_id]["long"]) == (18.9, 105.2)
    assert (as_xml.findtext("request/lat"), as_xml.findtext("request/long")) == (
        "18.912",
        "105.205",
    )
    assert b"18.912345" not in anonymous.get("/open311/v2/requests.xml").content
