"""Regrouping every voice from scratch (after a change of model or threshold, or an import).

The voices of each commune go through the same ``Matcher`` as live matching, in the order they
were received. Grouping never crosses a commune, so communes are handed out one at a time to
worker processes, the largest first (the largest commune is the critical path: it must start
at once), and each worker writes a commune's issues as soon as it has grouped it, in a
transaction of its own, while the other goes on grouping. Issues an officer has confirmed,
merged or split are kept as they are with their voices: their decisions are facts, not guesses
to redo.

A commune is written in one transaction, under the lock live matching takes
(``services_matching.voice_match``), so at every moment each commune is either grouped as before or
regrouped, never without issues, and a failure part way leaves the communes already done
regrouped and the others as they were. Each new issue takes over the old issue most of its
voices were in (its number, answer and alerts stay; only voices that change issue are written):
regrouping again after a small change rewrites little. A voice that an officer or live matching
moved while its commune was being grouped is left where they put it; old issues left without
voices are deleted.

Each commune's transaction writes one audit row (``issue.regroup``, on the commune) when it
changed anything: the counts and the threshold, not a row per voice. One row per commune, not one
per run, because a run is not one transaction: a row written at the end would be missing after a
failure part way, while the communes already done stay regrouped; each commune's row commits or
rolls back with the commune's writes, and the commune's officers see it in their audit log.

``regroup(processes=2)`` returns what it did; ``manage.py regroup_issues`` runs it.
"""

from __future__ import annotations

import json
import multiprocessing
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.insight.grouping import Matcher
from danvan.insight.models import Issue, IssueStatus, issue_title
from danvan.insight.signatures import TextStats, signature
from danvan.insight.trained import active_trained
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import OPEN_STATUSES, Voice

__all__ = ["RegroupReport", "regroup"]

#: Voices read from the database per round trip.
CHUNK = 20_000


@dataclass
class RegroupReport:
    voices: int = 0
    issues: int = 0
    #: Of ``issues``: old issues that a regrouped issue took over (their number is kept).
    reused_issues: int = 0
    #: Voices whose issue changed (the others were already in the issue they are in now).
    moved_voices: int = 0
    kept_issues: int = 0
    deleted_issues: int = 0
    communes: int = 0
    #: Communes whose regrouping changed something (each wrote one audit row).
    audited_communes: int = 0
    seconds: float = 0.0
    processes: int = 1
    #: Seconds since the start at the end of each phase, and the seconds the workers spent
    #: grouping and writing (summed over communes).
    timings: dict[str, float] = field(default_factory=dict)


@dataclass
class _Group:
    """A regrouped issue: its voices and what the issue row says of them."""

    cluster: dict[str, Any]
    #: (voice id, the voice's issue when it was read)
    voices: list[tuple[int, int | None]]
    first: Any
    last: Any
    topics: Counter[int]
    open: bool
    title: str


@dataclass
class _Done:
    commune_id: int
    voices: int = 0
    issues: int = 0
    reused: int = 0
    moved: int = 0
    deleted: int = 0
    #: Whether the commune's transaction wrote anything (then it wrote an audit row too).
    audited: bool = False
    grouping: float = 0.0
    writing: float = 0.0


#: What every commune's job needs, set before the workers are forked (not sent with each job).
_JOB: dict[str, Any] = {}


def _commune_id(unit_id: int, parent_id: int | None, tier: str) -> int:
    return parent_id if tier == "village" and parent_id is not None else unit_id


#: The issues a regroup keeps as they are: an officer confirmed, merged or split them.
_KEPT = Q(is_confirmed=True, merged_into__isnull=True)


def _not_kept() -> Q:
    """Voices not in a kept issue."""
    return Q(issue__isnull=True) | ~Q(issue__in=Issue.objects.filter(_KEPT).values("pk"))


