"""Search over the voices, their answers and the issues a user may see.

Scope is ``visible_to``'s: the voices and issues of the units ``AdministrativeUnit.objects
.visible_to(user)`` returns (as a list of unit ids, as the inbox does, so that PostgreSQL can
estimate a commune's share), and the page's rows are read again through
``Voice.objects.visible_to(user)`` / ``Issue.objects.visible_to(user)``. Nothing here reads the
submitter's fields or the denouncer's identity: only the content, the answer and the issue's
title and answer are indexed.
"""

from __future__ import annotations

import datetime
import itertools
import time
from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections, transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Model, Q, QuerySet
from django.db.models.expressions import RawSQL

from danvan.accounts.models import User
from danvan.insight.models import Issue
from danvan.lib.roles import Capability
from danvan.lib.routers import read_database
from danvan.lib.scoping import scope_for
from danvan.lib.textquery import (
    ISSUE_DOC,
    VOICE_ANSWER,
    VOICE_TEXT,
    Query,
    Term,
    TextIndex,
    matching,
    pg_term,
    pg_tiers,
)
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
    #: The indexed column (PostgreSQL: the tsvector column; SQLite: the FTS tables and column).
    index: TextIndex
    order: tuple[str, ...]

    @property
    def pg_column(self) -> str:
        return self.index.pg_column


SOURCES = {
    VOICES: _Source(Voice, VOICE_TEXT, ("-received_on", "-id")),
    ANSWERS: _Source(Voice, VOICE_ANSWER, ("-received_on", "-id")),
    ISSUES: _Source(Issue, ISSUE_DOC, ("-last_received_on", "-id")),
}


def _condition(sql: str, params: list[Any]) -> RawSQL:
    # The SQL names only this module's tables and columns; the query's text is a parameter.
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611


def _matching(source: _Source, query: Query) -> tuple[RawSQL, list[list[RawSQL]]]:
    """The condition every result meets, and each tier's set (see ``textquery.Tiers``)."""
    return matching(source.index, query)


def _scope_units(user: User | AnonymousUser) -> list[int] | None:
    """The ids of the units ``user`` may see, or None for everywhere."""
    # Everywhere is no filter at all, rather than the ids of every unit.
    if scope_for(user, Capability.VIEW).is_global:
        return None
    return list(AdministrativeUnit.objects.visible_to(user).values_list("pk", flat=True))


def _scoped(
    model: type[Model], user: User | AnonymousUser, units: list[int] | None
) -> QuerySet[Any]:
    """The records ``user`` may see, filtered on unit ids rather than a join on path prefixes."""
    manager: Any = model._default_manager
    if units is None:
        return manager.visible_to(user)
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
    #: PostgreSQL: more matched than ``RANK_WINDOW``; only the newest that many were ranked.
    is_windowed: bool = False

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


#: PostgreSQL ranks the newest this many matches (in scope) by tier; see ``_pg_ids``. As many
#: as the count shows (``COUNT_LIMIT``): every row of the window costs a heap read or two.
RANK_WINDOW = 1000
#: PostgreSQL reads the window among the newest voices only when the statistics say that more
#: than this many times the window may match in scope (fewer: all the matches, sorted), and
#: when that costs less: a span of days fetches every unit's matches in it, or every row of
#: the scope in it (about ``SPAN_MARGIN`` windows divided by the scope's share of the rows, or
#: by the words' share), where reading the scope whole fetches its own matches only (its unit
#: index and the GIN index together). So a province of a million voices is read in spans, a
#: commune whole, except for words in most of its voices ("UBND" in the answers).
WINDOW_FACTOR = 5
#: ... in a span that should hold this many times the window (the estimate may be high or low).
SPAN_MARGIN = 1.5
#: Settings of the search's transaction: no JIT (compiling costs 100-500 ms on the plans the
#: planner overprices), and enough memory for exact bitmaps of a common word's 200,000 matches
#: (a lossy bitmap makes PostgreSQL re-read every row of every page it touches).
PG_SETTINGS = {"jit": "off", "work_mem": "32MB"}
#: A lexeme ANALYZE did not list is rarer than this share of the rows (see ``_pg_stats``).
RARE_SHARE = 0.005
#: How long the planner's statistics read for the estimate are kept, in seconds.
STATS_TTL = 600

_stats_cache: dict[tuple[str, str], tuple[float, Any]] = {}


