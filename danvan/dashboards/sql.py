"""The triggers that keep ``VoiceFact`` and ``Bucket`` current, for PostgreSQL and SQLite.

PostgreSQL: statement-level triggers with transition tables, so that a COPY or a ``bulk_create``
of thousands of voices costs one grouped upsert, not one per row. SQLite: row-level triggers (the
only kind it has). Both compute the same thing:

* a voice's fact: its unit, day received, kind, channel, status, topic, responsible body, due
  date while open, whether answered, whether on time and the days the answer took;
* "on time": the rule of ``danvan.voices.on_time`` (its steps, ``ANSWER_STEPS``, and its SQL
  form, ``on_time_sql``), decided when the answer is given and kept until the next answer: the
  answer's local (``TIME_ZONE``) day on or before the due date in force, which is the due date
  of its ``answer``/``resolve`` step when the voice has one, otherwise the voice's own ``due_on``
  as it was just before the answer (``case_answer`` clears it); no due date at all (an opinion)
  is on time. ``dashboards/tests/test_on_time_rule.py`` holds both databases' triggers to the
  Python definition.

``rebuild`` recomputes everything from the voices in one transaction (after a reorganization of
units moved paths, or to check); the migration calls it to fill the tables the first time.
"""

# SQL is assembled from constants of this module and settings.TIME_ZONE only, never from input.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.conf import settings

from danvan.voices.models import OPEN_STATUSES
from danvan.voices.on_time import ANSWER_STEPS, on_time_sql

OPEN = ", ".join(f"'{s.value}'" for s in OPEN_STATUSES)
DUE_STEPS = ", ".join(f"'{step}'" for step in ANSWER_STEPS)
FACT_COLUMNS = (
    "voice_id, unit_id, day, kind, channel, status, topic_id, assignee_id, due_on, answered, "
    "on_time, days"
)
BUCKET_SUMS = "n, answered, on_time, days"


def _tz() -> str:
    return str(settings.TIME_ZONE)


def _sqlite_offset() -> str:
    """SQLite stores UTC; Vietnam has had no daylight saving since 1975, so a fixed offset."""
    offset = datetime.datetime.now(zoneinfo.ZoneInfo(_tz())).utcoffset() or datetime.timedelta()
    return f"{int(offset.total_seconds() // 60):+d} minutes"


# --- PostgreSQL ---------------------------------------------------------------------------------


def _pg_local(column: str) -> str:
    return f"(({column}) AT TIME ZONE '{_tz()}')::date"


def _pg_apply(changes: str) -> str:
    """Add ``changes`` (fact rows with a ``sign`` of 1 or -1) to the buckets of every area."""
    return f"""
    WITH changes AS ({changes}),
    grouped AS (
        SELECT unit_id, day, kind, channel, status, topic_id, assignee_id, due_on,
               sum(sign) AS n, sum(sign * answered) AS answered,
               sum(sign * on_time) AS on_time, sum(sign * days) AS days
        FROM changes GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
    ),
    areas AS (
        SELECT u.id AS unit_id, a.id AS area_id
        FROM (SELECT DISTINCT unit_id FROM grouped) t
        JOIN units_administrativeunit u ON u.id = t.unit_id
        JOIN LATERAL generate_series(2, length(u.path)) AS p(i) ON substr(u.path, p.i, 1) = '/'
        JOIN units_administrativeunit a ON a.path = left(u.path, p.i)
    )
    INSERT INTO dashboards_bucket AS b (area_id, dim, day, value, {BUCKET_SUMS})
    SELECT ar.area_id, d.dim, g.day, d.value,
           sum(g.n), sum(g.answered), sum(g.on_time), sum(g.days)
    FROM grouped g
    JOIN areas ar ON ar.unit_id = g.unit_id
    CROSS JOIN LATERAL (VALUES
        ('total', ''), ('kind', g.kind), ('channel', g.channel), ('status', g.status),
        ('topic', g.topic_id::text), ('body', g.assignee_id::text),
        ('due', to_char(g.due_on, 'YYYY-MM-DD'))
    ) AS d(dim, value)
    WHERE d.value IS NOT NULL
    GROUP BY 1, 2, 3, 4
    HAVING sum(g.n) <> 0 OR sum(g.answered) <> 0 OR sum(g.on_time) <> 0 OR sum(g.days) <> 0
    ORDER BY 1, 2, 3, 4
    ON CONFLICT (area_id, dim, day, value) DO UPDATE SET
        n = b.n + excluded.n, answered = b.answered + excluded.answered,
        on_time = b.on_time + excluded.on_time, days = b.days + excluded.days
    """