def _group(commune_id: int, threshold: float, stats: TextStats | None) -> list[_Group]:
    """The commune's voices (but those of kept issues) grouped in the order received."""
    units = AdministrativeUnit.objects.filter(Q(pk=commune_id) | Q(parent=commune_id))
    rows = (
        Voice.objects.filter(unit__in=units.values("pk"))
        .filter(_not_kept())
        .order_by("received_on", "id")
        .values_list("id", "text", "received_on", "topic_id", "status", "issue_id")
    )
    matcher = Matcher(threshold=threshold)
    members: dict[int, _Group] = {}
    for voice_id, text, received_on, topic_id, status, issue_id in rows.iterator(CHUNK):
        sig = signature(text, stats)
        cluster, _score, created = matcher.assign(sig, new_key=None)
        if created:
            members[cluster.seq] = _Group(
                cluster={},
                voices=[],
                first=received_on,
                last=received_on,
                topics=Counter(),
                open=False,
                title=text,
            )
        group = members[cluster.seq]
        group.voices.append((voice_id, issue_id))
        group.last = max(group.last, received_on)
        group.topics[topic_id] += 1
        group.open = group.open or status in OPEN_STATUSES
        for absorbed in matcher.absorb_around(cluster, sig.vector):
            other = members.pop(absorbed.seq)
            group.voices += other.voices
            group.first = min(group.first, other.first)
            group.last = max(group.last, other.last)
            group.topics.update(other.topics)
            group.open = group.open or other.open
    groups = []
    for cluster in matcher.clusters:
        group = members[cluster.seq]
        group.cluster = cluster.as_json()
        groups.append(group)
    return groups


def _issue_fields(group: _Group) -> dict[str, Any]:
    return {
        "topic_id": group.topics.most_common(1)[0][0],
        "title": issue_title(group.title),
        "representative_id": group.voices[0][0],
        "status": IssueStatus.OPEN if group.open else IssueStatus.ANSWERED,
        "voice_count": len(group.voices),
        "first_received_on": group.first,
        "last_received_on": group.last,
        "signature": group.cluster,
    }


def _write(
    commune_id: int, groups: list[_Group], done: _Done, *, actor: Actor, threshold: float
) -> None:
    """Put the commune's regrouped issues in place of its old ones (one transaction), with one
    audit row saying what changed when anything did."""
    with transaction.atomic():
        AdministrativeUnit.objects.select_for_update().filter(pk=commune_id).exists()
        old = set(Issue.objects.filter(unit=commune_id).exclude(_KEPT).values_list("pk", flat=True))
        takes = _takeovers(groups, old)
        taken = set(takes.values())
        changed = _changed(groups, takes)
        _rewrite(changed)
        fresh = [index for index in range(len(groups)) if index not in takes]
        created = Issue.objects.bulk_create(
            [Issue(unit_id=commune_id, **_issue_fields(groups[index])) for index in fresh],
            batch_size=2000,
        )
        issue_of = {
            **takes,
            **{index: issue.pk for index, issue in zip(fresh, created, strict=True)},
        }
        moves = [
            (voice_id, issue_of[index], was)
            for index, group in enumerate(groups)
            for voice_id, was in group.voices
            if was != issue_of[index]
        ]
        moved = _move(moves)
        # Voices someone else moved meanwhile (an officer, live matching) stay where they were
        # put: count what each issue holds now (one aggregate; nothing to write as a rule).
        recounted = _recount(
            {issue_of[index]: len(group.voices) for index, group in enumerate(groups)}
        )
        deleted = _delete_emptied(old - taken)
        if changed or created or moved or recounted or deleted:
            audit_record(
                actor=actor,
                action="issue.regroup",
                unit=AdministrativeUnit(pk=commune_id),
                changes={
                    "voices": sum(len(g.voices) for g in groups),
                    "issues": len(groups),
                    "reused": len(takes),
                    "rewritten": len(changed),
                    "created": len(created),
                    "moved_voices": moved,
                    "recounted": recounted,
                    "deleted": deleted,
                    "threshold": threshold,
                },
            )
            done.audited = True
    done.voices += sum(len(g.voices) for g in groups)
    done.issues += len(groups)
    done.reused += len(takes)
    done.moved += moved
    done.deleted += deleted


