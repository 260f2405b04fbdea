"""Each commune's ``Matcher`` kept in memory between matches, checked against the database.

``services_matching.voice_match`` used to read every open issue of the voice's commune, decode their
signatures and index them on every call: its cost grew with the commune's open issues (913 in the
busiest commune at 1,000,000 voices: p95 541 ms). Now a process keeps, per commune, the matcher
(clusters, inverted index), each issue's version, last change and voice count, and a **stamp**
that says which state of the database they are:

    (number of open unmerged issues, sum of their ids, largest id, sum of their versions,
     latest updated_at)

read with one aggregate over the commune's open, unmerged issues *inside* the commune lock. The
cached matcher is used only when the stamp it was built for equals the stamp read; otherwise the
commune is read again. The stamp cannot come back to an earlier value with other contents,
because

* ids only grow (sequences; SQLite's ``AUTOINCREMENT``): an issue that joins the set has an id
  larger than all before it, so a set of the same size has a larger sum of ids;
* every write that changes an issue's signature, voice count or confirmation bumps ``version``
  and saves ``updated_at`` (``voice_match``, ``_rebuild`` behind merge/split/move,
  ``issue_confirm``, ``issue_answer``), and versions only grow; the other writers change the set
  (closing as merged or answered, ``regroup`` deleting and creating issues).

A matcher is taken out of the cache while a call uses it (two threads never share one) and goes
back, updated to the state the call wrote, only from ``transaction.on_commit``: a rolled-back
transaction leaves nothing behind (the entry is simply gone, and the next call reads the
commune again). The cache is bounded (``MAX_COMMUNES`` communes, ``MAX_CLUSTERS`` issues in all;
least recently used first out) and per process.
"""

from __future__ import annotations

import datetime
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Sum

from danvan.insight.grouping import Cluster, Matcher
from danvan.insight.models import Issue, IssueStatus

__all__ = [
    "Entry",
    "Stamp",
    "cached_communes",
    "clear",
    "load",
    "put",
    "put_on_commit",
    "stamp_of",
    "take",
]

#: Communes kept per process, and issues in all (a large commune's issues are ~10 kB each).
MAX_COMMUNES = int(getattr(settings, "INSIGHT_MATCH_CACHE_COMMUNES", 256))
MAX_CLUSTERS = int(getattr(settings, "INSIGHT_MATCH_CACHE_ISSUES", 150_000))

#: (count, sum of ids, largest id, sum of versions, latest updated_at) of the open, unmerged
#: issues of a commune.
Stamp = tuple[int, int, int, int, datetime.datetime | None]


@dataclass
class Entry:
    """A commune's matcher and what it was built from."""

    commune_id: int
    matcher: Matcher
    #: issue id → (version, updated_at, voice_count), as in the database.
    rows: dict[int, tuple[int, datetime.datetime | None, int]] = field(default_factory=dict)

    @property
    def stamp(self) -> Stamp:
        if not self.rows:
            return (0, 0, 0, 0, None)
        stamps = [row[1] for row in self.rows.values() if row[1] is not None]
        return (
            len(self.rows),
            sum(self.rows),
            max(self.rows),
            sum(row[0] for row in self.rows.values()),
            max(stamps) if stamps else None,
        )


_lock = threading.Lock()
_entries: OrderedDict[int, tuple[Stamp, Entry]] = OrderedDict()


def _open_issues(commune_id: int) -> Any:
    return Issue.objects.filter(
        unit_id=commune_id, status=IssueStatus.OPEN, merged_into__isnull=True
    ).order_by()


def stamp_of(commune_id: int) -> Stamp:
    """The stamp of the commune's open issues as the database has them now (one aggregate)."""
    row = _open_issues(commune_id).aggregate(
        n=Count("id"), ids=Sum("id"), top=Max("id"), versions=Sum("version"), at=Max("updated_at")
    )
    return (
        int(row["n"] or 0),
        int(row["ids"] or 0),
        int(row["top"] or 0),
        int(row["versions"] or 0),
        row["at"],
    )


def jsonb_order(data: dict[str, Any]) -> dict[str, Any]:
    """A signature's centroid in the key order PostgreSQL's ``jsonb`` gives it back (shorter keys
    first, then by bytes), so a cluster kept in memory adds its floats in the same order as one
    read from the database (the sums are then equal to the last bit)."""
    total = data.get("t")
    if connection.vendor != "postgresql" or not total:
        return data
    ordered = sorted(total, key=lambda k: (len(k.encode()), k.encode()))
    return {**data, "t": {k: total[k] for k in ordered}}


def cluster_of(issue_id: int, data: dict[str, Any], confirmed: bool) -> Cluster:
    cluster = Cluster.from_json(issue_id, data)
    cluster.mergeable = not confirmed
    return cluster


def load(commune_id: int, threshold: float) -> Entry:
    """Read the commune's open issues and build its matcher (what every call did before)."""
    rows = _open_issues(commune_id).values_list(
        "id", "signature", "is_confirmed", "voice_count", "version", "updated_at"
    )
    clusters = []
    kept: dict[int, tuple[int, datetime.datetime | None, int]] = {}
    for issue_id, data, confirmed, count, version, updated_at in rows:
        clusters.append(cluster_of(issue_id, data, confirmed))
        kept[issue_id] = (version, updated_at, count)
    matcher = Matcher(threshold=threshold, clusters=clusters)
    matcher._index()  # now, not in the first match that uses it
    return Entry(commune_id=commune_id, matcher=matcher, rows=kept)


def take(commune_id: int, stamp: Stamp) -> Entry | None:
    """The commune's cached matcher if it was built for ``stamp``, taken out of the cache (the
    caller has it alone and puts it back on commit); None if there is none or it is stale."""
    with _lock:
        found = _entries.pop(commune_id, None)
    if found is None or found[0] != stamp:
        return None
    return found[1]


def put(entry: Entry) -> None:
    """Keep ``entry`` (its stamp computed from its rows), dropping the least recently used."""
    stamp = entry.stamp
    with _lock:
        _entries.pop(entry.commune_id, None)
        _entries[entry.commune_id] = (stamp, entry)
        total = sum(len(e.matcher.clusters) for _, e in _entries.values())
        while _entries and (len(_entries) > MAX_COMMUNES or total > MAX_CLUSTERS):
            _, (_, oldest) = _entries.popitem(last=False)
            total -= len(oldest.matcher.clusters)


class _Pending:
    """An entry waiting for its transaction's commit (held by the on-commit callback only)."""

    __slots__ = ("__weakref__", "entry")

    def __init__(self, entry: Entry) -> None:
        self.entry: Entry | None = entry


_waiting = threading.local()


def put_on_commit(entry: Entry) -> None:
    """``put(entry)`` once the current transaction commits; nothing if it is rolled back.

    Several matches of one commune in one transaction (a caller's bulk loop) each read the
    commune again, since none is put back before the commit; only the last one's entry is kept
    waiting (the earlier ones are stale by then anyway), so memory does not grow with them.
    """
    waiting: dict[int, weakref.ref[_Pending]] = _waiting.__dict__.setdefault("by_commune", {})
    earlier = waiting.get(entry.commune_id)
    if earlier is not None and (pending := earlier()) is not None:
        pending.entry = None
    box = _Pending(entry)
    waiting[entry.commune_id] = weakref.ref(box)

    def committed() -> None:
        if box.entry is not None:
            put(box.entry)

    transaction.on_commit(committed)


def clear() -> None:
    with _lock:
        _entries.clear()


def cached_communes() -> list[int]:
    with _lock:
        return list(_entries)
