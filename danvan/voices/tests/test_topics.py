"""A province extends the topic taxonomy; the built-in topics stay as they are."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.lib.testing import refused
from danvan.voices.models import Topic
from danvan.voices.services_topics import topic_create, topic_update

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TOPICS = reverse("voices:topics")


def test_provincial_staff_add_a_topic_used_only_in_their_province(world, provincial_staff):
    topic = topic_create(
        actor=Actor.of_user(provincial_staff), province=world.nghe_an, name="Nông thôn mới"
    )
    assert (topic.code, topic.province) == ("nong-thon-moi", world.nghe_an)
    assert topic in Topic.objects.for_province(world.nghe_an.pk)
    assert topic not in Topic.objects.for_province(world.ha_noi.pk)
    assert AuditEntry.objects.filter(action="topic.create").exists()


def test_a_topic_cannot_repeat_a_built_in_or_existing_one(world, provincial_staff):
    actor = Actor.of_user(provincial_staff)
    refused(
        lambda: topic_create(actor=actor, province=world.nghe_an, name="Khác", code="land"),
        "already used",
    )
    topic_create(actor=actor, province=world.nghe_an, name="Nông thôn mới")
    refused(
        lambda: topic_create(actor=actor, province=world.nghe_an, name="nong thon moi", code="ntm"),
        "already exists",
    )
    refused(lambda: topic_create(actor=actor, province=world.nghe_an, name="  "), "name")
    assert Topic.objects.filter(province=world.nghe_an).count() == 1


def test_a_commune_officer_cannot_add_a_province_topic(world, commune_officer):
    with pytest.raises(PermissionDenied):
        topic_create(actor=Actor.of_user(commune_officer), province=world.nghe_an, name="X")


def test_retiring_a_topic_hides_it_from_new_voices(world, provincial_staff):
    actor = Actor.of_user(provincial_staff)
    topic = topic_create(actor=actor, province=world.nghe_an, name="Nông thôn mới")
    topic_update(actor=actor, topic=topic, name="Xây dựng nông thôn mới", order=5, is_active=False)
    topic.refresh_from_db()
    assert topic.name == "Xây dựng nông thôn mới" and not topic.is_active
    assert topic not in Topic.objects.for_province(world.nghe_an.pk)


def test_built_in_topics_cannot_be_changed(world, system_admin):
    land = Topic.objects.get(code="land", province=None)
    refused(
        lambda: topic_update(
            actor=Actor.of_user(system_admin), topic=land, name="Đất", order=1, is_active=True
        ),
        "built-in",
    )


def test_the_page_lists_and_adds_topics(world, provincial_staff, login):
    client = login(provincial_staff)
    page = client.get(TOPICS).content.decode()
    assert "Land and site clearance" in page or "land" in page
    response = client.post(
        TOPICS, {"province": world.nghe_an.code, "name": "Chuyển đổi số", "order": 10}
    )
    assert response.status_code == 302
    topic = Topic.objects.get(province=world.nghe_an)
    assert topic.code == "chuyen-doi-so"
    response = client.post(
        reverse("voices:topic_edit", args=[topic.pk]), {"name": "Chuyển đổi số", "order": 10}
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert topic.is_active is False
    # A bad name answers 400 with the reason, and nothing changes.
    response = client.post(
        TOPICS, {"province": world.nghe_an.code, "name": "chuyen doi so", "order": 1}
    )
    assert response.status_code == 400
    assert "already used by the topic" in response.content.decode()


@pytest.mark.parametrize(
    "role", ["commune_officer", "village_member", "observer", "leader", "nobody"]
)
def test_others_are_refused_the_page(request, world, role, login):
    assert login(request.getfixturevalue(role)).get(TOPICS).status_code == 403


def test_the_admin_writes_a_provinces_topics_through_the_services(world, system_admin, login):
    client = login(system_admin)
    add = reverse("admin:voices_topic_add")

    response = client.post(
        add, {"province": world.nghe_an.pk, "code": "fishing", "name": "Thủy sản", "order": 200}
    )
    assert response.status_code == 302
    topic = Topic.objects.get(code="fishing", province=world.nghe_an)
    created = AuditEntry.objects.filter(action="topic.create", object_id=str(topic.pk))
    assert created.count() == 1

    response = client.post(
        reverse("admin:voices_topic_change", args=[topic.pk]),
        {"name": "Khai thác thủy sản", "order": 5},  # "active" unticked
    )
    assert response.status_code == 302
    topic.refresh_from_db()
    assert (topic.name, topic.order, topic.is_active) == ("Khai thác thủy sản", 5, False)
    assert AuditEntry.objects.filter(action="topic.update", object_id=str(topic.pk)).exists()

    # What the service refuses is shown on the form, and nothing is written, not even an audit row.
    for data, refusal in [
        ({"province": world.nghe_an.pk, "code": "fish2", "name": "khai thac thuy san"}, "exists"),
        ({"province": world.anh_son.pk, "code": "fish3", "name": "Cá"}, "added for a province"),
    ]:
        response = client.post(add, {**data, "order": 1})
        assert response.status_code == 200
        assert refusal in response.content.decode()
    assert Topic.objects.filter(province__isnull=False).count() == 1
    assert AuditEntry.objects.filter(action="topic.create").count() == 1
