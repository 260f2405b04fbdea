"""Speed of same-issue grouping at volume (issue 4): generation, offline grouping, regrouping, live matching.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_group
    .venv/bin/python bench/insight_speed.py generate --count 1000000 --jsonl /tmp/voices-1m.jsonl
    .venv/bin/python bench/insight_speed.py offline --jsonl /tmp/voices-1m.jsonl --processes 2
    .venv/bin/python bench/insight_speed.py regroup --processes 2
    .venv/bin/python bench/insight_speed.py match --samples 500

``generate`` writes N open voices (received, accepted or assigned) with realistic texts into the
database with COPY, bypassing the services on purpose (as ``gen_voices.py``): the texts are the
evaluation set's (``insight_eval/build.py`` and its hand-written bank ``matters.py``), rendered
for every commune of Nghệ An in the database, a fifth of the communes five times busier than
the rest, issue sizes drawn as in the evaluation set, the hard negatives made the same way (another
problem of the same family at the same place, the same matter at another place of the commune),
and dates over the last year, each issue's voices within weeks of each other. ``--jsonl FILE``
also writes id/text/unit per voice (in arrival order) for ``offline``; ``--no-db`` writes only
the file.

``offline`` times ``danvan.insight.grouping.group_records`` over that file, commune by commune
across N processes (largest commune first), after counting document frequencies over the whole
file (in parallel too); it prints both phases, voices/s and the peak RSS of the parent and of the
largest worker. ``--profile N`` runs cProfile over the first N voices of the busiest communes
in one process instead and prints the top functions.

``regroup`` times ``manage.py regroup_issues --processes N [--threshold T]`` (groups every voice
from scratch, commune by commune; each new issue takes over the old issue most of its voices were
in and only what changed is written) and counts what it did. Run on voices never grouped, it
writes every voice; run again, it writes what the change of model (``--threshold``) moved.

``match`` times ``danvan.insight.services_matching.voice_match`` alone (``time.perf_counter`` around the
call) for new voices with realistic texts in communes drawn with the data's weights, each written
by ``voice_submit`` first, in two passes over the same voices, each inside one transaction
rolled back at the end (each sample kept until then: later ones see it, as live): "no cache"
empties ``matchcache`` before each call (every call reads its commune's issues, as every call did
before the cache); "cached" reads every sampled commune once (not timed: a long-running worker's
steady state), then runs each call's on-commit steps after it as if it had committed (so the
cache follows the database). Both must give the same issues (an md5 of the sizes is printed).
It prints p50/p95/p99/max, this process's CPU, the number of open voices and open issues at the time and
how many calls had to read their commune.

None of this runs in the test command.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime
import functools
import hashlib
import inspect
import io
import json
import multiprocessing
import os
import pstats
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench" / "insight_eval"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

import django

django.setup()

import build  # bench/insight_eval/build.py: the evaluation set's rendering
from django.db import connection, transaction
from django.utils import timezone
from matters import MATTERS, VOTER, Matter

from danvan.insight.grouping import DEFAULT_THRESHOLD, commune_code, group_records
from danvan.insight.signatures import TextStats, features_of
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.models import Topic, Voice, VoiceStatus
from danvan.voices.tracking import new_tracking_code

OPEN = [VoiceStatus.RECEIVED, VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED]
NAMED = {"complaint_first", "complaint_second", "denunciation"}
CHANNELS = ["web", "officer", "hotline", "letter", "social_media", "voter_contact", "reception"]
#: A fifth of the communes get this many times the voices of the others.
BUSY_SHARE = 0.2
BUSY_FACTOR = 5


@functools.lru_cache(maxsize=4096)
def _marked(char: str) -> bool:
    return build.strip_diacritics(char) != char


def has_diacritics(text: str) -> bool:
    """``build.has_diacritics`` without decomposing the whole text each time (it was 70 % of the
    rendering time): the same answer, char by char, each char's answer cached."""
    return any(_marked(c) for c in set(text) if ord(c) > 127)


build.has_diacritics = has_diacritics


