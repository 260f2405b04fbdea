"""The officer pages of voter contact sessions and the voice import."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from danvan.units.tests.files import EXE_BYTES, csv_bytes, xlsx_bytes
from danvan.voices.models import Topic, Voice
from danvan.voter_contact.models import SessionRecommendation, VoterContactSession
from danvan.voter_contact.tests.helpers import add, days_ago, make_session

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = ["Loại", "Lĩnh vực", "Mã đơn vị", "Nội dung", "Ngày nhận"]


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)


def test_an_officer_records_a_session_and_adds_a_recommendation(world, commune_officer, login):
    client = login(commune_officer)

    response = client.post(
        reverse("voter_contact:new"),
        {"title": "Tiếp xúc cử tri kỳ họp thứ 5", "date": days_ago(1).strftime("%d/%m/%Y"),
         "unit": "17329", "place": "Hội trường xã"},
    )  # fmt: skip

    session = VoterContactSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("voter_contact:detail", args=[session.pk])
    response = client.post(
        reverse("voter_contact:add", args=[session.pk]),
        {"text": "Đề nghị lắp đèn đường.", "topic": Topic.objects.get(code="infrastructure").pk,
         "unit": "17329-001", "joint": "on"},
    )  # fmt: skip
    assert response.status_code == 302
    recommendation = SessionRecommendation.objects.get()
    assert recommendation.joint and recommendation.voice.unit == world.anh_son_village
    page = client.get(reverse("voter_contact:detail", args=[session.pk]))
    assert page.status_code == 200
    assert "Đề nghị lắp đèn đường." in page.content.decode()
    assert (
        "Tiếp xúc cử tri kỳ họp thứ 5" in client.get(reverse("voter_contact:list")).content.decode()
    )


def test_an_officer_cannot_record_a_session_in_another_commune(world, commune_officer, login):
    client = login(commune_officer)
    client.cookies["django_language"] = "en"  # the message is asserted in English
    response = client.post(
        reverse("voter_contact:new"),
        {"title": "Tiếp xúc cử tri", "date": days_ago(1).strftime("%d/%m/%Y"), "unit": "16813"},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["unit"] == ["No unit you work for has the code 16813."]
    assert not VoterContactSession.objects.exists()


@pytest.mark.parametrize("who", ["village_member", "nobody"])
def test_a_session_is_hidden_from_users_outside_its_unit(world, login, request, who):
    session = make_session(world, None, date=days_ago(3), title="Tiếp xúc cử tri quý IV, Anh Sơn")
    client = login(request.getfixturevalue(who))

    assert client.get(reverse("voter_contact:detail", args=[session.pk])).status_code == 404
    assert client.get(reverse("voter_contact:report", args=[session.pk])).status_code == 404
    assert client.get(reverse("voter_contact:report_xlsx", args=[session.pk])).status_code == 404
    assert session.title not in client.get(reverse("voter_contact:list")).content.decode()


def test_the_session_list_uses_a_fixed_number_of_queries(
    world, provincial_staff, login, django_assert_max_num_queries
):
    client = login(provincial_staff)
    client.get(reverse("voter_contact:list"))
    for number in range(5):
        make_session(world, None, date=days_ago(number), title=f"Phiên {number}")

    with django_assert_max_num_queries(12):
        response = client.get(reverse("voter_contact:list"))

    assert response.content.decode().count("Phiên ") == 5


def test_the_report_page_and_its_xlsx_export(world, commune_officer, login):
    from openpyxl import load_workbook

    session = make_session(world, commune_officer, date=days_ago(60))
    add(session, "Quá hạn chưa trả lời")
    client = login(commune_officer)

    page = client.get(reverse("voter_contact:report", args=[session.pk]))
    export = client.get(reverse("voter_contact:report_xlsx", args=[session.pk]))

    assert page.status_code == 200
    assert 'data-outcome="overdue">1<' in page.content.decode()
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert (
        sheet is not None
        and sheet["B2"].value == SessionRecommendation.objects.get().voice.tracking_code
    )


def test_the_voice_import_page_imports_a_valid_file(world, commune_officer, login):
    data = xlsx_bytes([HEADER, ["Phản ánh", "land", "17329", "Lấn chiếm đất công.", "02/11/2026"]])

    response = login(commune_officer).post(
        reverse("voter_contact:import_voices"), {"file": upload("y-kien.xlsx", data)}
    )

    assert response.status_code == 200
    report = response.context["report"]
    assert (len(report.rows), len(report.error_rows), report.imported) == (1, 0, 1)
    assert Voice.objects.get().tracking_code in response.content.decode()


def test_the_voice_import_page_reports_row_errors_and_imports_nothing(
    world, commune_officer, login
):
    data = csv_bytes(
        [
            HEADER,
            ["Phản ánh", "land", "17329", "Lấn chiếm đất công.", "02/11/2026"],
            ["Phản ánh", "land", "16813", "Xã khác.", "02/11/2026"],
        ]
    )
    client = login(commune_officer)
    client.cookies["django_language"] = "en"  # the row errors are asserted in English

    response = client.post(
        reverse("voter_contact:import_voices"), {"file": upload("y-kien.csv", data)}
    )

    assert response.status_code == 400
    report = response.context["report"]
    assert report.imported == 0
    assert [r.errors for r in report.error_rows] == [
        ["Xã Mường Xén is outside the units you work for."]
    ]
    assert not Voice.objects.exists()

    response = client.post(
        reverse("voter_contact:import_voices"),
        {"file": upload("y-kien.csv", data), "only_valid": "on"},
    )
    assert response.status_code == 200
    assert Voice.objects.count() == 1


def test_a_disguised_program_is_refused_by_the_import_page(world, commune_officer, login):
    response = login(commune_officer).post(
        reverse("voter_contact:import_voices"),
        {"file": upload("y-kien.xlsx", EXE_BYTES)},
    )

    assert response.status_code == 400
    # The message is the reader's (``lib.tables``), shown in the page's language.
    assert "Excel (.xlsx)" in response.context["file_error"]
    assert not Voice.objects.exists()


def test_the_session_import_page_fixes_the_kind_and_date(world, commune_officer, login):
    session = make_session(world, commune_officer, date=days_ago(4))
    data = csv_bytes([["Lĩnh vực", "Nội dung"], ["Y tế", "Thiếu bác sĩ."]])

    response = login(commune_officer).post(
        reverse("voter_contact:import", args=[session.pk]), {"file": upload("k.csv", data)}
    )

    assert response.status_code == 302
    voice = SessionRecommendation.objects.get(session=session).voice
    assert (voice.kind, voice.received_on, voice.unit) == (
        "voter_recommendation", session.date, world.anh_son
    )  # fmt: skip


def test_an_observer_cannot_import(world, observer, login):
    assert login(observer).get(reverse("voter_contact:import_voices")).status_code == 403


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("query", ["", "?for=session"])
def test_the_templates_download(world, commune_officer, login, fmt, query):
    response = login(commune_officer).get(
        reverse("voter_contact:voice_template", args=[fmt]) + query
    )

    assert response.status_code == 200
    assert f'.{fmt}"' in response["Content-Disposition"]