def _pg_fact_select(source: str, due: str) -> str:
    """The fact of each voice in ``source`` (alias ``v``); ``due`` is the due date in force."""
    answered_on = _pg_local("v.answered_at")
    return f"""
    SELECT v.id, v.unit_id, v.received_on, v.kind, v.channel, v.status, v.topic_id,
           v.assignee_id, CASE WHEN v.status IN ({OPEN}) THEN v.due_on END,
           (v.answered_at IS NOT NULL)::int,
           {on_time_sql(answered_at="v.answered_at", answered_on=answered_on, due=due)},
           CASE WHEN v.answered_at IS NOT NULL THEN {answered_on} - v.received_on ELSE 0 END
    FROM {source}
    """


def _pg_step_due(voice: str) -> str:
    return (
        f"(SELECT min(s.due_on) FROM voices_voicedeadline s "
        f"WHERE s.voice_id = {voice} AND s.step IN ({DUE_STEPS}))"
    )


def _pg_install() -> list[str]:
    answered_on = _pg_local("n.answered_at")
    due = f"coalesce({_pg_step_due('n.id')}, o.due_on, n.due_on)"
    tracked = (
        "unit_id, received_on, kind, channel, status, topic_id, assignee_id, due_on, answered_at"
    )
    old = ", ".join(f"o.{c.strip()}" for c in tracked.split(","))
    new = ", ".join(f"n.{c.strip()}" for c in tracked.split(","))
    fact_select = _pg_fact_select("new_voices v", f"coalesce({_pg_step_due('v.id')}, v.due_on)")
    statements = [
        f"""CREATE OR REPLACE FUNCTION dashboards_voice_inserted() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN
            INSERT INTO dashboards_voicefact ({FACT_COLUMNS}) {fact_select};
            RETURN NULL;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION dashboards_voice_updated() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN
            UPDATE dashboards_voicefact f SET
                unit_id = n.unit_id, day = n.received_on, kind = n.kind, channel = n.channel,
                status = n.status, topic_id = n.topic_id, assignee_id = n.assignee_id,
                due_on = CASE WHEN n.status IN ({OPEN}) THEN n.due_on END,
                answered = (n.answered_at IS NOT NULL)::int,
                on_time = CASE
                    WHEN n.answered_at IS NOT NULL
                        AND o.answered_at IS NOT DISTINCT FROM n.answered_at THEN f.on_time
                    ELSE {on_time_sql(answered_at="n.answered_at", answered_on=answered_on, due=due)}
                    END,
                days = CASE WHEN n.answered_at IS NOT NULL
                    THEN {answered_on} - n.received_on ELSE 0 END
            FROM new_voices n JOIN old_voices o ON o.id = n.id
            WHERE f.voice_id = n.id AND ({new}) IS DISTINCT FROM ({old});
            RETURN NULL;
        END $$""",
        """CREATE OR REPLACE FUNCTION dashboards_voice_deleted() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN
            DELETE FROM dashboards_voicefact f USING old_voices o WHERE f.voice_id = o.id;
            RETURN NULL;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION dashboards_fact_inserted() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN
            {_pg_apply("SELECT *, 1 AS sign FROM new_facts")};
            RETURN NULL;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION dashboards_fact_updated() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN
            {_pg_apply("SELECT *, 1 AS sign FROM new_facts UNION ALL SELECT *, -1 FROM old_facts")};
            RETURN NULL;
        END $$""",
        f"""CREATE OR REPLACE FUNCTION dashboards_fact_deleted() RETURNS trigger
        LANGUAGE plpgsql AS $$ BEGIN
            {_pg_apply("SELECT *, -1 AS sign FROM old_facts")};
            RETURN NULL;
        END $$""",
    ]
    for table, prefix, alias in (
        ("voices_voice", "voice", "voices"),
        ("dashboards_voicefact", "fact", "facts"),
    ):
        statements += [
            f"""CREATE TRIGGER dashboards_{prefix}_insert AFTER INSERT ON {table}
            REFERENCING NEW TABLE AS new_{alias}
            FOR EACH STATEMENT EXECUTE FUNCTION dashboards_{prefix}_inserted()""",
            f"""CREATE TRIGGER dashboards_{prefix}_update AFTER UPDATE ON {table}
            REFERENCING OLD TABLE AS old_{alias} NEW TABLE AS new_{alias}
            FOR EACH STATEMENT EXECUTE FUNCTION dashboards_{prefix}_updated()""",
            f"""CREATE TRIGGER dashboards_{prefix}_delete AFTER DELETE ON {table}
            REFERENCING OLD TABLE AS old_{alias}
            FOR EACH STATEMENT EXECUTE FUNCTION dashboards_{prefix}_deleted()""",
        ]
    return statements