def code_state() -> str:
    """Which matching code a run measured: the commit, and whether the matcher's files differ
    from it (the lead optimises them while these benchmarks run)."""
    files = [
        "danvan/insight/grouping.py",
        "danvan/insight/signatures.py",
        "danvan/insight/services_matching.py",
        "danvan/insight/matchcache.py",
    ]
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    digest = hashlib.md5(b"".join((ROOT / f).read_bytes() for f in files)).hexdigest()[:8]  # noqa: S324
    dirty = subprocess.run(  # noqa: S603
        ["git", "diff", "--quiet", "HEAD", "--", *files],  # noqa: S607
        cwd=ROOT,
        check=False,
    ).returncode
    return f"code: HEAD {head}{' + uncommitted changes to the matcher' if dirty else ''} (matcher files md5 {digest})"


def rss_now_mb() -> float:
    """The resident set size now (not the peak)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux: kilobytes


# ------------------------------------------------------------------------------ the world


@dataclass
class Commune:
    pk: int
    code: str
    name: str
    villages: list[tuple[int, str]]
    style: str
    weight: float


def communes(rng: random.Random) -> list[Commune]:
    """Every current commune and ward of Nghệ An in the database, with its villages; the busy
    ones drawn with ``rng`` (the same seed gives the same weights to ``generate`` and ``match``)."""
    units = list(
        AdministrativeUnit.objects.current()
        .filter(path__startswith="/40/", tier__in=[UnitTier.COMMUNE, UnitTier.VILLAGE])
        .values_list("pk", "code", "name", "tier", "parent_id")
        .order_by("code")
    )
    villages: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, code, _, tier, parent in units:
        if tier == UnitTier.VILLAGE and parent is not None:
            villages[parent].append((pk, code))
    result = []
    for pk, code, name, tier, _ in units:
        if tier != UnitTier.COMMUNE:
            continue
        if " " not in name:  # slot_values takes the name after "Xã"/"Phường"
            name = f"Xã {name}"
        busy = rng.random() < BUSY_SHARE
        result.append(
            Commune(
                pk=pk,
                code=code,
                name=name,
                villages=villages.get(pk, []),
                style=build.commune_style(name, rng),
                weight=BUSY_FACTOR if busy else 1.0,
            )
        )
    if len(result) < 50:
        sys.exit("Load the units first: manage.py migrate && manage.py seed_demo --voices 0")
    return result


def topic_ids() -> dict[str, int]:
    by_code = dict(Topic.objects.filter(province=None).values_list("code", "pk"))
    if not by_code:
        sys.exit("No topics: run manage.py seed_demo --voices 0 first")
    fallback = by_code.get("other") or next(iter(by_code.values()))
    return {m.topic: by_code.get(m.topic, fallback) for m in MATTERS}


class World:
    """Draws issues (matter + place) and renders their voices with the evaluation set's code."""

    def __init__(self, rng: random.Random, places: list[Commune]) -> None:
        self.rng = rng
        self.communes = places
        self.weights = [c.weight for c in places]
        self.groups: list[build.Group] = []
        self.by_family: dict[str, list[Matter]] = defaultdict(list)
        for m in MATTERS:
            self.by_family[m.family].append(m)
        self.by_code = {c.code: c for c in places}

    def _group(self, matter: Matter, commune: Commune, slots: dict[str, list[str]]) -> Any:
        g = build.Group(
            f"g{len(self.groups) + 1}",
            matter,
            commune.code,
            commune.name,
            commune.style,
            slots,
            build.numbers(self.rng),
        )
        self.groups.append(g)
        return g

    def _recent(self) -> Any:
        """One of the last 5,000 issues drawn (a place still talked about)."""
        return self.groups[self.rng.randrange(max(0, len(self.groups) - 5000), len(self.groups))]

    def new_group(self) -> Any:
        """As ``build.build_groups``: mostly fresh matters at a place, a quarter another problem
        of the same family at the very same place, some the same matter at another place."""
        rng = self.rng
        r = rng.random()
        if self.groups and r < 0.25:
            base = self._recent()
            others = [m for m in self.by_family[base.matter.family] if m.code != base.matter.code]
            if others:
                return self._group(rng.choice(others), self.by_code[base.unit], dict(base.slots))
        if self.groups and r < 0.40:
            base = self._recent()
            c = self.by_code[base.unit]
            return self._group(base.matter, c, build.slot_values(rng, c.style, c.name))
        c = rng.choices(self.communes, self.weights)[0]
        return self._group(rng.choice(MATTERS), c, build.slot_values(rng, c.style, c.name))

    def voices(self, g: Any) -> list[tuple[str, str]]:
        """(kind, text) of each voice of a group, as ``build.main`` renders the test set."""
        rng = self.rng
        size = build.group_size(rng)
        phrasings = g.matter.phrasings[:-1]
        out = []
        for _ in range(size):
            kind = rng.choice(g.matter.kinds)
            if size >= 10 and VOTER in g.matter.kinds and rng.random() < 0.5:
                kind = VOTER
            phrasing = build.pick_phrasing(phrasings, rng)
            more = None
            if rng.random() < 0.08:
                longer = [p for p in phrasings if p != phrasing and len(p) > 90]
                more = rng.choice(longer) if longer else None
            text, _ = build.render(g, phrasing, kind, rng, more)
            out.append((kind, text))
        return out

    def unit_of(self, commune: Commune) -> tuple[int, str]:
        """The commune itself or (a third of the time) one of its villages."""
        if commune.villages and self.rng.random() < 1 / 3:
            return self.rng.choice(commune.villages)
        return commune.pk, commune.code


