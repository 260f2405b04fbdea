"""The database router: heavy reads on the replica, everything else on the primary.

The first tests need no replica. The last ones run against a real PostgreSQL streaming replica
(``.ci/run replica`` starts a primary and a standby copied from it with ``pg_basebackup``, and sets
``DATABASE_URL`` and ``DATABASE_REPLICA_URL``); without one they are skipped, unless
``DANVAN_REPLICA_REQUIRED`` is set (as in that CI step): then the module fails. The test database
is created on the primary and streams to the replica, whose alias mirrors it (``TEST: MIRROR``);
they are transactional so that what they write is committed and streamed, and they wait for the
replica to have replayed the primary's WAL (``pg_last_wal_replay_lsn``) before reading it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from danvan.audit.context import Actor
from danvan.lib import routers
from danvan.lib.routers import (
    PIN_COOKIE,
    PRIMARY,
    REPLICA,
    PrimaryAfterWriteMiddleware,
    PrimaryReplicaRouter,
    heavy_reads,
    read_database,
)
from danvan.units.models import AdministrativeUnit
from danvan.units.services import village_create


def test_without_a_replica_every_read_goes_to_the_primary(monkeypatch: pytest.MonkeyPatch) -> None:
    # Without DATABASE_REPLICA_URL there is no alias (removed here when the run has one): the
    # default is unchanged.
    monkeypatch.delitem(settings.DATABASES, REPLICA, raising=False)
    with heavy_reads():
        assert read_database() == PRIMARY


def test_migrations_never_run_on_the_replica() -> None:
    router = PrimaryReplicaRouter()
    assert router.allow_migrate(PRIMARY, "voices")
    assert not router.allow_migrate(REPLICA, "voices")
    assert router.db_for_write(AdministrativeUnit) == PRIMARY


@pytest.fixture
def as_if_replicated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(routers, "replica_configured", lambda: True)


def _seen_by(request: HttpRequest, write: bool = False) -> tuple[list[str], HttpResponse]:
    """The database a heavy read would use before and after the view's (pretended) write."""
    seen = []

    def view(request: HttpRequest) -> HttpResponse:
        with heavy_reads():
            seen.append(read_database())
            if write:
                routers._pin_on_write(lambda *args: None, "INSERT INTO x VALUES (1)", (), False, {})
            seen.append(read_database())
        return HttpResponse()

    response = PrimaryAfterWriteMiddleware(view)(request)
    return seen, response


@pytest.mark.usefixtures("as_if_replicated")
def test_only_heavy_reads_go_to_the_replica() -> None:
    assert read_database() == PRIMARY
    with heavy_reads():
        assert read_database() == REPLICA
    assert read_database() == PRIMARY


@pytest.mark.usefixtures("as_if_replicated")
def test_a_get_reads_from_the_replica_until_it_writes_and_then_pins_the_browser() -> None:
    seen, response = _seen_by(RequestFactory().get("/dashboard/"), write=False)
    assert seen == [REPLICA, REPLICA]
    assert PIN_COOKIE not in response.cookies

    seen, response = _seen_by(RequestFactory().get("/dashboard/"), write=True)
    assert seen == [REPLICA, PRIMARY]
    assert response.cookies[PIN_COOKIE]["max-age"] == 10
    assert read_database() == PRIMARY  # the pin ends with the request


@pytest.mark.usefixtures("as_if_replicated")
def test_a_post_and_the_requests_just_after_it_read_from_the_primary() -> None:
    seen, response = _seen_by(RequestFactory().post("/cases/x/accept/"))
    assert seen == [PRIMARY, PRIMARY]
    assert PIN_COOKIE in response.cookies

    request = RequestFactory().get("/dashboard/")
    request.COOKIES[PIN_COOKIE] = "1"
    seen, _response = _seen_by(request)
    assert seen == [PRIMARY, PRIMARY]


# --- Against a real replica ----------------------------------------------------------------------

