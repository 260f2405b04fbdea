"""The search index, kept by the database itself so that every write path keeps it current.

Voices are written by the services, by the bulk import (``COPY`` on PostgreSQL, ``bulk_create``
elsewhere), by the admin and by other apps' code; issues by ``insight``. None of them has to know
about search: the index is derived from the rows by the database.

PostgreSQL: generated ``tsvector`` columns, each the exact text (weight A, the ``simple``
configuration: no stemming, no stop words, which would drop syllables such as "an" or "do") plus
the text stripped of its diacritics by ``unaccent`` (weight B), with a GIN index:

* ``voices_voice.search_text`` (the voice's content) and ``voices_voice.search_answer`` (its
  answer);
* ``insight_issue.search_doc`` (the issue's title and answer).

``unaccent`` is only STABLE (its dictionary can change), so an IMMUTABLE wrapper,
``danvan_unaccent``, makes it usable in a generated column; after changing the dictionary,
``manage.py search_rebuild`` recomputes the columns.

SQLite: FTS5 tables filled by triggers, two per source because the tokenizer is set per table:
``*_exact`` (``unicode61 remove_diacritics 0``: the words as written, case folded) and
``*_folded`` (``remove_diacritics 2``, with "đ" written "d" first: FTS5 folds tone marks and
other diacritics but "đ" is a letter of its own to it). Django rebuilds a SQLite table (and drops
its triggers) when some later migration alters it, so ``ensure_installed`` runs after every
``migrate`` and puts back whatever is missing, refilling the index when it had to.

Every name put into SQL here is one of this module's constants, never input.
"""

# ruff: noqa: S608 - the SQL is built from this module's table and column names only

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = [
    "ensure_installed",
    "install",
    "pg_add_day_to_indexes",
    "pg_remove_day_from_indexes",
    "rebuild",
    "uninstall",
]

# --- PostgreSQL -----------------------------------------------------------------------------------

#: Columns and indexes: (table, column, expression of the table's columns, index name).
PG_COLUMNS = [
    ("voices_voice", "search_text", "text", "search_voice_text_gin"),
    ("voices_voice", "search_answer", "answer_text", "search_voice_answer_gin"),
    ("insight_issue", "search_doc", "title || ' ' || answer_text", "search_issue_doc_gin"),
]


#: The voices' GIN indexes also hold the day received (``btree_gin``), so that "these words,
#: received on or after this day" is one index scan: GIN skips through a common word's postings
#: to the few of those days instead of reading all 200,000 of them, and the planner, which
#: underestimates several common words together, cannot leave the day out of the bitmap (with
#: separate indexes it did, and read 50,000 rows to keep 3,000). (index, table, columns,
#: replaced one-column index.) Migration ``0002_gin_with_day``.
PG_DAY_INDEXES = [
    (
        "search_voice_text_day_gin",
        "voices_voice",
        "search_text, received_on",
        "search_voice_text_gin",
    ),
    (
        "search_voice_answer_day_gin",
        "voices_voice",
        "search_answer, received_on",
        "search_voice_answer_gin",
    ),
]


def pg_add_day_to_indexes(connection: BaseDatabaseWrapper) -> None:
    """Replace the voices' one-column GIN indexes with (tsvector, day) ones (idempotent)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # A trusted extension (PostgreSQL 13+): the database owner may create it.
        cursor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
        for index, table, columns, replaced in PG_DAY_INDEXES:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({columns})")
            cursor.execute(f"DROP INDEX IF EXISTS {replaced}")


def pg_remove_day_from_indexes(connection: BaseDatabaseWrapper) -> None:
    """Back to the one-column indexes (``0002`` reversed)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for index, table, columns, replaced in PG_DAY_INDEXES:
            column = columns.split(",")[0]
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {replaced} ON {table} USING gin ({column})")
            cursor.execute(f"DROP INDEX IF EXISTS {index}")


def _pg_install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
            " WHERE e.extname = 'unaccent'"
        )
        where = connection.ops.quote_name(cursor.fetchone()[0])
        # Schema-qualified everywhere: a restore (pg_dump) runs with an empty search_path.
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {schema}.danvan_unaccent(text) RETURNS text"
            " LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT"
            f" AS $$ SELECT {where}.unaccent('{where}.unaccent'::regdictionary, $1) $$"
        )
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {schema}.danvan_search_vector(text) RETURNS tsvector"
            " LANGUAGE sql IMMUTABLE PARALLEL SAFE"
            " AS $$ SELECT setweight(to_tsvector('pg_catalog.simple', coalesce($1, '')), 'A')"
            " || setweight(to_tsvector('pg_catalog.simple',"
            f" {schema}.danvan_unaccent(coalesce($1, ''))), 'B') $$"
        )
        # One ALTER per table: each rewrites the whole table (a million voices: a minute).
        for table in dict.fromkeys(t for t, _c, _e, _i in PG_COLUMNS):
            columns = ", ".join(
                f"ADD COLUMN IF NOT EXISTS {column} tsvector"
                f" GENERATED ALWAYS AS ({schema}.danvan_search_vector({expression})) STORED"
                for t, column, expression, _i in PG_COLUMNS
                if t == table
            )
            cursor.execute(f"ALTER TABLE {table} {columns}")
        for table, column, _expression, index in PG_COLUMNS:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin ({column})")


