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
from django.db.models import BooleanField, Model, QuerySet
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


def _fts_match(source: _Source, flavour: str, expression: str, wanted: bool) -> RawSQL:
    table = source.model._meta.db_table
    fts = f"{source.fts_table}_{flavour}"
    negation = "" if wanted else "NOT "
    return _condition(
        source,
        f'"{table}"."id" {negation}IN (SELECT rowid FROM {fts} WHERE {fts} MATCH %s)',  # noqa: S608
        [expression],
    )


def _matching(source: _Source, query: Query) -> tuple[list[RawSQL], list[list[RawSQL]]]:
    """The condition every result meets, and each tier's conditions."""
    if connection.vendor == "postgresql":
        tiers = pg_tiers(query)
        return [_pg_match(source, tiers.match)], [[_pg_match(source, t)] for t in tiers.tiers]
    every, conditions = fts_tiers(query, source.fts_column)
    return [_fts_match(source, "folded", every, True)], [
        [_fts_match(source, flavour, expr, wanted) for flavour, expr, wanted in tier.parts]
        for tier in conditions
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


def _count(base: QuerySet[Any], match: list[RawSQL]) -> Count:
    found = base.filter(*match).order_by().values("pk")[: COUNT_LIMIT + 1].count()
    return Count(min(found, COUNT_LIMIT), found > COUNT_LIMIT)


def _ids(base: QuerySet[Any], source: _Source, tiers: list[list[RawSQL]], wanted: int) -> list[int]:
    """Up to ``wanted`` ids, tier after tier, each tier newest first."""
    ids: list[int] = []
    for tier in tiers:
        if len(ids) >= wanted:
            break
        rows = base.filter(*tier).order_by(*source.order).values_list("pk", flat=True)
        ids += list(rows[: wanted - len(ids)])
    return ids


def search(user: Any, query: Query, *, kind: str = VOICES, page: int = 1) -> Results:
    """The counts of every type and one page of ``kind``'s results, best first."""
    kind = kind if kind in KINDS else VOICES
    counts: dict[str, Count] = {}
    if query.error or not query.terms:
        return Results(query=query, kind=kind, counts=counts)
    bases = {VOICES: _scoped(Voice, user), ISSUES: _scoped(Issue, user)}
    bases[ANSWERS] = bases[VOICES]
    for name in KINDS:
        match, _tiers = _matching(SOURCES[name], query)
        counts[name] = _count(bases[name], match)
    last_page = max(1, -(-min(counts[kind].value, MAX_RESULTS) // PER_PAGE))
    page = min(max(1, page), last_page)
    source = SOURCES[kind]
    _match, tiers = _matching(source, query)
    offset = (page - 1) * PER_PAGE
    ids = _ids(bases[kind], source, tiers, offset + PER_PAGE + 1)
    page_ids = ids[offset : offset + PER_PAGE]
    visible: Any = source.model._default_manager
    related = ("topic", "unit__parent") if source.model is Voice else ("topic", "unit")
    by_id = {
        row.pk: row
        for row in visible.visible_to(user).filter(pk__in=page_ids).select_related(*related)
    }
    return Results(
        query=query,
        kind=kind,
        counts=counts,
        rows=[by_id[i] for i in page_ids if i in by_id],
        page=page,
        has_next=len(ids) > offset + PER_PAGE and offset + PER_PAGE < MAX_RESULTS,
        is_truncated=counts[kind].value > MAX_RESULTS or counts[kind].is_capped,
    )