_NO_REPLICA = "no replica: DATABASE_REPLICA_URL is not set (or the primary is SQLite)"
if os.environ.get("DANVAN_REPLICA_REQUIRED") and not routers.replica_configured():
    # The CI step that exists to test the replica must not pass by skipping its tests.
    pytest.fail(f"DANVAN_REPLICA_REQUIRED is set but there is {_NO_REPLICA}", pytrace=False)

needs_replica = pytest.mark.skipif(not routers.replica_configured(), reason=_NO_REPLICA)


def _replica_caught_up(timeout: float = 10) -> None:
    """Waits until the replica has replayed the primary's WAL up to its position now, so that
    everything committed so far can be read on the replica; fails after ``timeout`` seconds."""
    with connections[PRIMARY].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        (target,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    replayed = None
    while True:
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute(
                    "SELECT pg_last_wal_replay_lsn()::text, pg_last_wal_replay_lsn() >= %s::pg_lsn",
                    [target],
                )
                replayed, done = cursor.fetchone()
        except OperationalError:  # the test database itself may not have been replayed yet
            connections[REPLICA].close()
            done = False
        if done:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"the replica replayed up to {replayed}, not {target}, within {timeout} s")
        time.sleep(0.02)


#: Pages whose main reads are heavy, and a table each reads.
HEAVY_PAGES = [("/dashboard/", "dashboards_bucket"), ("/search/?q=duong", "voices_voice")]


def _tables(queries: CaptureQueriesContext) -> str:
    return " ".join(q["sql"] for q in queries.captured_queries)


@pytest.mark.usefixtures("units")
@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
@needs_replica
def test_what_the_primary_commits_streams_to_the_replica(system_actor: Actor) -> None:
    commune = AdministrativeUnit.objects.get(code="17329")
    village = village_create(actor=system_actor, commune=commune, name="Xóm Bản Sao")
    assert not connections[PRIMARY].in_atomic_block  # committed, so streamed
    _replica_caught_up()
    assert AdministrativeUnit.objects.using(REPLICA).get(pk=village.pk).name == "Xóm Bản Sao"


@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
@needs_replica
def test_the_heavy_pages_read_from_the_replica(
    provincial_staff: Any, login: Callable[[Any], Any]
) -> None:
    client = login(provincial_staff)
    _replica_caught_up()  # the officer, and the world the pages show
    for url, table in HEAVY_PAGES:
        with (
            CaptureQueriesContext(connections[REPLICA]) as replica,
            CaptureQueriesContext(connections[PRIMARY]) as primary,
        ):
            response = client.get(url)
        assert response.status_code == 200, url
        assert table in _tables(replica), url
        assert table not in _tables(primary), [
            q["sql"] for q in primary.captured_queries if table in q["sql"]
        ]
        # The session and the login checks are not heavy reads: they stay on the primary.
        assert "django_session" in _tables(primary), url


@pytest.mark.django_db(transaction=True, databases=[PRIMARY, REPLICA])
@needs_replica
def test_a_read_after_a_write_in_the_same_request_goes_to_the_primary(
    world: Any, system_actor: Actor
) -> None:
    commune = world.anh_son
    _replica_caught_up()  # the world's villages
    found: list[list[str]] = []

    def view(request: HttpRequest) -> HttpResponse:
        with heavy_reads():
            found.append([u.name for u in AdministrativeUnit.objects.filter(parent=commune)])
            village_create(actor=system_actor, commune=commune, name="Xóm Vừa Thêm")
            found.append([u.name for u in AdministrativeUnit.objects.filter(parent=commune)])
        return HttpResponse()

    with (
        CaptureQueriesContext(connections[REPLICA]) as replica,
        CaptureQueriesContext(connections[PRIMARY]) as primary,
    ):
        response = PrimaryAfterWriteMiddleware(view)(RequestFactory().get("/"))
    assert "Xóm Vừa Thêm" not in found[0]
    assert "Xóm Vừa Thêm" in found[1]
    assert len(replica.captured_queries) == 1  # the first read only
    assert "INSERT" in _tables(primary)
    assert PIN_COOKIE in response.cookies
