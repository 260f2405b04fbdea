"""The path of a document issued in the official format, shared by reports and decisions.

A document (``models.IssuedDocument``: a report, a decision or conclusion) is drafted, submitted
and issued; a report is approved in between; a leader may return it to draft with a note. Every
step of a service locks the row and checks the version the officer's page showed (``lock``), moves
the status (``advance``) and writes, in the same transaction, a row of the document's history and
an audit row (``record_step``; ``record_event`` for the history alone). On issue the document
takes the next number of its body's register for the year (``next_number``, the register's row
locked until the commit), its date is fixed and its DOCX is rendered once and stored with its
SHA-256 (``stamp_issue``); from then on the stored file is the document (``issued_or_draft``).

What each kind asks on the way (who may do what, what must be written, whom to tell) stays in its
own services: ``reports.services``, ``decisions.services``.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.organizations.models import Membership
from danvan.reports.models import IssuedDocument
from danvan.units.models import AdministrativeUnit

__all__ = [
    "StaleDocumentError",
    "advance",
    "approvers_near",
    "issued_or_draft",
    "lock",
    "next_number",
    "record_event",
    "record_step",
    "require",
    "stamp_issue",
]

D = TypeVar("D", bound=IssuedDocument)


class StaleDocumentError(ValidationError):
    """The document changed since the officer loaded it."""


def require(actor: Actor, capability: Capability, unit: AdministrativeUnit, message: str) -> None:
    """Refuse a person without ``capability`` on ``unit`` (a system job may do anything)."""
    if actor.user is not None and not can(actor.user, capability, unit):
        raise PermissionDenied(message)


def lock(
    document: D,
    expected_version: int,
    *,
    related: tuple[str, ...],
    stale: type[StaleDocumentError],
    message: str,
) -> D:
    """The document read again and locked until the commit, if it is still at the version the
    officer saw; else ``stale`` with ``message`` (which may name the ``%(status)s`` it is in)."""
    fresh = (
        type(document)
        ._default_manager.select_for_update()
        .select_related(*related)
        .get(pk=document.pk)
    )
    if fresh.version != expected_version:
        raise stale(message % {"status": fresh.status_label})
    return fresh


def advance(document: IssuedDocument, to: str) -> str:
    """Move the (locked) document to status ``to``; returns the status it was in."""
    before = document.status
    document.status = to
    document.version += 1
    return before


def record_event(
    *, actor: Actor, document: IssuedDocument, action: str, from_status: str = "", note: str = ""
) -> None:
    """One row of the document's history, ending in its current status."""
    document.add_event(
        actor=actor.user,
        actor_label=actor.name[:150],
        action=action,
        from_status=from_status,
        to_status=document.status,
        note=note,
    )


def record_step(
    *,
    actor: Actor,
    document: IssuedDocument,
    action: str,
    audit_action: str,
    unit: AdministrativeUnit,
    before: str,
    note: str = "",
    event_note: str | None = None,
    **changes: Any,
) -> None:
    """The history row and the audit row of a step of the path, from ``before`` to the
    document's status now. The history's note is ``note`` unless ``event_note`` is given."""
    record_event(
        actor=actor,
        document=document,
        action=action,
        from_status=before,
        note=note if event_note is None else event_note,
    )
    audit_record(
        actor=actor,
        action=audit_action,
        obj=document,
        unit=unit,
        changes={
            "status": [before, document.status],
            **({"note": note} if note else {}),
            **changes,
        },
    )


def next_number(register: type[models.Model], **key: Any) -> int:
    """The next number of the register row ``key`` (a body, a year, perhaps a type); the row is
    locked until the commit, so two documents issued at the same moment never share a number.
    Rows are never deleted or lowered: a number once given is never given again."""
    row, _created = register._default_manager.select_for_update().get_or_create(**key)
    # Locked again after a concurrent first insert (get_or_create's retry returns it unlocked).
    row = register._default_manager.select_for_update().get(pk=row.pk)
    row.last_number += 1  # type: ignore[attr-defined]
    row.save(update_fields=["last_number"])
    return int(row.last_number)  # type: ignore[attr-defined]


#: What ``stamp_issue`` changes, for ``save(update_fields=...)``.
ISSUE_FIELDS = ["status", "year", "number", "symbol", "issued_on", "document", "document_sha256"]


def stamp_issue(
    document: IssuedDocument,
    *,
    issued_on: datetime.date,
    number: int,
    symbol: Callable[[int], str],
    render: Callable[[], bytes],
) -> list[str]:
    """Fix the number, its symbol, the date and the DOCX (rendered now, once) of a document being
    issued; returns the fields to save besides ``version`` and ``updated_at``."""
    document.year = issued_on.year
    document.number = number
    document.symbol = symbol(number)
    document.issued_on = issued_on
    document.document = render()
    document.document_sha256 = hashlib.sha256(document.document).hexdigest()
    return list(ISSUE_FIELDS)


def issued_or_draft(document: IssuedDocument, draft: Callable[[], bytes]) -> bytes:
    """The DOCX to download: the stored file once issued, else the draft as it stands."""
    if document.status == IssuedDocument.ISSUED and document.document:
        return bytes(document.document)
    return draft()


def approvers_near(units: list[AdministrativeUnit]) -> list[User]:
    """The leaders (``approve``) of the first of ``units`` that has any: a unit, then the units
    above it, the nearest first."""
    memberships = (
        Membership.objects.active()
        .holding(Capability.APPROVE)
        .filter(body__unit__in=units)
        .select_related("user", "body")
    )
    by_unit: dict[int, list[User]] = {}
    for membership in memberships:
        by_unit.setdefault(membership.body.unit_id, []).append(membership.user)
    return next((by_unit[unit.pk] for unit in units if unit.pk in by_unit), [])
