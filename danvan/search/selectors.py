"""Search over the voices, their answers and the issues a user may see.

Scope is ``visible_to``'s: the voices and issues of the units ``AdministrativeUnit.objects
.visible_to(user)`` returns (as a list of unit ids, as the inbox does, so that PostgreSQL can
estimate a commune's share), and the page's rows are read again through
``Voice.objects.visible_to(user)`` / ``Issue.objects.visible_to(user)``. Nothing here reads the
submitter's fields or the denouncer's identity: only the content, the answer and the issue's
title and answer are indexed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper, F, Model, Q, QuerySet
from django.db.models.expressions import RawSQL

from danvan.accounts.roles import Capability
from danvan.accounts.scope import scope_for
from danvan.insight.models import Issue
from danvan.search.query import Query, fts_tiers, pg_tiers
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import Voice

#: The result types, in the order of the page's tabs.
VOICES, ANSWERS, ISSUES = "voices", "answers", "issues"
KINDS = (VOICES, ANSWERS, ISSUES)

#: Counts stop here ("more than 1,000"): counting a common word's 300,000 matches costs more than
#: the page.
COUNT_LIMIT = 1000
#: The tabs not shown are counted up to here only: the count is what the page waits for.
OTHER_COUNT_LIMIT = 100
#: Results reachable by paging; past them the page asks to narrow the search.
MAX_RESULTS = 500
PER_PAGE = 20


@dataclass(frozen=True)
class _Source:
    model: type[Model]
    #: PostgreSQL: the tsvector column. SQLite: the FTS tables' prefix and column.
    pg_column: str
    fts_table: str
    fts_column: str
    order: tuple[str, ...]


SOURCES = {
    VOICES: _Source(Voice, "search_text", "search_voice", "text", ("-received_on", "-id")),
    ANSWERS: _Source(Voice, "search_answer", "search_voice", "answer", ("-received_on", "-id")),
    ISSUES: _Source(Issue, "search_doc", "search_issue", "doc", ("-last_received_on", "-id")),
}


def _condition(source: _Source, sql: str, params: list[Any]) -> RawSQL:
    # The SQL names only this module's tables and columns; the query's text is a parameter.
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611


def _pg_match(source: _Source, tsquery: str) -> RawSQL:
    table = source.model._meta.db_table
    return _condition(source, f'"{table}"."{source.pg_column}" @@ %s::tsquery', [tsquery])


def _fts_match(source: _Source, flavour: str, expression: str) -> RawSQL:
    table = source.model._meta.db_table
    fts = f"{source.fts_table}_{flavour}"
    return _condition(
        source,
        f'"{table}"."id" IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)',  # noqa: S608
        [expression],
    )


def _matching(source: _Source, query: Query) -> tuple[RawSQL, list[list[RawSQL]]]:
    """The condition every result meets, and each tier's set (see ``query.Tiers``)."""
    if connection.vendor == "postgresql":
        tiers = pg_tiers(query)
        return _pg_match(source, tiers.match), [[_pg_match(source, t)] for t in tiers.tiers]
    every, conditions = fts_tiers(query, source.fts_column)
    return _fts_match(source, "folded", every), [
        [_fts_match(source, flavour, expr) for flavour, expr in tier.parts] for tier in conditions
    ]


def _scoped(model: type[Model], user: Any) -> QuerySet[Any]:
    """The records ``user`` may see, filtered on unit ids rather than a join on path prefixes."""
    manager: Any = model._default_manager
    if scope_for(user, Capability.VIEW).is_global:
        return manager.visible_to(user)
    units = list(AdministrativeUnit.objects.visible_to(user).values_list("pk", flat=True))
    return manager.filter(unit_id__in=units)


@dataclass(frozen=True)
class Count:
    value: int
    is_capped: bool


@dataclass
class Results:
    query: Query
    kind: str
    counts: dict[str, Count]
    rows: list[Any] = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    #: More results exist than paging reaches (``MAX_RESULTS``).
    is_truncated: bool = False

    @property
    def has_previous(self) -> bool:
        return self.page > 1


def _count(base: QuerySet[Any], match: RawSQL, limit: int) -> Count:
    found = base.filter(match).order_by().values("pk")[: limit + 1].count()
    return Count(min(found, limit), found > limit)


def _ranked_ids(
    base: QuerySet[Any], source: _Source, match: RawSQL, tiers: list[list[RawSQL]], wanted: int
) -> list[int]:
    """A few matches (the count was not capped): ranked in one query over all of them."""
    flags = {
        f"tier_{n}": ExpressionWrapper(Q(*tier), BooleanField())
        for n, tier in enumerate(tiers[:-1])
    }
    rows = (
        base.filter(match)
        .alias(**flags)
        .order_by(*(F(name).desc() for name in flags), *source.order)
    )
    return list(rows.values_list("pk", flat=True)[:wanted])


#: PostgreSQL ranks the newest this many matches (in scope) by tier; see ``_pg_ids``.
RANK_WINDOW = 2000