@dataclass(frozen=True)
class _Stats:
    """What ``ANALYZE`` gathered on a table: rows, each frequent lexeme's share of the rows,
    the share under which every other lexeme is, the units' shares, the days' shares."""

    rows: float
    lexemes: dict[str, float]
    rare: float
    units: dict[int, float]
    other_unit: float
    #: (day, share of the rows received on that day or after), newest first.
    days: tuple[tuple[datetime.date, float], ...] = ()


def _day_shares(
    values: list[str] | None, freqs: list[float] | None, bounds: list[str] | None, nulls: float
) -> tuple[tuple[datetime.date, float], ...]:
    """Newest first, each day and the share of the rows received on it or after, from the
    column's statistics: its most common days with their shares, the other rows spread evenly
    over the histogram's buckets and over the days of each."""
    mass: dict[datetime.date, float] = {}
    for value, freq in zip(values or [], freqs or [], strict=False):
        day = datetime.date.fromisoformat(value)
        mass[day] = mass.get(day, 0.0) + freq
    edges = sorted(datetime.date.fromisoformat(b) for b in bounds or [])
    rest = max(0.0, 1 - nulls - sum(freqs or []))
    for low, high in itertools.pairwise(edges):
        days = min(max(1, (high - low).days), 3660)
        for back in range(days):
            day = high - datetime.timedelta(days=back)
            mass[day] = mass.get(day, 0.0) + rest / (len(edges) - 1) / days
    shares, total = [], 0.0
    for day in sorted(mass, reverse=True):
        total += mass[day]
        shares.append((day, total))
    return tuple(shares)


def _since(stats: _Stats, share: float) -> datetime.date | None:
    """The day from which about ``share`` of the rows were received; None: more than all."""
    return next((day for day, after in stats.days if after >= share), None)


def _pg_stats(table: str, column: str, day: str) -> _Stats | None:
    """The table's statistics (kept ``STATS_TTL`` seconds), or None before any ``ANALYZE``."""
    key = (table, column)
    cached = _stats_cache.get(key)
    now = time.monotonic()
    if cached is not None and now - cached[0] < STATS_TTL:
        return cast(_Stats | None, cached[1])
    with connections[read_database()].cursor() as cursor:
        cursor.execute(
            "SELECT c.reltuples, s.attname, s.most_common_elems::text::text[],"
            " s.most_common_elem_freqs, s.most_common_vals::text::text[], s.most_common_freqs,"
            " s.n_distinct, current_setting('default_statistics_target')::int,"
            " s.histogram_bounds::text::text[], s.null_frac"
            " FROM pg_class c JOIN pg_stats s ON s.tablename = c.relname"
            " AND s.schemaname = current_schema()"
            " WHERE c.relname = %s AND c.relkind = 'r' AND s.attname IN (%s, 'unit_id', %s)",
            [table, column, day],
        )
        found = {row[1]: row for row in cursor.fetchall()}
    stats = None
    words, units = found.get(column), found.get("unit_id")
    if words and units and words[2] and words[0] > 0:
        # tsvector statistics: one share per lexeme, then the least and the largest share. A
        # list shorter than ANALYZE keeps (10 x the statistics target) holds every lexeme over
        # its cut-off (about 0.3 % of the rows): the others are rarer than that, however
        # common the least frequent one listed (the answers' few words are all common).
        freqs = words[3]
        rare = freqs[-2] if len(words[2]) >= 10 * words[7] else min(freqs[-2], RARE_SHARE)
        mcv = {int(v): f for v, f in zip(units[4] or [], units[5] or [], strict=True)}
        distinct = units[6] if units[6] > 0 else -units[6] * words[0]
        rest = max(distinct - len(mcv), 1)
        stats = _Stats(
            rows=words[0],
            lexemes=dict(zip(words[2], freqs, strict=False)),
            rare=rare,
            units=mcv,
            other_unit=max(0.0, 1 - sum(mcv.values())) / rest,
            days=_day_shares(*dates[4:6], *dates[8:10]) if (dates := found.get(day)) else (),
        )
    _stats_cache[key] = (now, stats)
    return stats


def _term_share(stats: _Stats, term: Term) -> float:
    """The share of the rows a word may be in (its spellings', summed)."""
    spellings = [stats.lexemes.get(term.folded, stats.rare)]
    if term.expansion:
        spellings.append(min(stats.lexemes.get(w, stats.rare) for w in term.expansion))
    return min(1.0, sum(spellings))


