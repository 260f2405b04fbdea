"""Writing an import: ``voices_import`` (the whole file, all or nothing) and the bulk path's
batched writes (``voices_bulk_create``).

``voice_submit`` makes one voice in about ten queries. An import of thousands of rows makes the
same records (voice, due dates, the "submit" event, the denouncer's identity) through the same
intake steps (``voices.intake``, planned by ``importing.plan``), but reads the rule sets, the
calendar and the units once, computes each schedule once per (kind, date of receipt, remote) and
writes in batches, with one audit row per batch. ``test_bulk.py`` checks that both paths store
the same thing, field by field.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from psycopg.copy import QueuedLibpqWriter

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.crypto import EncryptedTextField, encrypt
from danvan.lib.importing import Progress
from danvan.voices.importing.parse import (
    VoiceImportReport,
    VoiceImportRow,
    voices_validate,
    without_cycle_collector,
)
from danvan.voices.importing.plan import (
    PlannedVoice,
    already_imported,
    bulk_plan,
    imported_before,
)
from danvan.voices.intake import (
    analyse_on_commit,
    intake_audit_batch,
    submit_event_fields,
    tracking_code_new,
)
from danvan.voices.models import Channel, DenouncerIdentity, Voice, VoiceDeadline, VoiceEvent
from danvan.voices.services import voice_submit

#: Voices written per batch (one INSERT of voices, of due dates, of events, one audit row).
BATCH_SIZE = 2_000

#: Makes the voice of one valid row; the default is ``voice_submit`` through the import channel.
RowSubmit = Callable[[VoiceImportRow, str], Voice]


class _RollBack(Exception):
    pass


def submit_imported(actor: Actor) -> RowSubmit:
    """Each row through ``voice_submit``, one by one (``voices_import``'s ``submit``)."""

    def submit(row: VoiceImportRow, key: str) -> Voice:
        assert row.unit is not None and row.topic is not None and row.received_on is not None
        return voice_submit(
            actor=actor,
            kind=row.kind,
            channel=Channel.IMPORT,
            unit=row.unit,
            topic=row.topic,
            text=row.text,
            received_on=row.received_on,
            submitter_name=row.name,
            submitter_contact=row.contact,
            submitter_address=row.address,
            import_fingerprint=key,
        )

    return submit


class _Table:
    """Rows of one model as the database stores them: every column, defaults filled in."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.columns = [f.column for f in self.fields]
        self.attnames = [f.attname for f in model._meta.concrete_fields]
        self._encrypted = [
            i for i, f in enumerate(self.fields) if isinstance(f, EncryptedTextField)
        ]
        self._stamped = [
            i
            for i, f in enumerate(self.fields)
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        # Fields whose Python value is not what psycopg sends as is (JSON, ...): prepared by Django.
        plain = (
            models.CharField,
            models.TextField,
            models.IntegerField,
            models.BooleanField,
            models.DateField,
            models.DecimalField,
            models.ForeignKey,
        )
        self._prepared = [
            i
            for i, f in enumerate(self.fields)
            if not isinstance(f, plain) and i not in self._stamped
        ]
        self._defaults = [
            None if f.null and not f.has_default() else f.get_default() for f in self.fields
        ]
        # A callable default (``Voice.public_id``: a new random id) is drawn for every row.
        self._drawn = [i for i, f in enumerate(self.fields) if callable(f.default)]
        self._index = {f.attname: i for i, f in enumerate(self.fields)}

    def values(self, given: dict[str, Any], now: datetime.datetime) -> list[Any]:
        """Every column's value in clear (as the model instance holds it)."""
        row = self._defaults.copy()
        for i in self._drawn:
            row[i] = self.fields[i].get_default()
        index = self._index
        for name, value in given.items():
            row[index[name]] = value
        for i in self._stamped:
            row[i] = now
        return row

    def stored(self, row: list[Any], connection: Any) -> list[Any]:
        """The same row as the database stores it: personal data encrypted."""
        row = list(row)
        for i in self._encrypted:
            row[i] = encrypt(row[i]) if row[i] else ""
        for i in self._prepared:
            row[i] = self.fields[i].get_db_prep_save(row[i], connection)
        return row

    def instance(self, pk: int, row: list[Any], db: str) -> models.Model:
        """The saved instance, built as ``Model.from_db`` would but without ``__init__``'s cost
        (a tenth of a large import's time); nothing listens to its signals."""
        obj = self.model.__new__(self.model)
        obj.__dict__.update(zip(self.attnames, [pk, *row], strict=True))
        obj._state = ModelState()
        obj._state.adding = False
        obj._state.db = db
        return obj


class _Tables:
    """The tables a received voice is written to."""

    def __init__(self) -> None:
        self.voices = _Table(Voice)
        self.deadlines = _Table(VoiceDeadline)
        self.events = _Table(VoiceEvent)
        self.identities = _Table(DenouncerIdentity)


def _write_rows(table: _Table, rows: list[list[Any]], *, ids: list[int] | None = None) -> list[int]:
    """Insert the rows; return their ids. PostgreSQL: COPY with ids taken from the sequence."""
    connection = connections[router.db_for_write(table.model)]
    if connection.vendor != "postgresql":
        objs = [table.model(None, *row) for row in rows]
        table.model._default_manager.bulk_create(objs)
        return [o.pk for o in objs]
    meta = table.model._meta
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(rows)],
            )
            ids = [r[0] for r in cursor.fetchall()]
        columns = ", ".join(connection.ops.quote_name(c) for c in [meta.pk.column, *table.columns])
        # No query runs inside the COPY (see bench/README.md): only encryption and formatting,
        # while a thread of psycopg's sends what is ready, so the database works meanwhile.
        # Its errors become Django's (IntegrityError for a taken tracking code).
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(
                f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN",
                writer=QueuedLibpqWriter(cursor.cursor),
            ) as sink,
        ):
            for pk, row in zip(ids, rows, strict=True):
                sink.write_row([pk, *table.stored(row, connection)])
    return ids


