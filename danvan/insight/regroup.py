"""Regrouping every voice from scratch (after a change of model or threshold, or an import).

The voices of each commune go through the same ``Matcher`` as live matching, in the order they
were received; communes are shared among worker processes (grouping never crosses a commune, so
they need nothing from each other). Issues an officer has confirmed, merged or split are kept as
they are with their voices: their decisions are facts, not guesses to redo.

``regroup(processes=2)`` returns what it did; ``manage.py regroup_issues`` runs it.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Q

from danvan.insight.grouping import Matcher
from danvan.insight.models import Issue, IssueStatus
from danvan.insight.signatures import TextStats, signature
from danvan.voices.models import OPEN_STATUSES, Voice

__all__ = ["RegroupReport", "regroup"]

#: Voices read from the database per round trip.
CHUNK = 20_000


@dataclass
class RegroupReport:
    voices: int = 0
    issues: int = 0
    kept_issues: int = 0
    seconds: float = 0.0
    processes: int = 1
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _Group:
    """A regrouped issue, as a worker hands it back."""

    commune_id: int
    cluster: dict[str, Any]
    voice_ids: list[int]
    first: Any
    last: Any
    topics: Counter[int]
    open: bool
    title: str


def _commune_id(unit_id: int, parent_id: int | None, tier: str) -> int:
    return parent_id if tier == "village" and parent_id is not None else unit_id


def _voices_of(commune_ids: Iterable[int]) -> Iterable[tuple[Any, ...]]:
    """(commune id, voice id, text, received on, topic id, status), communes in turn."""
    ids = sorted(commune_ids)
    for start in range(0, len(ids), 200):
        batch = ids[start : start + 200]
        rows = Voice.objects.filter(
            Q(unit__in=batch) | Q(unit__parent__in=batch), issue__isnull=True
        ).values_list(
            "unit_id",
            "unit__parent_id",
            "unit__tier",
            "id",
            "text",
            "received_on",
            "topic_id",
            "status",
        )
        by_commune: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
        for unit_id, parent_id, tier, *rest in rows.iterator(chunk_size=CHUNK):
            by_commune[_commune_id(unit_id, parent_id, tier)].append(tuple(rest))
        for commune_id in batch:
            voices = sorted(by_commune.pop(commune_id, []), key=lambda r: (r[2], r[0]))
            for row in voices:
                yield (commune_id, *row)


def _group_communes(args: tuple[list[int], float, dict[str, Any] | None, bool]) -> list[_Group]:
    commune_ids, threshold, stats_json, in_worker = args
    if in_worker:
        connections.close_all()  # a forked worker opens a connection of its own
    stats = TextStats.from_json(stats_json) if stats_json else None
    groups: list[_Group] = []
    current: int | None = None
    matcher = Matcher(threshold=threshold)
    members: dict[int, _Group] = {}

    def flush() -> None:
        for cluster in matcher.clusters:
            group = members[id(cluster)]
            group.cluster = cluster.as_json()
            groups.append(group)

    for commune_id, voice_id, text, received_on, topic_id, status in _voices_of(commune_ids):
        if commune_id != current:
            if current is not None:
                flush()
            current, matcher, members = commune_id, Matcher(threshold=threshold), {}
        sig = signature(text, stats)
        cluster, _score, created = matcher.assign(sig, new_key=None)
        if created:
            members[id(cluster)] = _Group(
                commune_id=commune_id,
                cluster={},
                voice_ids=[],
                first=received_on,
                last=received_on,
                topics=Counter(),
                open=False,
                title=text,
            )
        group = members[id(cluster)]
        group.voice_ids.append(voice_id)
        group.first = min(group.first, received_on)
        group.last = max(group.last, received_on)
        group.topics[topic_id] += 1
        group.open = group.open or status in OPEN_STATUSES
        for absorbed in matcher.absorb_around(cluster, sig.vector):
            other = members.pop(id(absorbed))
            group.voice_ids += other.voice_ids
            group.first = min(group.first, other.first)
            group.last = max(group.last, other.last)
            group.topics.update(other.topics)
            group.open = group.open or other.open
    if current is not None:
        flush()
    if in_worker:
        connections.close_all()
    return groups


def _partition(commune_sizes: dict[int, int], parts: int) -> list[list[int]]:
    """Communes shared out so that each part has about as many voices (largest first)."""
    buckets: list[tuple[int, list[int]]] = [(0, []) for _ in range(parts)]
    for commune_id, size in sorted(commune_sizes.items(), key=lambda item: -item[1]):
        index = min(range(parts), key=lambda i: buckets[i][0])
        total, ids = buckets[index]
        ids.append(commune_id)
        buckets[index] = (total + size, ids)
    return [ids for _, ids in buckets if ids]


def regroup(*, processes: int = 2, threshold: float | None = None) -> RegroupReport:
    from danvan.insight.services import active_trained, issue_title

    started = time.perf_counter()
    report = RegroupReport(processes=processes)
    trained = active_trained()
    threshold = trained.threshold if threshold is None else threshold
    with transaction.atomic():
        kept = Issue.objects.filter(is_confirmed=True, merged_into__isnull=True)
        report.kept_issues = kept.count()
        Voice.objects.exclude(issue__in=kept).exclude(issue__isnull=True).update(
            issue=None, issue_score=None
        )
        Issue.objects.exclude(pk__in=kept.values("pk")).delete()
    report.timings["clear"] = time.perf_counter() - started
    sizes: Counter[int] = Counter()
    for unit_id, parent_id, tier in (
        Voice.objects.filter(issue__isnull=True)
        .values_list("unit_id", "unit__parent_id", "unit__tier")
        .iterator(chunk_size=CHUNK)
    ):
        sizes[_commune_id(unit_id, parent_id, tier)] += 1
    parts = _partition(dict(sizes), max(1, processes))
    stats_json = trained.stats.as_json() if trained.stats else None
    jobs = [(part, threshold, stats_json, True) for part in parts]
    report.timings["plan"] = time.perf_counter() - started
    in_transaction = connection.in_atomic_block
    if (
        processes > 1
        and len(parts) > 1
        and connection.vendor == "postgresql"
        and not in_transaction
    ):
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(len(parts)) as pool:
            results = pool.map(_group_communes, jobs)
    else:
        # SQLite forks badly with an open file, and workers cannot see a caller's open
        # transaction: one process.
        results = [
            _group_communes(([c for part in parts for c in part], threshold, stats_json, False))
        ]
    report.timings["group"] = time.perf_counter() - started
    groups = [g for result in results for g in result]
    with transaction.atomic():
        issues = Issue.objects.bulk_create(
            [
                Issue(
                    unit_id=g.commune_id,
                    topic_id=g.topics.most_common(1)[0][0],
                    title=issue_title(g.title),
                    representative_id=g.voice_ids[0],
                    status=IssueStatus.OPEN if g.open else IssueStatus.ANSWERED,
                    voice_count=len(g.voice_ids),
                    first_received_on=g.first,
                    last_received_on=g.last,
                    signature=g.cluster,
                )
                for g in groups
            ],
            batch_size=2000,
        )
        _assign(
            (voice_id, issue.pk)
            for issue, g in zip(issues, groups, strict=True)
            for voice_id in g.voice_ids
        )
    report.timings["write"] = time.perf_counter() - started
    report.voices = sum(sizes.values())
    report.issues = len(groups)
    report.seconds = time.perf_counter() - started
    return report


def _assign(pairs: Iterable[tuple[int, int]]) -> None:
    """Set ``Voice.issue`` for many voices: COPY into a temporary table on PostgreSQL."""
    pairs = list(pairs)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "CREATE TEMPORARY TABLE regroup_assign (voice_id bigint, issue_id bigint) "
                "ON COMMIT DROP"
            )
            with cursor.copy("COPY regroup_assign (voice_id, issue_id) FROM STDIN") as copy:
                for pair in pairs:
                    copy.write_row(pair)
            cursor.execute(
                "UPDATE voices_voice v SET issue_id = a.issue_id, issue_score = NULL "
                "FROM regroup_assign a WHERE v.id = a.voice_id"
            )
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE voices_voice SET issue_id = %s, issue_score = NULL WHERE id = %s",
            [(issue_id, voice_id) for voice_id, issue_id in pairs],
        )