def _takeovers(groups: list[_Group], old: set[int]) -> dict[int, int]:
    """Which old issue each group takes over (by the group's index): the one most of its voices
    were in, the largest overlaps first, each old issue once."""
    claims: list[tuple[int, int, int]] = []
    for index, group in enumerate(groups):
        counts = Counter(was for _, was in group.voices if was is not None and was in old)
        claims += [(n, index, was) for was, n in counts.items()]
    takes: dict[int, int] = {}
    taken: set[int] = set()
    for _n, index, was in sorted(claims, key=lambda c: (-c[0], c[1], c[2])):
        if index not in takes and was not in taken:
            takes[index] = was
            taken.add(was)
    return takes


def _changed(groups: list[_Group], takes: dict[int, int]) -> list[tuple[Issue, dict[str, Any]]]:
    """The old issues taken over (locked) whose fields their group changes, with the new fields."""
    reused = Issue.objects.select_for_update().in_bulk(list(takes.values()))
    changed = []
    for index, pk in takes.items():
        issue, fields = reused[pk], _issue_fields(groups[index])
        if issue.merged_into_id is not None or any(
            getattr(issue, name) != value for name, value in fields.items()
        ):
            changed.append((issue, fields))
    return changed


def _delete_emptied(left: set[int]) -> int:
    """Delete the issues among ``left`` (old issues no group took over) that hold no voice now;
    returns how many."""
    gone = list(Issue.objects.filter(pk__in=left, voices__isnull=True).values_list("pk", flat=True))
    if gone:
        Issue.objects.filter(pk__in=gone).delete()
    return len(gone)


def _rewrite(changed: list[tuple[Issue, dict[str, Any]]]) -> None:
    """Write what changed in the issues that regrouped issues took over (new version)."""
    if not changed:
        return
    now = timezone.now()
    if connection.vendor == "postgresql":
        # One statement for the commune (``bulk_update`` builds a CASE per field and row).
        rows = [
            {
                **fields,
                "id": issue.pk,
                "first_received_on": str(fields["first_received_on"]),
                "last_received_on": str(fields["last_received_on"]),
            }
            for issue, fields in changed
        ]
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE insight_issue i SET topic_id = d.topic_id, title = d.title, "
                "representative_id = d.representative_id, status = d.status, "
                "voice_count = d.voice_count, first_received_on = d.first_received_on, "
                "last_received_on = d.last_received_on, signature = d.signature, "
                "merged_into_id = NULL, version = i.version + 1, updated_at = %s "
                "FROM jsonb_to_recordset(%s::jsonb) AS d(id bigint, topic_id bigint, "
                "title text, representative_id bigint, status text, voice_count integer, "
                "first_received_on date, last_received_on date, signature jsonb) "
                "WHERE i.id = d.id",
                [now, json.dumps(rows, ensure_ascii=False)],
            )
        return
    for issue, fields in changed:
        for name, value in fields.items():
            setattr(issue, name, value)
        issue.merged_into = None
        issue.version += 1
        issue.updated_at = now
    Issue.objects.bulk_update(
        [issue for issue, _ in changed], [*changed[0][1], "merged_into", "version", "updated_at"]
    )


def _move(moves: list[tuple[int, int, int | None]]) -> int:
    """Set each voice's issue, unless it is no longer the issue it was read with."""
    if not moves:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "UPDATE voices_voice v SET issue_id = m.issue_id, issue_score = NULL "
                "FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS m(id, issue_id, was) "
                "WHERE v.id = m.id AND v.issue_id IS NOT DISTINCT FROM m.was",
                [[m[0] for m in moves], [m[1] for m in moves], [m[2] for m in moves]],
            )
            return int(cursor.rowcount)
        cursor.executemany(
            "UPDATE voices_voice SET issue_id = %s, issue_score = NULL "
            "WHERE id = %s AND issue_id IS %s",
            [(issue_id, voice_id, was) for voice_id, issue_id, was in moves],
        )
        return int(cursor.rowcount)