def _bulk_write(
    *,
    actor: Actor,
    planned: list[PlannedVoice],
    channel: str,
    batch_size: int,
    only_valid: bool,
    progress: Progress | None,
) -> int:
    """Write the planned voices in batches; the caller holds the transaction."""
    with without_cycle_collector():
        return _bulk_write_batches(
            actor=actor,
            planned=planned,
            channel=channel,
            batch_size=batch_size,
            only_valid=only_valid,
            progress=progress,
        )


def _bulk_write_batches(
    *,
    actor: Actor,
    planned: list[PlannedVoice],
    channel: str,
    batch_size: int,
    only_valid: bool,
    progress: Progress | None,
) -> int:
    tables = _Tables()
    used: set[str] = set()
    written = 0
    event = submit_event_fields(actor)
    for start in range(0, len(planned), batch_size):
        now = timezone.now()
        batch, ids, rows = _insert_voices(
            tables.voices,
            planned[start : start + batch_size],
            used=used,
            now=now,
            only_valid=only_valid,
        )
        _insert_records(tables, batch, ids, rows, now=now, event=event)
        intake_audit_batch(actor=actor, channel=channel, voice_ids=ids)
        analyse_on_commit(list(ids))
        written += len(batch)
        if progress is not None:
            progress(written)
    return written


def _insert_voices(
    table: _Table,
    batch: list[PlannedVoice],
    *,
    used: set[str],
    now: datetime.datetime,
    only_valid: bool,
) -> tuple[list[PlannedVoice], list[int], list[list[Any]]]:
    """Insert the batch's voices, each with a fresh tracking code (``used``: those given in this
    run). A code already in the database fails the insert, which is retried with new codes; a row
    another import wrote meanwhile gets its error and, unless ``only_valid``, stops everything.
    Returns the voices written, their ids and their rows."""
    for attempt in range(3):
        for p in batch:
            p.values["tracking_code"] = tracking_code_new(used)
        rows = [table.values(p.values, now) for p in batch]
        try:
            with transaction.atomic():
                return batch, _write_rows(table, rows), rows
        except IntegrityError:
            # Another import of the same rows won the race: those rows are done already.
            raced = imported_before([p.values["import_fingerprint"] for p in batch])
            if raced:
                for p in batch:
                    if p.values["import_fingerprint"] in raced:
                        p.row.errors.append(
                            already_imported(*raced[p.values["import_fingerprint"]])
                        )
                if not only_valid:
                    raise _RollBack from None
                batch = [p for p in batch if p.values["import_fingerprint"] not in raced]
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _insert_records(
    tables: _Tables,
    batch: list[PlannedVoice],
    ids: list[int],
    rows: list[list[Any]],
    *,
    now: datetime.datetime,
    event: dict[str, Any],
) -> None:
    """The due dates, the "submit" events and the denouncers' identities of the batch's voices;
    each row gets its saved voice (``row.voice``)."""
    deadline_rows: list[list[Any]] = []
    event_rows: list[list[Any]] = []
    identity_rows: list[list[Any]] = []
    db = router.db_for_write(Voice)
    for p, pk, row in zip(batch, ids, rows, strict=True):
        deadline_rows.extend(
            tables.deadlines.values({"voice_id": pk, **fields}, now) for fields in p.deadlines
        )
        event_rows.append(tables.events.values({"voice_id": pk, **event}, now))
        if p.identity is not None:
            identity_rows.append(tables.identities.values({"voice_id": pk, **p.identity}, now))
        p.row.voice = cast(Voice, tables.voices.instance(pk, row, db))
    _write_rows(tables.deadlines, deadline_rows)
    _write_rows(tables.events, event_rows)
    if identity_rows:
        _write_rows(tables.identities, identity_rows)