def _pg_uninstall() -> list[str]:
    statements = []
    for table, prefix in (("voices_voice", "voice"), ("dashboards_voicefact", "fact")):
        for op in ("insert", "update", "delete"):
            statements.append(f"DROP TRIGGER IF EXISTS dashboards_{prefix}_{op} ON {table}")
    for prefix in ("voice", "fact"):
        for op in ("inserted", "updated", "deleted"):
            statements.append(f"DROP FUNCTION IF EXISTS dashboards_{prefix}_{op}()")
    return statements


def _pg_rebuild() -> list[str]:
    """Everything from the voices: facts by one INSERT ... SELECT, then buckets grouped per unit
    first and per area after (far fewer rows than expanding every voice to every area), with
    plain INSERTs into the emptied table and memory enough to aggregate without sorting on disk.
    Buckets are written in key order, so that one area's days lie together on disk: a province's
    year then reads a few hundred pages instead of tens of thousands (3× faster at 10 million
    voices, see bench/README.md)."""
    steps = (
        "LEFT JOIN (SELECT voice_id, min(due_on) AS due_on FROM voices_voicedeadline "
        f"WHERE step IN ({DUE_STEPS}) GROUP BY voice_id) s ON s.voice_id = v.id"
    )
    return [
        "SET LOCAL work_mem = '512MB'",
        "TRUNCATE dashboards_voicefact, dashboards_bucket",
        # Filled without its unique index, which is built once at the end (much faster).
        "DROP INDEX dashboards_bucket_key",
        f"INSERT INTO dashboards_voicefact ({FACT_COLUMNS}) "
        + _pg_fact_select(f"voices_voice v {steps}", "coalesce(s.due_on, v.due_on)"),
        f"""INSERT INTO dashboards_bucket (area_id, dim, day, value, {BUCKET_SUMS})
        WITH per_unit AS (
            SELECT f.unit_id, d.dim, f.day, d.value, count(*) AS n,
                   sum(f.answered) AS answered, sum(f.on_time) AS on_time, sum(f.days) AS days
            FROM dashboards_voicefact f
            CROSS JOIN LATERAL (VALUES
                ('total', ''), ('kind', f.kind), ('channel', f.channel), ('status', f.status),
                ('topic', f.topic_id::text), ('body', f.assignee_id::text),
                ('due', to_char(f.due_on, 'YYYY-MM-DD'))
            ) AS d(dim, value)
            WHERE d.value IS NOT NULL
            GROUP BY 1, 2, 3, 4
        ),
        areas AS (
            SELECT u.id AS unit_id, a.id AS area_id
            FROM units_administrativeunit u
            JOIN LATERAL generate_series(2, length(u.path)) AS p(i)
                ON substr(u.path, p.i, 1) = '/'
            JOIN units_administrativeunit a ON a.path = left(u.path, p.i)
        )
        SELECT ar.area_id, p.dim, p.day, p.value,
               sum(p.n), sum(p.answered), sum(p.on_time), sum(p.days)
        FROM per_unit p JOIN areas ar ON ar.unit_id = p.unit_id
        GROUP BY 1, 2, 3, 4
        ORDER BY 1, 2, 3, 4""",
        "CREATE UNIQUE INDEX dashboards_bucket_key ON dashboards_bucket (area_id, dim, day, value)",
        "ANALYZE dashboards_voicefact",
        "ANALYZE dashboards_bucket",
    ]


# --- SQLite -------------------------------------------------------------------------------------


def _lite_local(column: str) -> str:
    return f"date({column}, '{_sqlite_offset()}')"


