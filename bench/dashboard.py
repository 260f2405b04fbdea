"""Time the dashboard's aggregates for a province over many voices, against GROUP BY on the voices.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_dash10m
    .venv/bin/python bench/dashboard.py [--runs 60] [--naive-runs 10] [--rebuild] [--write-cost 100000]

The database is filled first with ``bench/gen_voices.py --count 10000000 --copy --answers`` and
``manage.py migrate`` (migration ``dashboards.0002`` builds the buckets from the voices already
there). Each run picks a period (a month, a quarter, a year, or a range of 7 to 120 days, all in
the last year, from a fixed seed) and times:

* ``buckets``: ``selectors.aggregates`` for the province, the four queries the dashboard's figures
  come from (by kind, topic, channel, status and body with the previous period; overdue; per
  commune; trend by day);
* ``page data``: ``selectors.dashboard`` for the demo's provincial officer ``tinh``: the same plus
  the scope, labels, the 20 longest overdue voices and the largest issues (no HTML);
* ``naive``: ``selectors.naive_aggregates``, the same figures by GROUP BY over ``voices_voice``
  (fewer runs: at 10 million voices one run takes minutes, eight scans of the table).

``--rebuild`` times recomputing every fact and bucket from the voices. ``--write-cost N`` times a
COPY of N more voices with the triggers and without them, both rolled back.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

import django

django.setup()

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from danvan.dashboards import periods, selectors, sql
from danvan.units.models import AdministrativeUnit


def pick_periods(count: int, rng: random.Random) -> list[periods.Period]:
    today = timezone.localdate()
    chosen: list[periods.Period] = []
    for n in range(count):
        kind = ("month", "quarter", "year", "range")[n % 4]
        back = today - datetime.timedelta(days=rng.randint(0, 300))
        if kind == "month":
            chosen.append(periods.month(back.year, back.month))
        elif kind == "quarter":
            chosen.append(periods.quarter(back.year, (back.month - 1) // 3 + 1))
        elif kind == "year":
            chosen.append(periods.year(rng.choice([today.year, today.year - 1])))
        else:
            length = rng.choice([7, 30, 60, 120])
            start = today - datetime.timedelta(days=rng.randint(length, 365))
            chosen.append(periods.day_range(start, start + datetime.timedelta(days=length - 1)))
    return chosen


def timed(
    label: str, runs: list[periods.Period], work: Callable[[periods.Period], object]
) -> list[float]:
    work(runs[0])  # warm-up
    times = []
    for period in runs:
        started = time.perf_counter()
        work(period)
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]
    print(
        f"{label:<10} runs={len(times):>3}  min={ordered[0]:8.1f}  p50={statistics.median(times):8.1f}"
        f"  p95={p95:8.1f}  max={ordered[-1]:8.1f} ms"
    )
    return times


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--province", default="40")
    parser.add_argument("--runs", type=int, default=60)
    parser.add_argument("--naive-runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--write-cost", type=int, default=0)
    parser.add_argument("--user", default="tinh")
    args = parser.parse_args()

    if args.rebuild:
        started = time.perf_counter()
        with transaction.atomic():
            sql.rebuild(connection)
        print(f"rebuild of facts and buckets: {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE dashboards_bucket")

    province = AdministrativeUnit.objects.get(code=args.province)
    communes = list(AdministrativeUnit.objects.current().filter(parent=province))
    areas = selectors._areas_of([province])
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dashboards_bucket")
        buckets = cursor.fetchone()[0]
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'voices_voice'")
        voices = cursor.fetchone()[0]
    print(f"voices ~{voices:,} (estimate); buckets {buckets:,}; load average {load()}")
    print(f"province {province.name}: {len(communes)} units below")

    rng = random.Random(args.seed)
    runs = pick_periods(args.runs, rng)
    user = get_user_model().objects.get(username=args.user)
    fast = timed(
        "buckets",
        runs,
        lambda p: selectors.aggregates(areas=areas, children=[c.pk for c in communes], period=p),
    )

    def page(p: periods.Period) -> object:
        user.__dict__.pop("_danvan_scope_cache", None)
        user.__dict__.pop("_danvan_membership_rows", None)
        user.__dict__.pop("_danvan_expanded_paths", None)
        return selectors.dashboard(user, code=province.code, period=p)

    timed("page data", runs, page)
    slow = timed(
        "naive",
        runs[: args.naive_runs],
        lambda p: selectors.naive_aggregates(
            paths=[province.path], children=[c.path for c in communes], period=p
        ),
    )
    same = runs[: args.naive_runs]
    ratio50 = statistics.median(slow) / statistics.median(fast[: len(same)])
    print(
        f"naive / buckets, same {len(same)} periods: p50 {statistics.median(slow):.0f} ms / "
        f"{statistics.median(fast[: len(same)]):.1f} ms = {ratio50:,.0f}x; load average {load()}"
    )
    # The two agree on the first period (a check that the benchmark times the same figures).
    check = runs[0]
    a = selectors.aggregates(areas=areas, children=[], period=check)
    b = selectors.naive_aggregates(paths=[province.path], children=[], period=check)
    got = {k: f.n for k, f in a.by_dim.get("status", {}).items() if f.n}
    want = {k: r["n"] for k, r in b["status"].items() if r["n"]}
    print(
        f"check {check.start}..{check.end}: by status equal = {got == want}; overdue {a.overdue} = {b['overdue']}"
    )

    if args.write_cost:
        write_cost(args.write_cost)


def write_cost(count: int) -> None:
    """COPY ``count`` voices with the triggers, then without them; both rolled back."""
    from bench import gen_voices

    class Rollback(Exception):
        pass

    for label, with_triggers in (("with triggers", True), ("without triggers", False)):
        try:
            with transaction.atomic():
                if not with_triggers:
                    sql.uninstall(connection)
                seconds = gen_voices.copy(count, random.Random(2), answers=True)
                print(
                    f"COPY {count:,} voices {label}: {seconds:.1f} s, {count / seconds:,.0f} voices/s"
                )
                raise Rollback
        except Rollback:
            pass


if __name__ == "__main__":
    main()