def _recount(expected: dict[int, int]) -> int:
    """Set the count of the issues whose voices someone else moved meanwhile; how many."""
    counts = dict(
        Voice.objects.filter(issue__in=list(expected))
        .values("issue")
        .annotate(n=Count("id"))
        .values_list("issue", "n")
        .order_by()
    )
    recounted = 0
    for pk, n in expected.items():
        if counts.get(pk, 0) != n:
            Issue.objects.filter(pk=pk).update(
                voice_count=counts.get(pk, 0), version=F("version") + 1
            )
            recounted += 1
    return recounted


def _regroup_commune(commune_id: int) -> _Done:
    done = _Done(commune_id=commune_id)
    started = time.perf_counter()
    groups = _group(commune_id, _JOB["threshold"], _JOB["stats"])
    done.grouping = time.perf_counter() - started
    _write(commune_id, groups, done, actor=_JOB["actor"], threshold=_JOB["threshold"])
    done.writing = time.perf_counter() - started - done.grouping
    return done


def _in_worker(commune_id: int) -> _Done:
    try:
        return _regroup_commune(commune_id)
    finally:
        connections.close_all()


def regroup(
    *, processes: int = 2, threshold: float | None = None, actor: Actor | None = None
) -> RegroupReport:
    """Regroup every commune; ``actor`` (the command by default) signs each commune's audit
    row."""
    started = time.perf_counter()
    report = RegroupReport(processes=processes)
    trained = active_trained()
    report.kept_issues = Issue.objects.filter(_KEPT).count()
    sizes: Counter[int] = Counter()
    for unit_id, parent_id, tier, n in (
        Voice.objects.filter(_not_kept())
        .values_list("unit_id", "unit__parent_id", "unit__tier")
        .annotate(n=Count("id"))
        .order_by()
    ):
        sizes[_commune_id(unit_id, parent_id, tier)] += n
    # Communes whose old issues have no voice left to regroup: their issues go too.
    for unit_id in (
        Issue.objects.exclude(_KEPT).values_list("unit_id", flat=True).distinct().order_by()
    ):
        sizes.setdefault(unit_id, 0)
    communes = sorted(sizes, key=lambda c: (-sizes[c], c))
    _JOB.update(
        threshold=trained.threshold if threshold is None else threshold,
        stats=trained.stats,
        actor=actor or Actor.system("regroup_issues"),
    )
    report.timings["plan"] = time.perf_counter() - started
    report.communes = len(communes)
    if (
        processes > 1
        and len(communes) > 1
        and connection.vendor == "postgresql"
        and not connection.in_atomic_block
    ):
        connections.close_all()  # a forked worker must open a connection of its own
        with multiprocessing.get_context("fork").Pool(min(processes, len(communes))) as pool:
            results = list(pool.imap_unordered(_in_worker, communes, chunksize=1))
    else:
        # SQLite forks badly with an open file, and workers cannot see a caller's open
        # transaction: one process.
        results = [_regroup_commune(commune_id) for commune_id in communes]
    _JOB.clear()
    for done in results:
        report.voices += done.voices
        report.issues += done.issues
        report.reused_issues += done.reused
        report.moved_voices += done.moved
        report.deleted_issues += done.deleted
        report.audited_communes += done.audited
    report.timings["grouping (workers)"] = sum(d.grouping for d in results)
    report.timings["writing (workers)"] = sum(d.writing for d in results)
    report.seconds = report.timings["done"] = time.perf_counter() - started
    return report