def _pg_uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for index, _table, _columns, _replaced in PG_DAY_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
        for table, column, _expression, index in PG_COLUMNS:
            cursor.execute(f"DROP INDEX IF EXISTS {index}")
            cursor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS {column}")
        cursor.execute("DROP FUNCTION IF EXISTS danvan_search_vector(text)")
        cursor.execute("DROP FUNCTION IF EXISTS danvan_unaccent(text)")
        # The extension stays: something else may use it, and it costs nothing.


# --- SQLite ---------------------------------------------------------------------------------------

#: FTS5 tables: (source table, index name, {FTS column: source expression}).
SQLITE_SOURCES = [
    ("voices_voice", "search_voice", {"text": "text", "answer": "answer_text"}),
    ("insight_issue", "search_issue", {"doc": "title || ' ' || answer_text"}),
]
TOKENIZERS = {
    "exact": "unicode61 remove_diacritics 0",
    "folded": "unicode61 remove_diacritics 2",
}


def _d_to_d(expression: str) -> str:
    return f"replace(replace({expression}, 'đ', 'd'), 'Đ', 'D')"


def _sqlite_values(flavour: str, columns: dict[str, str], row: str) -> str:
    values = []
    for source in columns.values():
        value = " ".join(
            f"{row}.{part}" if part.isidentifier() else part for part in source.split()
        )
        values.append(_d_to_d(value) if flavour == "folded" else value)
    return ", ".join(values)


def _sqlite_statements() -> list[str]:
    statements = []
    for table, name, columns in SQLITE_SOURCES:
        names = ", ".join(columns)
        for flavour, tokenizer in TOKENIZERS.items():
            fts = f"{name}_{flavour}"
            statements.append(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({names},"
                f" tokenize='{tokenizer}')"
            )
        inserts = " ".join(
            f"INSERT INTO {name}_{flavour}(rowid, {names})"
            f" VALUES (new.id, {_sqlite_values(flavour, columns, 'new')});"
            for flavour in TOKENIZERS
        )
        deletes = " ".join(
            f"DELETE FROM {name}_{flavour} WHERE rowid = old.id;" for flavour in TOKENIZERS
        )
        watched = ", ".join(
            sorted(
                {
                    part
                    for source in columns.values()
                    for part in source.split()
                    if part.isidentifier()
                }
            )
        )
        statements += [
            f"CREATE TRIGGER IF NOT EXISTS {name}_ai AFTER INSERT ON {table} BEGIN {inserts} END",
            f"CREATE TRIGGER IF NOT EXISTS {name}_au AFTER UPDATE OF {watched} ON {table}"
            f" BEGIN {deletes} {inserts} END",
            f"CREATE TRIGGER IF NOT EXISTS {name}_ad AFTER DELETE ON {table} BEGIN {deletes} END",
        ]
    return statements


def _sqlite_rebuild(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for table, name, columns in SQLITE_SOURCES:
            names = ", ".join(columns)
            for flavour in TOKENIZERS:
                fts = f"{name}_{flavour}"
                cursor.execute(f"DELETE FROM {fts}")
                values = _sqlite_values(flavour, columns, table)
                cursor.execute(
                    f"INSERT INTO {fts}(rowid, {names}) SELECT {table}.id, {values} FROM {table}"
                )


def _sqlite_install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _sqlite_statements():
            cursor.execute(statement)
    _sqlite_rebuild(connection)


def _sqlite_uninstall(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for _table, name, _columns in SQLITE_SOURCES:
            for suffix in ("ai", "au", "ad"):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}_{suffix}")
            for flavour in TOKENIZERS:
                cursor.execute(f"DROP TABLE IF EXISTS {name}_{flavour}")


def _sqlite_missing(connection: BaseDatabaseWrapper) -> bool:
    expected = {
        f"{name}_{suffix}" for _t, name, _c in SQLITE_SOURCES for suffix in ("ai", "au", "ad")
    }
    expected |= {f"{name}_{flavour}" for _t, name, _c in SQLITE_SOURCES for flavour in TOKENIZERS}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('trigger', 'table') AND name LIKE 'search_%'"
        )
        present = {row[0] for row in cursor.fetchall()}
    return not expected <= present


# --- Either ---------------------------------------------------------------------------------------


def install(connection: BaseDatabaseWrapper) -> None:
    """Create the index objects (idempotent) and fill the index from the rows already there."""
    if connection.vendor == "postgresql":
        _pg_install(connection)
    elif connection.vendor == "sqlite":
        _sqlite_install(connection)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor == "postgresql":
        _pg_uninstall(connection)
    elif connection.vendor == "sqlite":
        _sqlite_uninstall(connection)


def rebuild(connection: BaseDatabaseWrapper) -> None:
    """Recompute the whole index from the rows (after changing the unaccent dictionary, say)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in dict.fromkeys(t for t, _c, _e, _i in PG_COLUMNS):
                # A generated column is recomputed when its row is rewritten.
                cursor.execute(f"UPDATE {table} SET id = id")
    elif connection.vendor == "sqlite":
        _sqlite_rebuild(connection)


def ensure_installed(connection: BaseDatabaseWrapper) -> bool:
    """Put back SQLite's triggers and tables if a table rebuild dropped them; True if it had to."""
    if connection.vendor != "sqlite" or not _sqlite_missing(connection):
        return False
    _sqlite_install(connection)
    return True
