"""PostgreSQL: three partial indexes over the open cases, for the inbox at a million voices.

- ``voice_open_unit_due_idx`` (unit, due date, received, id; with topic, kind and status): a
  commune's overdue, due-soon, per-status and per-topic views read their open cases off it
  instead of AND-ing three bitmaps of 70,000-280,000 entries (overdue + topic: SQL 244 ms to
  32 ms at load 10), and the capped count is an index-only scan.
- ``voice_open_topic_due_idx`` (topic, due date, received, id; with unit and kind): a province's
  overdue cases of one topic in the inbox's order, read off the index alone (the leader's
  overdue + topic: 36 ms of SQL sorting 27,000 entries before).
- ``voice_open_received_idx`` (received, id; with due date, unit, topic, kind): "newest first"
  among open cases (overdue, newest first) walks back from today reading only the index (the
  page's ids first, then its rows: ``selectors.inbox_page``), instead of fetching the 38,000
  newest rows that are not overdue yet.

Open cases only, so the closed majority of a province's voices costs them nothing. The list
of statuses is ``voices.models.OPEN_STATUSES`` as of this migration (a test keeps them equal):
the planner uses a partial index only when the query's ``status IN (...)`` implies it.
Nothing on SQLite, which reads a commune's few thousand cases fast enough without them.
"""

from django.db import migrations

OPEN = ("received", "accepted", "assigned", "forwarded")
_WHERE = "status IN (" + ", ".join(f"'{s}'" for s in OPEN) + ")"

INDEXES = {
    "voice_open_unit_due_idx": (
        "(unit_id, due_on, received_on, id) INCLUDE (topic_id, kind, status)"
    ),
    "voice_open_topic_due_idx": "(topic_id, due_on, received_on, id) INCLUDE (unit_id, kind)",
    "voice_open_received_idx": "(received_on, id) INCLUDE (due_on, unit_id, topic_id, kind)",
}


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON voices_voice {columns} WHERE {_WHERE}"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("voices", "0011_voice_import_fingerprint")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
