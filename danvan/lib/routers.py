"""The heavy reads on a PostgreSQL streaming replica, everything else on the primary.

With ``DATABASE_REPLICA_URL`` set (and a PostgreSQL primary), the settings add a database alias
``replica`` and this module's router and middleware. Without it, or on SQLite, there is no alias
and the router sends everything to ``default``: nothing changes.

Which reads are heavy is said where they are made, not guessed from the models: the dashboards
(page, workbook, map), search, the report's figures and the case export run inside
:func:`heavy_reads` (a decorator or a context manager). Inside it a read goes to the replica,
unless

* the request has written, or is a POST (any unsafe method), or came within
  ``DANVAN_REPLICA_PIN_SECONDS`` after one from the same browser (a short cookie): an officer who
  has just changed something sees it, whatever the replica's lag;
* the primary's connection is inside a transaction (a service reading what it is about to write).

Writes, and every migration, go to the primary only: the replica is never migrated.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "danvan_primary"

_heavy: contextvars.ContextVar[bool] = contextvars.ContextVar("danvan_heavy_reads", default=False)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("danvan_pinned", default=False)
_wrote: contextvars.ContextVar[bool] = contextvars.ContextVar("danvan_wrote", default=False)

#: Statements that only read: anything else sent to the primary pins the request to it.
_READS = ("SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "SET", "SHOW", "EXPLAIN")


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextlib.contextmanager
def heavy_reads() -> Iterator[None]:
    """Reads made inside go to the replica when there is one (see the module's docstring):
    ``with heavy_reads(): ...`` or ``@heavy_reads()`` on a view or a function."""
    token = _heavy.set(True)
    try:
        yield
    finally:
        _heavy.reset(token)


def pin_to_primary() -> None:
    """Every later read of this request (or task) goes to the primary."""
    _pinned.set(True)


def read_database() -> str:
    """Where a read made now goes: ``replica`` or ``default``."""
    if not _heavy.get() or _pinned.get() or not replica_configured():
        return PRIMARY
    if connections[PRIMARY].in_atomic_block:
        return PRIMARY
    return REPLICA


class PrimaryReplicaRouter:
    """``DATABASE_ROUTERS``: reads inside :func:`heavy_reads` to the replica, all else to the
    primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        return read_database()

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool:
        # The replica is a copy of the primary: a row read from either is the same row.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY


def _pin_on_write(
    execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any
) -> Any:
    if not sql.lstrip().upper().startswith(_READS):
        _pinned.set(True)
        _wrote.set(True)
    return execute(sql, params, many, context)


class PrimaryAfterWriteMiddleware:
    """Pins a request to the primary when it is a POST (any unsafe method), when it writes, and
    for ``DANVAN_REPLICA_PIN_SECONDS`` after either through a cookie: the next pages the browser
    asks for, after a redirect, read what was just written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_configured():
            return self.get_response(request)
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS", "TRACE")
        pinned = _pinned.set(unsafe or PIN_COOKIE in request.COOKIES)
        wrote = _wrote.set(unsafe)
        try:
            with connections[PRIMARY].execute_wrapper(_pin_on_write):
                response = self.get_response(request)
            renew = _wrote.get()
        finally:
            _pinned.reset(pinned)
            _wrote.reset(wrote)
        if renew:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DANVAN_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