def _estimate(stats: _Stats, query: Query, units: list[int] | None) -> float:
    """How many rows in scope may match, from the planner's statistics: the least frequent
    word's share of the scope's rows. Words of the same complaint go together, so that is close
    when the words are common, where the planner's product of shares is off by 100x; it is
    too high when common words seldom meet, and the window then comes back short."""
    share = min(_term_share(stats, term) for term in query.terms)
    return share * _scope_share(stats, units) * stats.rows


def _pg_narrow_match(source: _Source, query: Query, stats: _Stats) -> RawSQL:
    """The match for a narrow scope: the least frequent word through the index, all the words
    checked on the rows (``ts_match_vq``, the function behind ``@@``, which the planner neither
    indexes nor multiplies into its estimate). With every word in the index condition the
    planner takes four common words together for a rare match, reads the GIN index alone and
    filters the scope's units on 50,000 heap rows (0.5 s) to keep 2,000; with one word it sees
    a common one, and combines the GIN index with the scope's unit index (a BitmapAnd)."""
    table, column = source.model._meta.db_table, source.pg_column
    rarest = min(query.terms, key=lambda term: _term_share(stats, term))
    return _condition(
        f'"{table}"."{column}" @@ %s::tsquery AND ts_match_vq("{table}"."{column}", %s::tsquery)',
        [pg_term(rarest), pg_tiers(query).match],
    )


def _scope_share(stats: _Stats, units: list[int] | None) -> float:
    """The share of the rows in the scope's units, from the planner's statistics."""
    if units is None:
        return 1.0
    return min(1.0, sum(stats.units.get(unit, stats.other_unit) for unit in units))


def _pg_window(
    base: QuerySet[Any],
    source: _Source,
    match: RawSQL,
    since: Any,
    limit: int,
    tiers: tuple[str, ...],
) -> list[tuple[Any, ...]]:
    """The newest ``limit`` matches in scope (received on ``since`` or after, if given): id,
    then whether each tier holds it, newest first. The tiers are worked out after the limit,
    on those rows only: each test reads the row's tsvector again (from TOAST: a dozen buffers a
    row when done before the sort on 8,000 rows)."""
    table, day = source.model._meta.db_table, source.order[0].lstrip("-")
    rows = base.filter(match)
    if since is not None:
        rows = rows.filter(**{f"{day}__gte": since})
    doc = RawSQL(f'"{table}"."{source.pg_column}"', [])  # noqa: S611 - a column of SOURCES
    window = rows.annotate(doc_=doc).order_by(*source.order).values_list("pk", day, "doc_")
    sql, params = window[:limit].query.sql_with_params()
    flags = "".join(", (w.doc @@ %s::tsquery)" for _ in tiers)
    with connections[read_database()].cursor() as cursor:
        cursor.execute(
            f"SELECT w.id{flags} FROM ({sql}) AS w (id, day, doc)"  # noqa: S608 - Django's SQL
            " ORDER BY w.day DESC, w.id DESC",
            [*tiers, *params],
        )
        return cursor.fetchall()


