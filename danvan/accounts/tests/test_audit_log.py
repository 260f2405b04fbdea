from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.audit.services import audit_record, audit_sensitive_view
from danvan.units.services import unit_set_remote

# Every test here uses the database, some through fixtures looked up by name.
pytestmark = pytest.mark.django_db

URL = reverse("audit:list")


@pytest.fixture
def as_user(request, login):
    def client_for(who: str):
        return login(request.getfixturevalue(who))

    return client_for


@pytest.fixture
def history(world, provincial_staff, leader, commune_officer):
    """A few things that happened, besides building the world."""
    unit_set_remote(actor=Actor.of_user(provincial_staff), unit=world.muong_xen, is_remote=True)
    audit_sensitive_view(
        actor=Actor.of_user(leader), obj=commune_officer, fields=["phone"], unit=world.anh_son
    )
    audit_record(actor=Actor.system("test"), action="units.other", unit=world.hoan_kiem)


def shown(response) -> list[AuditEntry]:
    return list(response.context["page"])


@pytest.mark.parametrize(
    "who", ["provincial_staff", "commune_officer", "village_member", "observer", "nobody"]
)
def test_roles_without_the_audit_capability_are_forbidden(who, as_user):
    response = as_user(who).get(URL)

    assert response.status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_system_administrator_sees_every_entry(as_user, history):
    response = as_user("system_admin").get(URL)

    assert response.status_code == 200
    assert response.context["page"].paginator.count == AuditEntry.objects.count()


def test_the_leader_sees_the_entries_of_the_province_only(as_user, history):
    response = as_user("leader").get(URL)

    assert response.status_code == 200
    entries = AuditEntry.objects.filter(pk__in=[e.pk for e in shown(response)]).select_related(
        "unit"
    )
    assert entries.exists()
    assert all(e.unit is not None and e.unit.path.startswith("/40/") for e in entries)
    assert not any(e.action == "units.other" for e in entries)


def test_the_list_filters_by_actor(as_user, history):
    response = as_user("system_admin").get(URL, {"actor": "TINH"})

    assert [(e.actor_label, e.action) for e in shown(response)] == [("tinh", "unit.set_remote")]


def test_the_list_filters_by_the_start_of_the_action(as_user, history):
    response = as_user("system_admin").get(URL, {"action": "unit."})

    actions = {e.action for e in shown(response)}
    assert actions == {"unit.create", "unit.set_remote"}


def test_the_list_filters_by_unit_code(as_user, history):
    response = as_user("system_admin").get(URL, {"unit": "16813"})

    entries = shown(response)
    assert entries
    assert {e.unit.code for e in entries if e.unit is not None} == {"16813"}
    assert all(e.unit is not None for e in entries)
    assert "unit.set_remote" in {e.action for e in entries}


def test_the_list_filters_views_of_sensitive_data(as_user, history, leader):
    response = as_user("system_admin").get(URL, {"sensitive": "on"})

    entries = shown(response)
    assert [(e.action, e.actor) for e in entries] == [("sensitive.view", leader)]


def test_the_list_filters_by_date(as_user, history):
    client = as_user("system_admin")
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    yesterday = today - datetime.timedelta(days=1)
    everything = AuditEntry.objects.count()

    def count(**filters: object) -> int:
        return client.get(URL, filters).context["page"].paginator.count

    assert count(date_from=today.isoformat(), date_to=today.isoformat()) == everything
    assert count(date_from=tomorrow.isoformat()) == 0
    assert count(date_to=yesterday.isoformat()) == 0
    assert count(date_from=yesterday.isoformat(), date_to=tomorrow.isoformat()) == everything


def test_the_filters_combine(as_user, history):
    response = as_user("system_admin").get(
        URL, {"actor": "lanhdao", "sensitive": "on", "unit": "17329"}
    )

    assert [e.action for e in shown(response)] == ["sensitive.view"]


def test_an_invalid_date_shows_the_error_and_filters_nothing(as_user, history):
    response = as_user("system_admin").get(URL, {"date_from": "31/02/2025"})

    assert response.status_code == 200
    assert "date_from" in response.context["form"].errors
    assert response.context["page"].paginator.count == AuditEntry.objects.count()


def test_the_leader_cannot_filter_into_another_province(as_user, history):
    response = as_user("leader").get(URL, {"unit": "00070"})

    assert shown(response) == []


def test_the_audit_list_runs_the_same_queries_however_many_entries(
    as_user, history, world, django_assert_max_num_queries
):
    client = as_user("leader")
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for n in range(60):
        audit_record(actor=Actor.system("test"), action=f"test.{n}", unit=world.muong_xen_village)

    with django_assert_max_num_queries(len(few)):
        response = client.get(URL)

    assert len(shown(response)) == 50
