"""The audit log is append-only in the database itself, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.audit.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(system_actor):
    return audit_record(actor=system_actor, action="test.something", changes={"a": 1})


def test_an_entry_cannot_be_updated_through_a_queryset(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="test.rewritten")

    entry.refresh_from_db()
    assert entry.action == "test.something"


def test_an_entry_cannot_be_saved_again(entry):
    entry.changes = {"a": 2}

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.save()

    entry.refresh_from_db()
    assert entry.changes == {"a": 1}


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        entry.delete()

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_entries_cannot_be_deleted_in_bulk(entry, system_actor):
    audit_record(actor=system_actor, action="test.other")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.count() == 2


def test_raw_sql_cannot_rewrite_history_either(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE audit_auditentry SET actor_label = %s WHERE id = %s", ["someone", entry.pk]
        )

    entry.refresh_from_db()
    assert entry.actor_label == "system:test"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL only")
def test_the_table_cannot_be_truncated_on_postgresql(entry):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Check the foreign keys of the new row now: PostgreSQL refuses to truncate a table
        # with pending deferred checks before the trigger gets a say.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE audit_auditentry")


def test_new_entries_can_still_be_appended(entry, system_actor):
    audit_record(actor=system_actor, action="test.next")

    assert list(AuditEntry.objects.values_list("action", flat=True)) == [
        "test.next",
        "test.something",
    ]


def test_an_entry_reads_as_time_actor_action_and_object(world):
    entry = AuditEntry.objects.filter(action="body.create").first()
    assert entry is not None

    assert str(entry).endswith(f"system:test body.create {entry.object_repr}")


def test_the_actor_of_a_request_is_recorded_with_address_and_browser(rf, commune_officer):
    request = rf.get("/", HTTP_USER_AGENT="Mozilla/5.0 (Android)", REMOTE_ADDR="10.1.2.3")
    request.user = commune_officer

    recorded = audit_record(actor=Actor.from_request(request), action="test.request")

    assert recorded.actor == commune_officer
    assert recorded.actor_label == "xa"
    assert recorded.ip_address == "10.1.2.3"
    assert recorded.user_agent == "Mozilla/5.0 (Android)"