def voices_bulk_create(
    *,
    actor: Actor,
    rows: list[VoiceImportRow],
    keys: dict[int, str],
    channel: str = Channel.IMPORT,
    batch_size: int = BATCH_SIZE,
    only_valid: bool = True,
    progress: Progress | None = None,
) -> int:
    """Make the voices of checked rows in bulk, as ``voice_submit`` would one by one.

    ``rows`` have their unit and topic resolved (``voices_validate``); ``keys`` maps ``id(row)`` to
    its fingerprint (``VoiceImportRow.fingerprint``). A row ``voice_submit`` would refuse gets the
    same errors and is skipped; with ``only_valid`` false, one refused row means nothing is written
    and 0 is returned.
    Returns the number of voices made; each row made has ``row.voice``.
    """
    planned = bulk_plan(actor=actor, rows=rows, keys=keys, channel=channel)
    if not only_valid and len(planned) < len(rows):
        return 0
    try:
        with transaction.atomic():
            return _bulk_write(
                actor=actor,
                planned=planned,
                channel=channel,
                batch_size=batch_size,
                only_valid=only_valid,
                progress=progress,
            )
    except _RollBack:
        for row in rows:
            row.voice = None
        return 0


def voices_import(
    *,
    actor: Actor,
    rows: list[VoiceImportRow],
    only_valid: bool = False,
    submit: RowSubmit | None = None,
    key_prefix: str = "import",
    progress: Progress | None = None,
) -> VoiceImportReport:
    """Import the rows in one transaction: all of them, or with ``only_valid`` those without errors.

    Without ``submit`` the rows are written in bulk (``voices_bulk_create``), with the checks and
    records of ``voice_submit``; with it (a voter contact session), row by row through it. Either
    way the report carries the service's own errors; when any row has an error and ``only_valid``
    is false, nothing is kept and ``imported`` is 0. A row already imported from an earlier file
    (same content) is an error, not a second voice. ``progress`` is told the rows written so far.
    """
    with without_cycle_collector():
        return _import(
            actor=actor,
            rows=rows,
            only_valid=only_valid,
            submit=submit,
            key_prefix=key_prefix,
            progress=progress,
        )


def _import(
    *,
    actor: Actor,
    rows: list[VoiceImportRow],
    only_valid: bool,
    submit: RowSubmit | None,
    key_prefix: str,
    progress: Progress | None,
) -> VoiceImportReport:
    report = voices_validate(actor=actor, rows=rows)
    keys = {id(r): r.fingerprint(key_prefix) for r in report.valid_rows}
    earlier = imported_before(list(keys.values()))
    for row in report.valid_rows:
        if keys[id(row)] in earlier:
            row.errors.append(already_imported(*earlier[keys[id(row)]]))
    try:
        with transaction.atomic():
            if submit is None:
                # Every row is checked, so the report is complete even when nothing is written.
                planned = bulk_plan(
                    actor=actor, rows=report.valid_rows, keys=keys, channel=Channel.IMPORT
                )
                if report.error_rows and not only_valid:
                    raise _RollBack
                imported = _bulk_write(
                    actor=actor,
                    planned=planned,
                    channel=Channel.IMPORT,
                    batch_size=BATCH_SIZE,
                    only_valid=only_valid,
                    progress=progress,
                )
            else:
                imported = 0
                for row in report.valid_rows:
                    try:
                        # voice_submit is atomic: a refused row leaves nothing behind it.
                        with transaction.atomic():
                            row.voice = submit(row, keys[id(row)])
                    except (ValidationError, PermissionDenied) as exc:
                        row.errors.extend(
                            exc.messages if isinstance(exc, ValidationError) else [str(exc)]
                        )
                    else:
                        imported += 1
                        if progress is not None and imported % BATCH_SIZE == 0:
                            progress(imported)
            if report.error_rows and not only_valid:
                raise _RollBack
            if imported:
                audit_record(
                    actor=actor,
                    action="voice.import",
                    changes={"rows": len(rows), "imported": imported, "channel": key_prefix},
                )
            report.imported = imported
    except _RollBack:
        for row in rows:
            row.voice = None
        report.imported = 0
    return report
