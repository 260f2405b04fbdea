"""The overdue list per body (``/cases/overdue/``): what each user sees, grouped, in one query."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.voices.models import Topic
from danvan.voices.services import voice_submit
from danvan.voices.services_routing import case_accept, case_assign

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SYSTEM = Actor.system("test")


def overdue_case(world, unit, body, text="Đường làng bị sạt lở."):
    voice = voice_submit(
        actor=SYSTEM,
        kind="complaint_first",
        channel="officer",
        unit=unit,
        topic=Topic.objects.get(code="infrastructure", province=None),
        text=text,
        received_on=datetime.date(2026, 9, 1),
        submitter_name="Trần Văn Bình",
    )
    voice = case_accept(
        actor=SYSTEM,
        voice=voice,
        expected_version=voice.version,
        accepted_on=datetime.date(2026, 9, 3),
    )
    return case_assign(actor=SYSTEM, voice=voice, expected_version=voice.version, body=body)


def test_the_overdue_list_shows_only_the_bodies_and_cases_the_user_may_see(
    world, login, commune_officer
):
    ours = overdue_case(world, world.anh_son_village, world.village_body)
    theirs = overdue_case(world, world.muong_xen, world.muong_xen_body)

    response = login(commune_officer).get(reverse("voices:overdue"))

    page = response.content.decode()
    assert response.status_code == 200
    assert ours.tracking_code in page
    assert "Tổ dân vận Xóm 1" in page
    assert theirs.tracking_code not in page
    assert "Đảng ủy xã Mường Xén" not in page


def test_the_overdue_list_groups_cases_by_body_with_counts(world, login, provincial_staff):
    overdue_case(world, world.anh_son_village, world.village_body)
    overdue_case(world, world.anh_son_village, world.village_body)
    overdue_case(world, world.muong_xen, world.muong_xen_body)

    response = login(provincial_staff).get(reverse("voices:overdue"))

    groups = {g.body.name: g.count for g in response.context["groups"]}
    assert groups == {"Tổ dân vận Xóm 1": 2, "Đảng ủy xã Mường Xén": 1}
    assert response.context["total"] == 3


def test_the_overdue_list_takes_the_same_number_of_queries_for_many_cases(
    world, login, provincial_staff
):
    client = login(provincial_staff)
    overdue_case(world, world.anh_son_village, world.village_body)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("voices:overdue"))
    overdue_case(world, world.muong_xen, world.muong_xen_body)
    overdue_case(world, world.muong_xen_village, world.muong_xen_body)
    with CaptureQueriesContext(connection) as three:
        client.get(reverse("voices:overdue"))

    assert len(three) == len(one)


def test_someone_without_a_membership_sees_no_overdue_case(world, login, nobody):
    overdue_case(world, world.anh_son_village, world.village_body)

    response = login(nobody).get(reverse("voices:overdue"))

    assert response.status_code == 200
    assert response.context["groups"] == []


def test_the_old_address_of_the_overdue_list_leads_to_it(world, login, commune_officer):
    # Notifications sent before the list moved to the cases link to /notifications/overdue/.
    response = login(commune_officer).get("/notifications/overdue/?x=1")

    assert response.status_code == 301
    assert response["Location"] == reverse("voices:overdue") + "?x=1"