def _pg_ids(
    base: QuerySet[Any], source: _Source, match: RawSQL, query: Query, wanted: int
) -> tuple[list[int], int]:
    """PostgreSQL: the newest ``RANK_WINDOW`` matches, read once (materialized), ranked by tier.

    Letting the planner run one query per tier fails on Vietnamese: it estimates a phrase, or
    words typed with their marks, as rare when they go together with the folded words (it
    multiplies the words' frequencies), and reads a whole index or table for a page. The match
    itself (the folded words) is estimated well, so it is what reaches the index: newest first
    off the date index when it is common, through the GIN index when it is rare. The tiers are
    then worked out on at most ``RANK_WINDOW`` rows in memory; their number is the count. When more voices match than that,
    an older exact phrase can rank below newer looser matches: the page says to add words."""
    table = source.model._meta.db_table
    day = source.order[0].lstrip("-")
    window = (
        base.filter(match)
        .annotate(search_doc_=RawSQL(f'"{table}"."{source.pg_column}"', []))  # noqa: S611
        .order_by(*source.order)
        .values_list("pk", day, "search_doc_")[:RANK_WINDOW]
    )
    sql, params = window.query.sql_with_params()
    tiers = pg_tiers(query).tiers[:-1]  # the last tier is the match itself
    flags = "".join("(doc @@ %s::tsquery) DESC, " for _ in tiers)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH m (id, day, doc) AS MATERIALIZED ({sql})"  # noqa: S608 - Django's SQL
            f" SELECT id, count(*) OVER () FROM m ORDER BY {flags}day DESC, id DESC LIMIT %s",
            [*params, *tiers, wanted],
        )
        rows = cursor.fetchall()
    # The number of matches in the window: all of them when under RANK_WINDOW.
    return [row[0] for row in rows], rows[0][1] if rows else 0


def _tiered_ids(
    base: QuerySet[Any], source: _Source, tiers: list[list[RawSQL]], wanted: int
) -> list[int]:
    """Many matches: each tier's newest first, one query per tier until the page is full.

    Each query asks for as many more rows as were already collected, so when a tier's set
    comes back short every row of it is already collected, and the next set, less those rows,
    is exactly the next tier."""
    ids: list[int] = []
    seen: set[int] = set()
    for tier in tiers:
        if len(ids) >= wanted:
            break
        rows = base.filter(*tier).order_by(*source.order).values_list("pk", flat=True)
        for pk in rows[: wanted + len(ids)]:
            if pk not in seen and len(ids) < wanted:
                seen.add(pk)
                ids.append(pk)
    return ids


def _page_of(base: QuerySet[Any], kind: str, query: Query, wanted: int) -> tuple[list[int], Count]:
    """Up to ``wanted`` ids of ``kind``, best first, and how many match."""
    source = SOURCES[kind]
    match, tiers = _matching(source, query)
    if connection.vendor == "postgresql":
        ids, total = _pg_ids(base, source, match, query, wanted)
        return ids, Count(min(total, COUNT_LIMIT), total > COUNT_LIMIT)
    count = _count(base, match, COUNT_LIMIT)
    if not count.value:
        return [], count
    if count.is_capped:
        return _tiered_ids(base, source, tiers, wanted), count
    return _ranked_ids(base, source, match, tiers, wanted), count


def search(user: Any, query: Query, *, kind: str = "", page: int = 1) -> Results:
    """One page of ``kind``'s results, best first, and the counts of every type.

    ``kind`` "" (none chosen) is the voices, or the first type with results when no voice
    matches. The other types are counted up to ``OTHER_COUNT_LIMIT`` only."""
    chosen = kind if kind in KINDS else VOICES
    counts: dict[str, Count] = {}
    if query.error or not query.terms:
        return Results(query=query, kind=chosen, counts=counts)
    bases = {VOICES: _scoped(Voice, user), ISSUES: _scoped(Issue, user)}
    bases[ANSWERS] = bases[VOICES]
    page = min(max(1, page), MAX_RESULTS // PER_PAGE)
    offset = (page - 1) * PER_PAGE
    wanted = offset + PER_PAGE + 1
    ids, counts[chosen] = _page_of(bases[chosen], chosen, query, wanted)
    for name in KINDS:
        if name != chosen:
            counts[name] = _count(
                bases[name], _matching(SOURCES[name], query)[0], OTHER_COUNT_LIMIT
            )
    if kind not in KINDS and not counts[chosen].value:
        other = next((name for name in KINDS if counts[name].value), None)
        if other is not None:
            chosen = other
            ids, counts[chosen] = _page_of(bases[chosen], chosen, query, wanted)
    if page > 1 and len(ids) <= offset:  # past the end: the last page
        page = max(1, -(-len(ids) // PER_PAGE))
        offset = (page - 1) * PER_PAGE
    page_ids = ids[offset : offset + PER_PAGE]
    source = SOURCES[chosen]
    visible: Any = source.model._default_manager
    related = ("topic", "unit__parent") if source.model is Voice else ("topic", "unit")
    by_id = {
        row.pk: row
        for row in visible.visible_to(user).filter(pk__in=page_ids).select_related(*related)
    }
    return Results(
        query=query,
        kind=chosen,
        counts=counts,
        rows=[by_id[i] for i in page_ids if i in by_id],
        page=page,
        has_next=len(ids) > offset + PER_PAGE and offset + PER_PAGE < MAX_RESULTS,
        is_truncated=counts[chosen].value > MAX_RESULTS or counts[chosen].is_capped,
    )