# ------------------------------------------------------------------------------ generate


def _render_part(
    job: tuple[int, int, list[Commune], dict[str, int], datetime.date],
) -> list[tuple[Any, ...]]:
    count, seed, places, topics, today = job
    rng = random.Random(seed)
    world = World(rng, places)
    rows: list[tuple[Any, ...]] = []
    while len(rows) < count:
        g = world.new_group()
        commune = world.by_code[g.unit]
        first = today - datetime.timedelta(days=rng.randint(0, 365))
        for kind, text in world.voices(g):
            received = min(today, first + datetime.timedelta(days=int(rng.expovariate(1 / 10))))
            unit_pk, unit_code = world.unit_of(commune)
            rows.append((received, kind, unit_pk, unit_code, topics[g.matter.topic], text))
            if len(rows) >= count:
                break
    return rows


def make_rows(
    count: int, seed: int, processes: int = 1
) -> tuple[list[tuple[Any, ...]], list[Commune], float]:
    """``count`` voices in arrival order: (received_on, kind, unit_pk, unit_code, topic_pk, text),
    rendered by ``processes`` processes (each its own random stream and its own issues; the
    communes' weights are the same for all)."""
    places = communes(random.Random(seed))
    topics = topic_ids()
    today = timezone.localdate()
    started = time.perf_counter()
    shares = [count // processes + (k < count % processes) for k in range(processes)]
    jobs = [(n, seed * 1000 + k, places, topics, today) for k, n in enumerate(shares)]
    if processes == 1:
        parts = [_render_part(jobs[0])]
    else:
        with multiprocessing.get_context("fork").Pool(processes) as pool:
            parts = pool.map(_render_part, jobs)
    rows = [row for part in parts for row in part]
    rows.sort(key=lambda r: r[0])  # the order they arrive in (stable: ties keep their order)
    return rows, places, time.perf_counter() - started


COLUMNS = [
    "id", "tracking_code", "kind", "channel", "unit_id", "topic_id", "text", "received_on",
    "status", "due_on", "received_at", "updated_at", "is_anonymous", "submitter_name",
    "submitter_contact", "submitter_address", "is_remote", "complexity", "is_joint",
    "refusal_reason", "answer_text", "version", "satisfaction_comment",
]  # fmt: skip


def copy_rows(rows: list[tuple[Any, ...]], rng: random.Random) -> tuple[int, float]:
    """COPY the rows into ``voices_voice`` with ids taken from its sequence; the first id."""
    if connection.vendor != "postgresql":
        sys.exit("generate writes with COPY: PostgreSQL only (or --no-db)")
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence('voices_voice', 'id')")
        (sequence,) = cursor.fetchone()
        # Take a block of ids from the sequence, so the JSONL can carry them.
        cursor.execute(
            "SELECT setval(%s, nextval(%s) + %s) - %s",
            [sequence, sequence, len(rows), len(rows) - 1],
        )
        (first_id,) = cursor.fetchone()
    started = time.perf_counter()
    copy_sql = f"COPY voices_voice ({', '.join(COLUMNS)}) FROM STDIN"
    with transaction.atomic(), connection.cursor() as cursor, cursor.cursor.copy(copy_sql) as sink:
        for n, (received, kind, unit_pk, _, topic_pk, text) in enumerate(rows):
            status = rng.choice(OPEN)
            sink.write_row(
                [
                    first_id + n, new_tracking_code(), kind, rng.choice(CHANNELS), unit_pk,
                    topic_pk, text, received, status,
                    received + datetime.timedelta(days=rng.choice([10, 30, 40])),
                    now, now, True, "", "", "", False, "normal", False, "", "", 1, "",
                ]
            )  # fmt: skip
    return first_id, time.perf_counter() - started


def cmd_generate(args: argparse.Namespace) -> None:
    rows, places, made = make_rows(args.count, args.seed, args.processes)
    print(
        f"rendered {len(rows):,} voices in {made:.1f} s ({len(rows) / made:,.0f}/s) "
        f"for {len(places)} communes ({sum(c.weight > 1 for c in places)} of them "
        f"{BUSY_FACTOR}x busier)"
    )
    per_commune = Counter(commune_code(r[3]) for r in rows)
    sizes = sorted(per_commune.values())
    print(
        f"voices per commune: min {sizes[0]:,}, median {sizes[len(sizes) // 2]:,}, "
        f"max {sizes[-1]:,}; dates {rows[0][0]} to {rows[-1][0]}"
    )
    first_id = 1
    if not args.no_db:
        first_id, seconds = copy_rows(rows, random.Random(args.seed + 1))
        print(f"COPY of {len(rows):,} voices: {seconds:.1f} s, {len(rows) / seconds:,.0f} voices/s")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE voices_voice")
        print(f"voices in the database: {Voice.objects.count():,}")
    if args.jsonl:
        with open(args.jsonl, "w", encoding="utf-8") as fh:
            for n, row in enumerate(rows):
                record = {"id": first_id + n, "text": row[5], "unit": row[3]}
                fh.write(json.dumps(record, ensure_ascii=False) + "\n")
        print(f"wrote {args.jsonl} ({os.path.getsize(args.jsonl) / 1e6:,.0f} MB)")
    print(f"peak RSS {rss_mb():,.0f} MB")


# ------------------------------------------------------------------------------ offline


def _count_features(texts: list[str]) -> tuple[TextStats, float]:
    cpu = time.process_time()
    stats = TextStats()
    for text in texts:
        stats.add(features_of(text))
    return stats, time.process_time() - cpu


_STATS: TextStats | None = None


def _init_worker(stats: TextStats | None) -> None:
    global _STATS
    _STATS = stats


def _group_block(records: list[dict[str, Any]]) -> tuple[int, int, float, float, float]:
    started, cpu = time.perf_counter(), time.process_time()
    labels = group_records(records, threshold=DEFAULT_THRESHOLD, stats=_STATS)
    seconds = time.perf_counter() - started
    return len(records), len(set(labels)), seconds, time.process_time() - cpu, rss_mb()


def read_jsonl(path: str, limit: int | None) -> list[dict[str, Any]]:
    records = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            records.append(json.loads(line))
            if limit and len(records) >= limit:
                break
    return records


def cmd_offline(args: argparse.Namespace) -> None:
    print(code_state())
    t0 = time.perf_counter()
    records = read_jsonl(args.jsonl, args.limit)
    blocks: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        blocks[commune_code(str(record["unit"]))].append(record)
    read = time.perf_counter() - t0
    n = len(records)
    print(
        f"{n:,} voices in {len(blocks)} communes read in {read:.1f} s; {args.processes} processes"
    )
    if args.profile:
        profile(blocks, args.profile)
        return
    ordered = sorted(blocks.values(), key=len, reverse=True)
    if args.largest:
        # The critical path: one commune is grouped by one process, whatever N is.
        ordered = ordered[: args.largest]
        records = [r for block in ordered for r in block]
        n = len(records)
        print(f"only the {args.largest} largest communes: {n:,} voices")
    ctx = multiprocessing.get_context("fork")
    started = time.perf_counter()
    stats: TextStats | None = None
    count_cpu = group_cpu = slowest_cpu = 0.0
    if not args.local_stats:
        chunks = [[r["text"] for r in records[i :: args.processes]] for i in range(args.processes)]
        with ctx.Pool(args.processes) as pool:
            stats = TextStats()
            for part, cpu in pool.map(_count_features, chunks):
                count_cpu += cpu
                stats.documents += part.documents
                stats.df.update(part.df)
        del chunks
    counted = time.perf_counter() - started
    issues = 0
    slowest = (0, 0.0)
    worker_rss = 0.0
    with ctx.Pool(args.processes, initializer=_init_worker, initargs=(stats,)) as pool:
        for size, groups, seconds, cpu, rss in pool.imap_unordered(
            _group_block, ordered, chunksize=1
        ):
            issues += groups
            group_cpu += cpu
            if seconds > slowest[1]:
                slowest, slowest_cpu = (size, seconds), cpu
            worker_rss = max(worker_rss, rss)
    total = time.perf_counter() - started
    grouping = total - counted
    print(
        f"document frequencies: {counted:.1f} s"
        + (" (skipped: each commune counts its own)" if args.local_stats else "")
    )
    print(f"grouping: {grouping:.1f} s; issues formed: {issues:,}")
    print(f"slowest commune: {slowest[0]:,} voices in {slowest[1]:.1f} s ({slowest_cpu:.1f} s CPU)")
    print(
        f"TOTAL {total:.1f} s = {total / 60:.1f} min for {n:,} voices: {n / total:,.0f} voices/s "
        f"({args.processes} processes); peak RSS parent {rss_mb():,.0f} MB, "
        f"largest worker {worker_rss:,.0f} MB"
    )
    print(
        f"CPU time in the workers (process_time): counting {count_cpu:.1f} s, grouping "
        f"{group_cpu:.1f} s; load average at the end: {os.getloadavg()}"
    )


def cpu_children() -> float:
    """User + system CPU seconds of the finished child processes (the pool's workers): what
    the work costs whatever else the machine runs; on N free cores, wall time ≈ this / N."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def profile(blocks: dict[str, list[dict[str, Any]]], count: int) -> None:
    """cProfile of ``group_records`` over ``count`` voices taken from the busiest communes
    (whole communes, so the matching sees the issue counts it would at this volume)."""
    sample: list[dict[str, Any]] = []
    for block in sorted(blocks.values(), key=len, reverse=True):
        if len(sample) >= count:
            break
        sample.extend(block)
    print(f"profiling group_records over {len(sample):,} voices of the busiest communes")
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    labels = group_records(sample)
    profiler.disable()
    print(f"{time.perf_counter() - started:.1f} s (under cProfile), {len(set(labels)):,} issues")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    print(out.getvalue())


# ------------------------------------------------------------------------------ regroup


def counts() -> tuple[int, int]:
    from danvan.insight.models import Issue, IssueStatus

    voices = Voice.objects.filter(status__in=OPEN).count()
    issues = Issue.objects.filter(status=IssueStatus.OPEN, merged_into__isnull=True).count()
    return voices, issues


def cmd_regroup(args: argparse.Namespace) -> None:
    print(code_state())
    command = [sys.executable, str(ROOT / "manage.py"), "regroup_issues"]
    command += ["--processes", str(args.processes)]
    if args.threshold is not None:
        command += ["--threshold", str(args.threshold)]
    voices, _ = counts()
    print(f"open voices: {voices:,}; running {' '.join(command[1:])}")
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, check=False)  # noqa: S603 (our own manage.py)
    seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        sys.exit(f"regroup_issues failed ({done.returncode}) after {seconds:.1f} s")
    voices, issues = counts()
    grouped = Voice.objects.filter(issue__isnull=False).count()
    print(
        f"regroup: {seconds:.1f} s = {seconds / 60:.1f} min; {grouped:,} voices in {issues:,} open "
        f"issues; {voices / seconds:,.0f} voices/s; CPU of the command and its workers "
        f"{children.ru_utime + children.ru_stime:.0f} s; largest process {children.ru_maxrss / 1024:,.0f} MB"
    )
    print(f"load average at the end: {os.getloadavg()}")


def _cluster_block(
    block: list[tuple[int, str]],
) -> tuple[list[tuple[dict[str, Any], list[int]]], float, float]:
    """``group_records``'s loop over one commune's voices (id, text), keeping the clusters:
    each final issue's signature and voice ids; with the wall and CPU seconds it took."""
    started, cpu = time.perf_counter(), time.process_time()
    from danvan.insight.grouping import Matcher
    from danvan.insight.signatures import signature

    matcher = Matcher(threshold=_THRESHOLD)
    members: dict[int, list[int]] = {}
    # As group_records calls it (the lead's version passes the voice's features).
    incremental = "changed" in inspect.signature(Matcher.absorb_around).parameters
    for voice_id, text in block:
        sig = signature(text, _STATS)
        cluster, _, created = matcher.assign(sig, new_key=voice_id)
        if created:
            members[voice_id] = []
        members[cluster.key].append(voice_id)
        around = (
            matcher.absorb_around(cluster, sig.vector)
            if incremental
            else matcher.absorb_around(cluster)
        )
        for absorbed in around:
            members[cluster.key] += members.pop(absorbed.key)
    clusters = [(c.as_json(), members[c.key]) for c in matcher.clusters]
    return clusters, time.perf_counter() - started, time.process_time() - cpu


_THRESHOLD = DEFAULT_THRESHOLD


def cmd_seed_issues(args: argparse.Namespace) -> None:
    """A stand-in for ``regroup_issues`` until it exists: groups every open voice commune by
    commune with the live path's model (``active_trained``) and writes the issues in bulk."""
    global _STATS, _THRESHOLD
    from danvan.insight.models import Issue
    from danvan.insight.trained import active_trained

    print(code_state())
    trained = active_trained()
    _STATS, _THRESHOLD = trained.stats, trained.threshold
    started = time.perf_counter()
    rows = (
        Voice.objects.filter(status__in=OPEN)
        .order_by("received_on", "id")
        .values_list(
            "id", "text", "unit_id", "unit__parent_id", "unit__tier", "received_on", "topic_id"
        )
    )
    blocks: dict[int, list[tuple[int, str]]] = defaultdict(list)
    info: dict[int, tuple[Any, int]] = {}
    for voice_id, text, unit, parent, tier, received, topic in rows.iterator(chunk_size=20_000):
        commune = parent if tier == UnitTier.VILLAGE and parent else unit
        blocks[commune].append((voice_id, text))
        info[voice_id] = (received, topic)
    read = time.perf_counter() - started
    ctx = multiprocessing.get_context("fork")
    keys = sorted(blocks, key=lambda k: len(blocks[k]), reverse=True)
    if args.largest:
        # Only the K largest communes (the critical path; and a commune at full size that
        # ``match --largest K`` can sample): the other communes' issues are left as they are.
        keys = keys[: args.largest]
        print(
            f"only the {args.largest} largest communes: {sum(len(blocks[k]) for k in keys):,} voices"
        )
    connection.close()  # no connection shared with the forked workers
    worker_cpu = 0.0
    slowest = (0, 0.0, 0.0)
    issues: list[Issue] = []
    memberships: list[list[int]] = []
    with ctx.Pool(args.processes) as pool:
        for commune, (clusters, wall, cpu) in zip(
            keys, pool.imap(_cluster_block, [blocks[k] for k in keys]), strict=True
        ):
            texts = dict(blocks[commune])
            worker_cpu += cpu
            if wall > slowest[1]:
                slowest = (len(blocks[commune]), wall, cpu)
            for data, ids in clusters:
                first = ids[0]
                dates = [info[i][0] for i in ids]
                issues.append(
                    Issue(
                        unit_id=commune,
                        topic_id=Counter(info[i][1] for i in ids).most_common(1)[0][0],
                        title=" ".join(texts[first].split())[:160],
                        representative_id=first,
                        voice_count=len(ids),
                        first_received_on=min(dates),
                        last_received_on=max(dates),
                        signature=data,
                    )
                )
                memberships.append(ids)
    grouped = time.perf_counter() - started - read
    with transaction.atomic():
        if args.largest:
            mine = Issue.objects.filter(unit_id__in=keys)
            Voice.objects.filter(issue__in=mine).update(issue=None)
            mine.delete()
        else:
            Voice.objects.filter(issue__isnull=False).update(issue=None)
            Issue.objects.all().delete()
        Issue.objects.bulk_create(issues, batch_size=5_000)
        with connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_issue_of (voice int, issue int) ON COMMIT DROP")
            with cursor.cursor.copy("COPY bench_issue_of (voice, issue) FROM STDIN") as sink:
                for issue, ids in zip(issues, memberships, strict=True):
                    for voice_id in ids:
                        sink.write_row((voice_id, issue.pk))
            cursor.execute(
                "UPDATE voices_voice v SET issue_id = t.issue FROM bench_issue_of t WHERE v.id = t.voice"
            )
    total = time.perf_counter() - started
    print(
        f"seed-issues: {len(info):,} open voices read in {read:.1f} s, grouped in {grouped:.1f} s "
        f"({args.processes} processes), {len(issues):,} issues written; total {total:.1f} s"
    )
    print(
        f"CPU time in the workers (process_time) {worker_cpu:.1f} s; slowest commune "
        f"{slowest[0]:,} voices in {slowest[1]:.1f} s ({slowest[2]:.1f} s CPU)"
    )
    sizes = Counter(len(ids) for ids in memberships)
    print(
        f"issue sizes: 1: {sizes[1]:,}, 2-9: {sum(v for k, v in sizes.items() if 2 <= k <= 9):,}, "
        f"10+: {sum(v for k, v in sizes.items() if k >= 10):,}; largest {max(sizes):,}"
    )
    print(f"load average at the end: {os.getloadavg()}")


# ------------------------------------------------------------------------------ match


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def cmd_match(args: argparse.Namespace) -> None:
    print(code_state())
    from danvan.audit.context import Actor
    from danvan.insight.models import Issue, IssueStatus
    from danvan.insight.services_matching import voice_match
    from danvan.insight.trained import active_trained
    from danvan.voices.services import voice_submit

    rng = random.Random(args.seed)
    places = communes(rng)
    world = World(random.Random(args.seed + 7), places)
    topics = {pk: Topic.objects.get(pk=pk) for pk in set(topic_ids().values())}
    topic_of = topic_ids()
    units = {u.pk: u for u in AdministrativeUnit.objects.filter(path__startswith="/40/")}
    voices, issues = counts()
    print(f"open voices {voices:,}, open issues {issues:,} in {len(places)} communes")
    samples: list[tuple[int, str, int, str]] = []
    only: set[str] | None = None
    if args.largest:
        # The K communes with the most open issues (e.g. after ``seed-issues --largest K`` on
        # the full volume): the worst case of the live path.
        top = (
            Issue.objects.filter(status=IssueStatus.OPEN, merged_into__isnull=True)
            .values("unit__code")
            .annotate(n=django.db.models.Count("id"))
            .order_by("-n")[: args.largest]
        )
        only = {row["unit__code"] for row in top}
        print(f"samples only in the communes {sorted(only)}")
    while len(samples) < args.samples:
        g = world.new_group()
        if only is not None and g.unit not in only:
            continue
        kind, text = world.voices(g)[0]
        unit_pk, _ = world.unit_of(world.by_code[g.unit])
        samples.append((unit_pk, kind, topic_of[g.matter.topic], text))
    trained = active_trained()
    actor = Actor.system("insight_speed")
    per_commune = dict(
        Issue.objects.filter(status=IssueStatus.OPEN, merged_into__isnull=True)
        .values_list("unit_id")
        .annotate(n=django.db.models.Count("id"))
        .values_list("unit_id", "n")
    )

    profiler = cProfile.Profile() if args.profile else None

    from django.test import TestCase

    from danvan.insight import matchcache

    def run(label: str, *, cached: bool, profiler: cProfile.Profile | None = None) -> None:
        """One pass over the samples, each kept (later ones see it, as live) inside one
        transaction rolled back at the end (the database is left as it was). Not ``cached``: the
        cache is emptied before each call, so every call reads its commune's issues (as every
        call did before ``matchcache``). ``cached``: the process keeps its communes' matchers, as
        a long-running worker does: every sampled commune is read once first (not timed), and
        each call's on-commit steps run after it as if it had committed (the cache follows the
        database); the cache is emptied at the end."""
        times: list[float] = []
        cpus: list[float] = []
        seen: list[int] = []
        joined = 0
        sizes: list[int] = []
        misses = 0
        real_load = matchcache.load

        def counting_load(commune_id: int, threshold: float) -> matchcache.Entry:
            nonlocal misses
            misses += 1
            return real_load(commune_id, threshold)

        matchcache.clear()
        matchcache.load = counting_load  # type: ignore[assignment]
        outer = transaction.atomic()
        outer.__enter__()
        try:
            if cached:
                warm = time.perf_counter()
                for pk in sorted({commune_of(units[u]) for u, *_ in samples}):
                    matchcache.put(real_load(pk, trained.threshold))
                print(
                    f"  warm-up: {len(matchcache.cached_communes())} communes read in "
                    f"{time.perf_counter() - warm:.1f} s; RSS now {rss_now_mb():,.0f} MB"
                )
            for unit_pk, kind, topic_pk, text in samples:
                unit = units[unit_pk]
                commune_pk = commune_of(unit)
                sid = transaction.savepoint()  # kept: later samples see it, as live
                voice = voice_submit(
                    actor=actor,
                    kind=kind,
                    channel="web",
                    unit=unit,
                    topic=topics[topic_pk],
                    text=text,
                    # Complaints and denunciations must name the person (the law); the others
                    # come anonymous, as most reflections do.
                    is_anonymous=kind not in NAMED,
                    submitter_name="" if kind not in NAMED else "Nguyễn Văn Hùng",
                    submitter_address="" if kind not in NAMED else "xóm 1",
                )
                if not cached:
                    matchcache.clear()
                with TestCase.captureOnCommitCallbacks(execute=cached):
                    started, cpu = time.perf_counter(), time.process_time()
                    if profiler is not None:
                        profiler.enable()
                    issue = voice_match(voice=voice, trained=trained)
                    if profiler is not None:
                        profiler.disable()
                    times.append(time.perf_counter() - started)
                    cpus.append(time.process_time() - cpu)
                joined += issue.voice_count > 1
                sizes.append(issue.voice_count)
                seen.append(per_commune.get(commune_pk, 0))
                transaction.savepoint_commit(sid)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            matchcache.load = real_load  # type: ignore[assignment]
            matchcache.clear()
        ms = [t * 1000 for t in times]
        print(
            f"{label}: {len(ms)} voices; p50 {percentile(ms, 50):.1f} ms, p95 "
            f"{percentile(ms, 95):.1f} ms, p99 {percentile(ms, 99):.1f} ms, max {max(ms):.1f} ms, "
            f"mean {statistics.fmean(ms):.1f} ms; joined an existing issue: {joined}; open issues "
            f"in the voice's commune: median {percentile(seen, 50):,.0f}, max {max(seen):,}; "
            f"communes read from the database: {misses}; load {os.getloadavg()[0]:.1f}"
        )
        digest = hashlib.md5(repr(sizes).encode()).hexdigest()[:8]  # noqa: S324
        print(f"  the issues' sizes after each call: md5 {digest} (the same in both passes)")
        cpu_ms = [t * 1000 for t in cpus]
        print(
            f"  of which this process's CPU (Python; PostgreSQL's work not counted): p50 "
            f"{percentile(cpu_ms, 50):.1f} ms, p95 {percentile(cpu_ms, 95):.1f} ms, "
            f"max {max(cpu_ms):.1f} ms"
        )

    def commune_of(unit: AdministrativeUnit) -> int:
        return unit.parent_id if unit.tier == UnitTier.VILLAGE and unit.parent_id else unit.pk

    if not args.only_cached:
        run("no cache (every call reads its commune's issues, as before)", cached=False)
    run("cached (each commune's matcher kept between calls)", cached=True)
    if profiler is not None:
        run("cached, under cProfile", cached=True, profiler=profiler)
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    after = counts()
    print(f"after: open voices {after[0]:,}, open issues {after[1]:,} (unchanged: rolled back)")


# ------------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("generate", help="write N open voices with realistic texts (COPY)")
    p.add_argument("--count", type=int, default=100_000)
    p.add_argument("--jsonl", help="also write id/text/unit per voice to this file")
    p.add_argument("--no-db", action="store_true", help="write only the JSONL file")
    p.add_argument("--processes", type=int, default=2, help="processes rendering the texts")
    p.add_argument("--seed", type=int, default=4)
    p = sub.add_parser("offline", help="time group_records over a JSONL file")
    p.add_argument("--jsonl", required=True)
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--limit", type=int, help="only the first N voices of the file")
    p.add_argument(
        "--local-stats",
        action="store_true",
        help="no global document frequencies: group_records counts each commune's own",
    )
    p.add_argument("--profile", type=int, metavar="N", help="cProfile N voices in one process")
    p.add_argument("--largest", type=int, metavar="K", help="group only the K largest communes")
    p = sub.add_parser("regroup", help="time manage.py regroup_issues")
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--threshold", type=float, help="as a change of model would (default: learned)")
    p = sub.add_parser("seed-issues", help="stand-in for regroup_issues (bulk)")
    p.add_argument("--processes", type=int, default=2)
    p.add_argument("--largest", type=int, metavar="K", help="only the K largest communes")
    p = sub.add_parser("match", help="time voice_match for new voices")
    p.add_argument("--samples", type=int, default=500)
    p.add_argument("--profile", action="store_true", help="a third pass under cProfile")
    p.add_argument("--only-cached", action="store_true", help="skip the pass without the cache")
    p.add_argument("--largest", type=int, metavar="K", help="only the K communes with most issues")
    p.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()
    {
        "generate": cmd_generate,
        "offline": cmd_offline,
        "regroup": cmd_regroup,
        "match": cmd_match,
        "seed-issues": cmd_seed_issues,
    }[args.command](args)


if __name__ == "__main__":
    main()