def _lite_step_due(voice: str) -> str:
    return (
        f"(SELECT min(s.due_on) FROM voices_voicedeadline s "
        f"WHERE s.voice_id = {voice} AND s.step IN ({DUE_STEPS}))"
    )


def _lite_fact_values(v: str, on_time: str) -> str:
    answered_on = _lite_local(f"{v}.answered_at")
    return f"""{v}.id, {v}.unit_id, {v}.received_on, {v}.kind, {v}.channel, {v}.status,
        {v}.topic_id, {v}.assignee_id, CASE WHEN {v}.status IN ({OPEN}) THEN {v}.due_on END,
        {v}.answered_at IS NOT NULL, {on_time},
        CASE WHEN {v}.answered_at IS NOT NULL
             THEN CAST(julianday({answered_on}) - julianday({v}.received_on) AS INTEGER)
             ELSE 0 END"""


def _lite_on_time(v: str, due: str) -> str:
    return on_time_sql(
        answered_at=f"{v}.answered_at", answered_on=_lite_local(f"{v}.answered_at"), due=due
    )


def _lite_apply(row: str, sign: int) -> str:
    """Add one fact row (``NEW`` or ``OLD``) times ``sign`` to the buckets of every area."""
    return f"""
    INSERT INTO dashboards_bucket (area_id, dim, day, value, {BUCKET_SUMS})
    SELECT a.id, d.dim, {row}.day, d.value,
           {sign}, {sign} * {row}.answered, {sign} * {row}.on_time, {sign} * {row}.days
    FROM units_administrativeunit u
    JOIN units_administrativeunit a ON substr(u.path, 1, length(a.path)) = a.path
    CROSS JOIN (
        SELECT 'total' AS dim, '' AS value UNION ALL SELECT 'kind', {row}.kind
        UNION ALL SELECT 'channel', {row}.channel UNION ALL SELECT 'status', {row}.status
        UNION ALL SELECT 'topic', CAST({row}.topic_id AS TEXT)
        UNION ALL SELECT 'body', CAST({row}.assignee_id AS TEXT)
        UNION ALL SELECT 'due', {row}.due_on
    ) d
    WHERE u.id = {row}.unit_id AND d.value IS NOT NULL
    ON CONFLICT (area_id, dim, day, value) DO UPDATE SET
        n = n + excluded.n, answered = answered + excluded.answered,
        on_time = on_time + excluded.on_time, days = days + excluded.days;
    """


def _lite_install() -> list[str]:
    tracked = [
        "unit_id", "received_on", "kind", "channel", "status", "topic_id", "assignee_id",
        "due_on", "answered_at",
    ]  # fmt: skip
    changed = " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in tracked)
    due = f"coalesce({_lite_step_due('NEW.id')}, OLD.due_on, NEW.due_on)"
    answered_on = _lite_local("NEW.answered_at")
    return [
        f"""CREATE TRIGGER dashboards_voice_insert AFTER INSERT ON voices_voice BEGIN
            INSERT INTO dashboards_voicefact ({FACT_COLUMNS}) VALUES ({
            _lite_fact_values(
                "NEW", _lite_on_time("NEW", f"coalesce({_lite_step_due('NEW.id')}, NEW.due_on)")
            )
        });
        END""",
        f"""CREATE TRIGGER dashboards_voice_update AFTER UPDATE ON voices_voice WHEN {changed}
        BEGIN
            UPDATE dashboards_voicefact SET
                unit_id = NEW.unit_id, day = NEW.received_on, kind = NEW.kind,
                channel = NEW.channel, status = NEW.status, topic_id = NEW.topic_id,
                assignee_id = NEW.assignee_id,
                due_on = CASE WHEN NEW.status IN ({OPEN}) THEN NEW.due_on END,
                answered = NEW.answered_at IS NOT NULL,
                on_time = CASE
                    WHEN NEW.answered_at IS NOT NULL AND NEW.answered_at IS OLD.answered_at
                        THEN on_time
                    ELSE {_lite_on_time("NEW", due)}
                    END,
                days = CASE WHEN NEW.answered_at IS NOT NULL
                    THEN CAST(julianday({answered_on}) - julianday(NEW.received_on) AS INTEGER)
                    ELSE 0 END
            WHERE voice_id = NEW.id;
        END""",
        """CREATE TRIGGER dashboards_voice_delete AFTER DELETE ON voices_voice BEGIN
            DELETE FROM dashboards_voicefact WHERE voice_id = OLD.id;
        END""",
        f"""CREATE TRIGGER dashboards_fact_insert AFTER INSERT ON dashboards_voicefact BEGIN
            {_lite_apply("NEW", 1)}
        END""",
        f"""CREATE TRIGGER dashboards_fact_update AFTER UPDATE ON dashboards_voicefact BEGIN
            {_lite_apply("OLD", -1)}
            {_lite_apply("NEW", 1)}
        END""",
        f"""CREATE TRIGGER dashboards_fact_delete AFTER DELETE ON dashboards_voicefact BEGIN
            {_lite_apply("OLD", -1)}
        END""",
    ]


