"""Law on Denunciations Art. 9.1.b and 56: a denouncer's identity reaches no one but the roles the
law permits, and only through the one audited reading.

One denunciation, handled through most of its life (accepted, coordinated, extended, forwarded,
urged when overdue), with an attachment; then every way a person could come across it is
tried as every role: the officers' pages and their error answers, the case file, the inbox
export, the REST API and Open311, the notifications, the audit log and the admin. None may
contain the name, phone, address or ID number, except the leader's explicit reading.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from danvan.api.services import api_token_create
from danvan.audit.context import Actor
from danvan.voices.attachments import attachment_add
from danvan.voices.models import DenouncerIdentity, Topic, Voice
from danvan.voices.services import voice_submit
from danvan.voices.services_handling import case_coordinate, case_extend
from danvan.voices.services_routing import case_accept, case_assign
from danvan.voices.urging import run_urging

pytestmark = pytest.mark.django_db

NAME = "Phạm Thị Tố Giác"
PHONE = "0977123456"
ADDRESS = "Số 17 ngõ Hoa Ban"
ID_NUMBER = "040198765432"
SECRETS = (NAME, PHONE, ADDRESS, ID_NUMBER)
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

ROLES = ("system_admin", "provincial_staff", "commune_officer", "village_member", "observer")


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def denunciation(world, commune_officer) -> Voice:
    officer = Actor.of_user(commune_officer)
    voice = voice_submit(
        actor=Actor(user=None, ip="203.0.113.9", label="citizen"),
        kind="denunciation",
        channel="web",
        unit=world.anh_son_village,
        topic=Topic.objects.get(code="officials_conduct", province=None),
        text="Cán bộ địa chính xã nhận tiền để làm sổ đỏ nhanh.",
        received_on=datetime.date(2026, 9, 1),
        submitter_name=NAME,
        submitter_contact=PHONE,
        submitter_address=ADDRESS,
        submitter_id_number=ID_NUMBER,
    )
    attachment_add(
        actor=officer,
        voice=voice,
        upload=SimpleUploadedFile("don.pdf", PDF_BYTES, "application/pdf"),
    )
    voice = case_accept(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        accepted_on=datetime.date(2026, 9, 3),
    )
    voice = case_assign(
        actor=officer, voice=voice, expected_version=voice.version, body=world.anh_son_body
    )
    voice = case_coordinate(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        bodies=[world.province_body],
        request="Đề nghị phối hợp xác minh.",
    )
    voice = case_extend(
        actor=officer,
        voice=voice,
        expected_version=voice.version,
        step="resolve",
        reason="Cần xác minh thêm.",
        complexity="complex",
    )
    # Overdue by now: the urging job notifies the body and asks the superior for a report.
    run_urging()
    assert DenouncerIdentity.objects.get(voice=voice).name == NAME
    return voice


def _text(response: Any) -> str:
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats-officedocument"):
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return " ".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _assert_hidden(response: Any, where: str) -> None:
    text = _text(response)
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked on {where} ({response.status_code})"


def _pages(voice: Voice) -> list[tuple[str, str, dict[str, Any]]]:
    code = voice.tracking_code
    attachment = voice.attachments.get()
    return [
        ("get", reverse("voices:inbox"), {}),
        ("get", reverse("voices:inbox"), {"kind": "denunciation", "urgency": "overdue"}),
        ("get", reverse("voices:case", args=[code]), {}),
        ("get", reverse("voices:case_file", args=[code]), {}),
        ("get", reverse("voices:export"), {}),
        ("get", reverse("voices:export"), {"kind": "denunciation"}),
        ("get", reverse("voices:case_attachment", args=[code, attachment.pk]), {}),
        ("post", reverse("voices:case_identity", args=[code]), {}),
        # Error answers: a refused action, a stale version, an invalid form.
        ("post", reverse("voices:case_action", args=[code, "accept"]), {"accept-version": 1}),
        (
            "post",
            reverse("voices:case_action", args=[code, "answer"]),
            {"answer-version": 1, "answer-text": "Trả lời."},
        ),
        ("post", reverse("voices:case_action", args=[code, "refuse"]), {}),
        ("get", reverse("notifications:list"), {}),
        ("get", reverse("voices:overdue"), {}),
        ("get", reverse("audit:list"), {}),
    ]


@pytest.mark.parametrize("role", [*ROLES, "leader", "nobody"])
def test_no_page_export_or_error_shows_the_identity(request, denunciation, role, login):
    client = login(request.getfixturevalue(role))
    for method, url, data in _pages(denunciation):
        if role == "leader" and url.endswith("/identity/"):
            continue  # the leader's explicit, audited reading: tested below
        response = getattr(client, method)(url, data)
        _assert_hidden(response, f"{method.upper()} {url} as {role}")


@pytest.mark.parametrize("role", ROLES)
def test_those_without_the_right_cannot_reveal_it(request, denunciation, role, login):
    response = login(request.getfixturevalue(role)).post(
        reverse("voices:case_identity", args=[denunciation.tracking_code])
    )
    assert response.status_code in (403, 404)


def test_only_the_leaders_explicit_reading_shows_it(denunciation, leader, login):
    response = login(leader).post(
        reverse("voices:case_identity", args=[denunciation.tracking_code]),
        {"reason": "Xác minh theo yêu cầu của Thanh tra tỉnh"},
    )
    assert response.status_code == 200
    assert all(secret in response.content.decode() for secret in SECRETS)


@pytest.mark.parametrize("role", [*ROLES, "leader"])
def test_the_api_never_returns_it(request, denunciation, role):
    _token, key = api_token_create(
        actor=Actor.system("test"), user=request.getfixturevalue(role), name="t"
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    code = denunciation.tracking_code
    for url in (
        "/api/v1/cases/",
        "/api/v1/cases/?kind=denunciation",
        f"/api/v1/cases/{code}/",
        f"/api/v1/voices/status/{code}/",
        f"/open311/v2/requests/{code}.json",
        f"/open311/v2/requests/{code}.xml",
        "/open311/v2/requests.json",
    ):
        _assert_hidden(client.get(url), f"GET {url} as {role}")
    # An action refused by the service answers with its message, not the case's data.
    response = client.post(f"/api/v1/cases/{code}/accept/", {"version": 1}, format="json")
    assert response.status_code >= 400
    _assert_hidden(response, f"POST accept as {role}")


def test_citizens_pages_and_open_endpoints_never_return_it(denunciation):
    client = Client(REMOTE_ADDR="198.51.100.50")
    code = denunciation.tracking_code
    _assert_hidden(client.post(reverse("voices_public:lookup"), {"code": code}), "lookup")
    _assert_hidden(APIClient().get(f"/api/v1/voices/status/{code}/"), "API status")
    _assert_hidden(APIClient().get(f"/open311/v2/requests/{code}.json"), "Open311")


def test_the_admin_never_shows_it(denunciation, system_admin, login):
    client = login(system_admin)
    for url in (
        reverse("admin:voices_voice_changelist"),
        reverse("admin:voices_voice_change", args=[denunciation.pk]),
        reverse("admin:voices_voiceevent_changelist"),
        reverse("admin:index"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        _assert_hidden(response, url)
    # Searching by the name finds nothing (the search box echoes the query, nothing else).
    found = client.get(reverse("admin:voices_voice_changelist"), {"q": NAME}).content.decode()
    assert denunciation.tracking_code not in found
    # The identity has no admin page at all.
    from django.contrib import admin

    assert DenouncerIdentity not in admin.site._registry


@pytest.mark.parametrize("role", [*ROLES, "leader", "nobody"])
def test_search_never_shows_the_identity(request, denunciation, role, login):
    """The search page finds the denunciation by its content, in every tab, and never shows who
    made it; searching by the denouncer's name, phone, address or ID number finds nothing (the
    page only repeats the query in its search box)."""
    from urllib.parse import quote_plus

    from django.utils.html import escape

    from danvan.lib.textquery import MAX_QUERY_CHARS

    client = login(request.getfixturevalue(role))
    code = denunciation.tracking_code
    for text in ("địa chính", "dia chinh so do", "nhận tiền", "phối hợp xác minh"):
        for kind in ("voices", "answers", "issues"):
            response = client.get(reverse("search:search"), {"q": text, "type": kind})
            _assert_hidden(response, f"search {text!r} {kind} as {role}")
    found = client.get(reverse("search:search"), {"q": "địa chính"})
    assert (code in found.content.decode()) == (role != "nobody"), role
    for secret in SECRETS:
        for kind in ("voices", "answers", "issues"):
            response = client.get(reverse("search:search"), {"q": secret, "type": kind})
            page = response.content.decode()
            assert code not in page, f"searching {secret!r} found the case as {role}"
            # What was typed comes back in the box and in the tabs' links, nowhere else.
            echoes = (f'value="{escape(secret)}"', f"q={quote_plus(secret)}&")
            for echo in echoes:
                page = page.replace(echo, "")
            assert secret not in page, f"{secret!r} shown beyond the query as {role}"
            assert len(secret) < MAX_QUERY_CHARS


CITIZEN_ADDRESS = "203.0.113.9"  # the address the denunciation was sent from (the fixture)


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("role", ["system_admin", "leader"])
def test_the_audit_log_shows_the_denouncers_address_only_to_those_who_may_see_the_identity(
    request, denunciation, role, login
):
    from danvan.audit.models import AuditEntry

    assert AuditEntry.objects.filter(
        action="voice.submit", ip_address=CITIZEN_ADDRESS, object_id=str(denunciation.pk)
    ).exists()
    client = login(request.getfixturevalue(role))
    page = client.get(reverse("audit:list")).content.decode()
    assert "Case received" in page
    assert (CITIZEN_ADDRESS in page) == (role == "leader"), role
    if role == "system_admin":
        for url in (
            reverse("admin:audit_auditentry_changelist"),
            *(
                reverse("admin:audit_auditentry_change", args=[pk])
                for pk in AuditEntry.objects.filter(ip_address=CITIZEN_ADDRESS).values_list(
                    "pk", flat=True
                )
            ),
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            assert CITIZEN_ADDRESS not in response.content.decode(), url


PHONE_FILE = f"Don to cao {PHONE}.pdf"


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("role", [*ROLES, "leader"])
def test_a_denunciations_file_names_are_listed_only_for_those_who_may_see_the_identity(
    request, denunciation, role, login
):
    attachment_add(
        actor=Actor(user=None, label="citizen"),
        voice=denunciation,
        upload=SimpleUploadedFile(PHONE_FILE, PDF_BYTES, "application/pdf"),
    )
    client = login(request.getfixturevalue(role))
    for url in (
        reverse("voices:case", args=[denunciation.tracking_code]),
        reverse("voices:case_file", args=[denunciation.tracking_code]),
    ):
        page = client.get(url).content.decode()
        assert (PHONE in page) == (role == "leader"), f"{url} as {role}"
        if role != "leader":
            assert "2 attachments" in page, f"{url} as {role}"
