"""The audit log in the Django admin: the list reads each column once, whatever the rows."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.audit.models import AuditEntry


def _entries(world, count: int) -> None:
    """Rows with a unit, and rows a citizen's submission wrote (whose address may be hidden)."""
    for n in range(count):
        AuditEntry.objects.create(
            actor_label="anonymous",
            action="voice.submit",
            object_type="voices.voice",
            object_id=str(1_000_000 + n),
            ip_address="203.0.113.7",
            user_agent="Firefox",
            unit=world.anh_son if n % 2 else world.muong_xen,
        )


def test_the_list_takes_as_many_queries_for_30_rows_as_for_2(
    world, system_admin, login, django_assert_max_num_queries
):
    client = login(system_admin)
    url = reverse("admin:audit_auditentry_changelist")
    _entries(world, 2)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _entries(world, 28)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("203.0.113.7") == 30