def _lite_uninstall() -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS dashboards_{prefix}_{op}"
        for prefix in ("voice", "fact")
        for op in ("insert", "update", "delete")
    ]


def _lite_rebuild() -> list[str]:
    # The fact triggers are dropped during a rebuild: one GROUP BY fills the buckets instead.
    on_time = _lite_on_time("v", "coalesce(s.due_on, v.due_on)")
    return [
        "DELETE FROM dashboards_voicefact",
        "DELETE FROM dashboards_bucket",
        f"""INSERT INTO dashboards_voicefact ({FACT_COLUMNS})
        SELECT {_lite_fact_values("v", on_time)}
        FROM voices_voice v LEFT JOIN (
            SELECT voice_id, min(due_on) AS due_on FROM voices_voicedeadline
            WHERE step IN ({DUE_STEPS}) GROUP BY voice_id
        ) s ON s.voice_id = v.id""",
        f"""INSERT INTO dashboards_bucket (area_id, dim, day, value, {BUCKET_SUMS})
        SELECT area_id, dim, day, value, count(*), sum(answered), sum(on_time), sum(days)
        FROM (
            SELECT a.id AS area_id, k.dim, f.day, f.answered, f.on_time, f.days,
                   CASE k.dim WHEN 'total' THEN '' WHEN 'kind' THEN f.kind
                       WHEN 'channel' THEN f.channel WHEN 'status' THEN f.status
                       WHEN 'topic' THEN CAST(f.topic_id AS TEXT)
                       WHEN 'body' THEN CAST(f.assignee_id AS TEXT)
                       ELSE f.due_on END AS value
            FROM dashboards_voicefact f
            JOIN units_administrativeunit u ON u.id = f.unit_id
            JOIN units_administrativeunit a ON substr(u.path, 1, length(a.path)) = a.path
            CROSS JOIN (
                SELECT 'total' AS dim UNION ALL SELECT 'kind' UNION ALL SELECT 'channel'
                UNION ALL SELECT 'status' UNION ALL SELECT 'topic' UNION ALL SELECT 'body'
                UNION ALL SELECT 'due'
            ) k
        ) x
        WHERE value IS NOT NULL
        GROUP BY area_id, dim, day, value""",
    ]


# --- Entry points -------------------------------------------------------------------------------


def install(connection: Any) -> None:
    """(Re)create the triggers on ``connection`` (a schema editor's connection in migrations)."""
    statements = _pg_install() if connection.vendor == "postgresql" else _lite_install()
    with connection.cursor() as cursor:
        for statement in uninstall_statements(connection):
            cursor.execute(statement)
        for statement in statements:
            cursor.execute(statement)


def uninstall_statements(connection: Any) -> list[str]:
    return _pg_uninstall() if connection.vendor == "postgresql" else _lite_uninstall()


def uninstall(connection: Any) -> None:
    with connection.cursor() as cursor:
        for statement in uninstall_statements(connection):
            cursor.execute(statement)


def rebuild(connection: Any) -> None:
    """Recompute every fact and bucket from the voices, then put the triggers back.

    Runs in the caller's transaction (wrap it in ``transaction.atomic``); on PostgreSQL the
    voices are locked against writes meanwhile, so nothing written during it is lost.
    """
    postgres = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        if postgres:
            cursor.execute("LOCK TABLE voices_voice IN SHARE MODE")
        for statement in uninstall_statements(connection):
            cursor.execute(statement)
        for statement in _pg_rebuild() if postgres else _lite_rebuild():
            cursor.execute(statement)
    install(connection)
