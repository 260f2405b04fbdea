"""``Idempotency-Key`` as payment APIs have it: per client, bound to the request, whole, expiring."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from danvan.api.models import IdempotencyRecord
from danvan.api.tests.test_case_actions_api import published
from danvan.api.tests.test_voices import CITIZEN_FORM
from danvan.lib.text import fold
from danvan.units.tests.files import csv_bytes
from danvan.voices.importing.parse import parse_voice_file
from danvan.voices.importing.write import voices_import
from danvan.voices.models import Voice

pytestmark = pytest.mark.django_db

URL = "/api/v1/voices/"
ALICE = "198.51.100.7"
BOB = "203.0.113.9"


def send(client, form=CITIZEN_FORM, key="k-1", address=ALICE, **extra):
    return client.post(
        URL, form, format="json", HTTP_IDEMPOTENCY_KEY=key, REMOTE_ADDR=address, **extra
    )


def test_an_imported_denunciation_cannot_be_probed_with_its_old_style_key(
    world, system_actor, anonymous
):
    """The key of an import was ``import:`` + a hash of the row *and the sender's name*, and the
    API answered any voice's key: whoever guessed who denounced whom got the tracking code."""
    row = ["Tố cáo", "land", "17329", "Cán bộ xã thu tiền trái phép.", "02/11/2026", "Trần Văn Tố"]
    header = ["Loại", "Lĩnh vực", "Mã đơn vị", "Nội dung", "Ngày nhận", "Họ tên"]
    rows = parse_voice_file(name="y-kien.csv", data=csv_bytes([header, row]))
    report = voices_import(actor=system_actor, rows=rows)
    assert report.imported == 1
    denunciation = Voice.objects.get(kind="denunciation")
    parts = ["denunciation", "17329", fold("land"), fold(row[3]), "2026-11-02", fold(row[5])]
    old_key = "import:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]

    probe = send(anonymous, key=old_key)

    assert probe.status_code == 201
    assert probe.json()["tracking_code"] != denunciation.tracking_code
    assert denunciation.tracking_code not in probe.content.decode()
    assert Voice.objects.filter(import_fingerprint__isnull=False).get() == denunciation


def test_the_same_key_from_two_clients_makes_two_voices(world, anonymous):
    alice = send(anonymous, key="demo-1", address=ALICE)
    bob = send(anonymous, {**CITIZEN_FORM, "text": "Cống thoát nước bị tắc."}, "demo-1", BOB)
    bob_same_body = send(anonymous, key="demo-1", address="192.0.2.44")

    assert [alice.status_code, bob.status_code, bob_same_body.status_code] == [201, 201, 201]
    codes = {r.json()["tracking_code"] for r in (alice, bob, bob_same_body)}
    assert len(codes) == 3
    assert Voice.objects.count() == 3


def test_the_same_key_and_request_replays_the_first_answer(world, anonymous):
    first = send(anonymous)
    # The same parameters in another order and encoding are the same request.
    again = anonymous.post(
        URL, dict(reversed(CITIZEN_FORM.items())), HTTP_IDEMPOTENCY_KEY="k-1", REMOTE_ADDR=ALICE
    )

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Voice.objects.count() == 1


def test_the_same_key_with_another_request_is_refused_with_422(world, anonymous):
    first = send(anonymous)
    other = send(anonymous, {**CITIZEN_FORM, "text": "Một việc khác hẳn."})

    assert other.status_code == 422
    assert other["Content-Type"].startswith("application/problem+json")
    assert first.json()["tracking_code"] not in other.content.decode()
    assert Voice.objects.count() == 1


def test_long_keys_are_kept_whole(world, anonymous):
    common = "a" * 80
    first = send(anonymous, key=common + "-1")
    second = send(anonymous, {**CITIZEN_FORM, "text": "Một việc khác hẳn."}, key=common + "-2")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["tracking_code"] != second.json()["tracking_code"]
    assert send(anonymous, key="x" * 256).status_code == 400
    assert Voice.objects.count() == 2


def test_a_key_expires_after_a_day_and_the_purge_deletes_it(world, anonymous):
    first = send(anonymous)
    record = IdempotencyRecord.objects.get()
    lifetime = record.expires_at - record.created_at
    assert abs(lifetime - datetime.timedelta(hours=24)) < datetime.timedelta(seconds=5)
    IdempotencyRecord.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    after = send(anonymous)

    assert after.status_code == 201
    assert after.json()["tracking_code"] != first.json()["tracking_code"]
    IdempotencyRecord.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    call_command("purge_idempotency_keys", stdout=io.StringIO())
    assert not IdempotencyRecord.objects.exists()


def test_a_refused_request_is_not_kept(world, anonymous):
    refused = send(anonymous, {**CITIZEN_FORM, "unit": "99999"})
    assert refused.status_code == 400
    assert not IdempotencyRecord.objects.exists()
    assert send(anonymous, {**CITIZEN_FORM, "unit": "99999"}).status_code == 400


def test_a_retried_second_complaint_replays_instead_of_400(world, commune_officer, token_client):
    client = token_client(commune_officer)
    first = published(world, commune_officer, kind="complaint_first")
    url = f"/api/v1/cases/{first.tracking_code}/second_complaint/"
    body = {"version": first.version, "text": "Không đồng ý."}

    answers = [client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="sc-1") for _ in "12"]

    assert [a.status_code for a in answers] == [200, 200], answers[1].content
    second = Voice.objects.get(previous=first)
    assert {a.json()["tracking_code"] for a in answers} == {second.tracking_code}
    # The key is the token's: another officer's token with the same key is not answered with it.
    other = token_client(commune_officer).post(
        url, body, format="json", HTTP_IDEMPOTENCY_KEY="sc-1"
    )
    assert other.status_code in (400, 409)
    assert second.tracking_code not in other.content.decode()


def test_open311_refuses_a_key_reused_for_another_request(world, anonymous):
    form = {
        "service_code": "infrastructure",
        "address_id": "17329",
        "description": "Đèn đường hỏng.",
    }
    url = "/open311/v2/requests.json"
    first = anonymous.post(url, form, HTTP_IDEMPOTENCY_KEY="o-1")
    again = anonymous.post(url, form, HTTP_IDEMPOTENCY_KEY="o-1")
    other = anonymous.post(url, {**form, "description": "Khác."}, HTTP_IDEMPOTENCY_KEY="o-1")

    assert (first.status_code, again.status_code, other.status_code) == (201, 201, 422)
    assert again.json() == first.json()
    assert other.json()[0]["code"] == 422
    assert Voice.objects.count() == 1


def test_the_openapi_document_describes_the_header_and_the_422(anonymous):
    schema = json.loads(anonymous.get("/api/schema/?format=json").content)
    for path in ("/api/v1/voices/", "/api/v1/cases/{tracking_code}/{action}/"):
        operation = schema["paths"][path]["post"]
        assert "Idempotency-Key" in [p["name"] for p in operation["parameters"]]
        assert "422" in operation["responses"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_retries_make_one_voice_and_the_same_answer(world):
    """The second insert of (client, key) waits for the first transaction, then replays it."""
    barrier = threading.Barrier(4)
    answers: list[tuple[int, str]] = []

    def retry() -> None:
        barrier.wait()
        try:
            response = send(APIClient(), key="race-1")
            answers.append((response.status_code, response.json()["tracking_code"]))
        finally:
            connection.close()

    threads = [threading.Thread(target=retry) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _code in answers) == [200, 200, 200, 201]
    assert len({code for _status, code in answers}) == 1
    assert Voice.objects.count() == 1
