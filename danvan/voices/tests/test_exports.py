"""The inbox exported as XLSX: the officer's scope and filters, personal data only for the roles
that may see it, never a denouncer's identity, and an audit row."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CITIZEN = Actor(user=None, ip="203.0.113.5", label="citizen")
EXPORT = reverse("voices:export")


def submit(unit, **overrides) -> Voice:
    values = {
        "actor": CITIZEN,
        "kind": "complaint_first",
        "channel": "web",
        "unit": unit,
        "topic": Topic.objects.get(code="land", province=None),
        "text": "Chưa được bồi thường.",
        "submitter_name": "Nguyễn Văn An",
        "submitter_contact": "0912345678",
    }
    values.update(overrides)
    return voice_submit(**values)


def rows(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [tuple(r) for r in sheet.iter_rows(values_only=True)]


@pytest.fixture
def voices(world):
    return {
        "complaint": submit(world.anh_son_village),
        "denunciation": submit(
            world.anh_son_village, kind="denunciation", submitter_name="Trần Thị Bích"
        ),
        "elsewhere": submit(world.muong_xen, submitter_name="Lò Văn Pằn"),
    }


def test_a_commune_officer_exports_their_communes_cases_with_the_complainants(
    voices, commune_officer, login
):
    table = rows(login(commune_officer).get(EXPORT))
    header, body = table[0], table[1:]
    assert header[0] == "Tracking code" and "Name" in header
    codes = {r[0] for r in body}
    assert codes == {voices["complaint"].tracking_code, voices["denunciation"].tracking_code}
    by_code = {r[0]: r for r in body}
    name_at = header.index("Name")
    assert by_code[voices["complaint"].tracking_code][name_at] == "Nguyễn Văn An"
    assert by_code[voices["denunciation"].tracking_code][name_at] in ("", None)
    entry = AuditEntry.objects.get(action="voice.export")
    assert entry.changes["rows"] == 2 and entry.changes["personal_data"] is True


def test_the_export_follows_the_inbox_filters(voices, commune_officer, login):
    table = rows(login(commune_officer).get(EXPORT, {"kind": "denunciation"}))
    assert [r[0] for r in table[1:]] == [voices["denunciation"].tracking_code]


def test_an_observer_exports_without_personal_data(voices, observer, login):
    table = rows(login(observer).get(EXPORT))
    assert "Name" not in table[0]
    assert len(table) == 4  # header and the three cases of the province
    assert all("Nguyễn Văn An" not in str(r) for r in table)


def test_nobody_exports_an_empty_sheet(voices, nobody, login):
    assert len(rows(login(nobody).get(EXPORT))) == 1


def test_the_export_needs_a_login(client):
    assert client.get(EXPORT).status_code == 302


def test_the_column_titles_are_vietnamese_by_default(voices, commune_officer, login):
    client = login(commune_officer)
    del client.cookies["django_language"]
    assert rows(client.get(EXPORT))[0][0] == "Mã tra cứu"


def test_the_inbox_links_to_the_export_with_its_filters(voices, commune_officer, login):
    page = login(commune_officer).get(reverse("voices:inbox"), {"kind": "denunciation"})
    assert f'href="{EXPORT}?kind=denunciation"' in page.content.decode()