def _pg_ids(
    base: QuerySet[Any],
    source: _Source,
    match: RawSQL,
    query: Query,
    wanted: int,
    units: list[int] | None,
) -> tuple[list[int], int]:
    """PostgreSQL: the newest ``RANK_WINDOW`` matches in scope, read once, ranked by tier.

    Letting the planner run one query per tier fails on Vietnamese: it estimates a phrase, or
    words typed with their marks, as rare when they go together with the folded words (it
    multiplies the words' frequencies), and reads a whole index or table for a page. The match
    itself (the folded words) is what reaches the index. Reading every match to sort it by date
    fails for words most texts share (175,000 heap rows for "kinh phí sửa chữa" in the
    answers: 1-3 s). So when the statistics say many may match (``_estimate``) and a span is
    cheaper than the scope (see ``WINDOW_FACTOR``), the window is read among the newest rows
    only, in a span that should hold ``SPAN_MARGIN`` times the window (one scan of the GIN
    index, which holds the day too: ``schema.PG_DAY_INDEXES``), then in the span the share
    found there suggests, then everywhere: a span that comes back full holds exactly the newest
    matches (everything left out is older). Otherwise the scope is read whole, a narrow one
    with one word through the index (``_pg_narrow_match``). The tiers are then worked out on
    the window's rows; their number is the count. When more match than the window, an older
    exact phrase can rank below
    newer looser matches: the page says so (``Results.is_windowed``)."""
    table = source.model._meta.db_table
    day = source.order[0].lstrip("-")
    limit = RANK_WINDOW + 1  # one more, to know that more match
    # Read-only: no savepoint of its own. The settings last until the transaction ends. On the
    # replica, when the search runs inside heavy_reads (danvan/lib/routers.py).
    db = read_database()
    with transaction.atomic(using=db, savepoint=False), connections[db].cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in PG_SETTINGS),
            [item for pair in PG_SETTINGS.items() for item in pair],
        )
        stats = _pg_stats(table, source.pg_column, day) if source.model is Voice else None
        # The share of all rows the first span should take: None, everything.
        share: float | None = None
        if stats:
            expected = _estimate(stats, query, units)
            # What a span costs: the rows of the span in scope or the matches of every unit
            # in it, whichever the planner takes (it takes the smaller, roughly).
            words = min(_term_share(stats, term) for term in query.terms)
            in_span = SPAN_MARGIN * limit / max(_scope_share(stats, units), words, 1e-9)
            if expected > WINDOW_FACTOR * limit and 2 * in_span < expected:
                share = SPAN_MARGIN * limit / expected
        if share is None and units is not None and stats:
            match = _pg_narrow_match(source, query, stats)
        tiers = pg_tiers(query).tiers[:-1]  # the last tier is the match itself
        found: list[tuple[Any, ...]] = []
        for _step in range(3):
            since = _since(stats, share) if share and stats else None
            found = _pg_window(base, source, match, since, limit, tiers)
            if since is None or len(found) >= limit:
                break
            # Short: the span the share found suggests, once; then everywhere.
            if found and share is not None and _step == 0:
                share = share * SPAN_MARGIN * limit / len(found)
                share = share if share < 0.5 else None
            else:
                share = None
        # By tier (the first that holds the row), newest first within one: the rows came
        # newest first, and the sort is stable.
        window = sorted(found[:RANK_WINDOW], key=lambda row: tuple(not flag for flag in row[1:]))
        ids = [row[0] for row in window[:wanted]]
    # The number of matches: all of them when at most RANK_WINDOW, else RANK_WINDOW + 1.
    return ids, len(found)


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


def _page_of(
    base: QuerySet[Any], kind: str, query: Query, wanted: int, units: list[int] | None
) -> tuple[list[int], Count, bool]:
    """Up to ``wanted`` ids of ``kind``, best first, how many match, and whether only the
    newest ``RANK_WINDOW`` matches were ranked (PostgreSQL, more matches than that)."""
    source = SOURCES[kind]
    match, tiers = _matching(source, query)
    if connection.vendor == "postgresql":
        ids, total = _pg_ids(base, source, match, query, wanted, units)
        return ids, Count(min(total, COUNT_LIMIT), total > COUNT_LIMIT), total > RANK_WINDOW
    count = _count(base, match, COUNT_LIMIT)
    if not count.value:
        return [], count, False
    if count.is_capped:
        return _tiered_ids(base, source, tiers, wanted), count, False
    return _ranked_ids(base, source, match, tiers, wanted), count, False


def search(user: User | AnonymousUser, query: Query, *, kind: str = "", page: int = 1) -> Results:
    """One page of ``kind``'s results, best first, and the counts of every type.

    ``kind`` "" (none chosen) is the voices, or the first type with results when no voice
    matches. The other types are counted up to ``OTHER_COUNT_LIMIT`` only."""
    chosen = kind if kind in KINDS else VOICES
    counts: dict[str, Count] = {}
    if query.error or not query.terms:
        return Results(query=query, kind=chosen, counts=counts)
    units = _scope_units(user)
    bases = {VOICES: _scoped(Voice, user, units), ISSUES: _scoped(Issue, user, units)}
    bases[ANSWERS] = bases[VOICES]
    page = min(max(1, page), MAX_RESULTS // PER_PAGE)
    offset = (page - 1) * PER_PAGE
    wanted = offset + PER_PAGE + 1
    ids, counts[chosen], windowed = _page_of(bases[chosen], chosen, query, wanted, units)
    for name in KINDS:
        if name != chosen:
            counts[name] = _count(
                bases[name], _matching(SOURCES[name], query)[0], OTHER_COUNT_LIMIT
            )
    if kind not in KINDS and not counts[chosen].value:
        other = next((name for name in KINDS if counts[name].value), None)
        if other is not None:
            chosen = other
            ids, counts[chosen], windowed = _page_of(bases[chosen], chosen, query, wanted, units)
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
        is_windowed=windowed,
    )
