"""Time the figures of a provincial synthesis report (and the whole report, figures + DOCX).

    psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE bench_report"
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_report
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py migrate dashboards zero
    .venv/bin/python manage.py load_units && .venv/bin/python manage.py seed_demo --voices 0
    .venv/bin/python bench/gen_voices.py --count 1000000 --copy --answers
    .venv/bin/python manage.py migrate          # dashboards.0002 builds facts and buckets
    .venv/bin/python bench/report_speed.py prepare   # issues, alerts, models, communes' reports
    .venv/bin/python bench/report_speed.py run [--runs 10] [--unit 40] [--period 2026-Q3]

``prepare`` (once) gives the generated voices what a report reads besides counts, which
``gen_voices.py`` does not write: one issue per commune and topic holding 30 % of the voices
(``issue_score`` random), 300 alerts over the last year (a third closed with notes), the demo's
60 models of "Skillful Mass Mobilization" (``skillful.demo.seed_models``, through the services),
and an issued report of every commune for the period with real figures. Issues, alerts and
reports are written in bulk: the benchmark measures reading.

``run`` times ``reports.figures.report_figures`` for the unit (default: the demo province, 40)
and period (default: the last full quarter), ``--runs`` times after one warm-up, and, when
``reports.render.render_report`` exists, the whole pipeline: figures, then the DOCX (charts
included) as ``reports.documents.render_document`` builds it. Prints p50/p95/min/max in ms, the
number of SQL queries, the size of the DOCX and the load average. ``--probe 0`` makes the
concerns always take the plain GROUP BY over the period's voices (the worst case).
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

import django

django.setup()

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.reports.figures import report_figures
from danvan.reports.periods import ReportPeriod, parse_period, period_containing
from danvan.units.models import AdministrativeUnit, UnitTier


def last_quarter() -> ReportPeriod:
    return period_containing("quarter", timezone.localdate()).previous()


def prepare(period: ReportPeriod) -> None:
    from danvan.alerts.models import Alert, AlertStatus
    from danvan.insight.models import Issue
    from danvan.organizations.models import Body
    from danvan.reports.models import Report, ReportStatus
    from danvan.skillful.demo import seed_models
    from danvan.skillful.models import MobilizationModel
    from danvan.voices.models import Topic

    rng = random.Random(5)
    province = AdministrativeUnit.objects.get(code="40")
    communes = list(
        AdministrativeUnit.objects.current().filter(parent=province, tier=UnitTier.COMMUNE)
    )
    topics = list(Topic.objects.filter(province=None))
    today = timezone.localdate()
    started = time.perf_counter()
    if not Issue.objects.exists():
        Issue.objects.bulk_create(
            Issue(unit=c, topic=t, title=f"{t.name} ở {c.name}") for c in communes for t in topics
        )
        with connection.cursor() as cursor:
            # 30 % of the voices join the issue of their commune and topic.
            cursor.execute(
                """
                UPDATE voices_voice v
                   SET issue_id = i.id, issue_score = random()
                  FROM units_administrativeunit u, insight_issue i
                 WHERE v.id % 10 < 3
                   AND u.id = v.unit_id
                   AND i.unit_id = CASE WHEN u.tier = 'village' THEN u.parent_id ELSE u.id END
                   AND i.topic_id = v.topic_id
                """
            )
            print(f"issues: {Issue.objects.count()}, voices in them: {cursor.rowcount:,}")
            cursor.execute(
                """
                UPDATE insight_issue i SET voice_count = c.n, first_received_on = c.first,
                       last_received_on = c.last
                  FROM (SELECT issue_id, count(*) AS n, min(received_on) AS first,
                               max(received_on) AS last
                          FROM voices_voice WHERE issue_id IS NOT NULL GROUP BY issue_id) c
                 WHERE c.issue_id = i.id
                """
            )
    if not Alert.objects.exists():
        alerts = []
        for n in range(300):
            commune, topic = rng.choice(communes), rng.choice(topics)
            raised = today - datetime.timedelta(days=rng.randint(0, 365))
            closed = n % 3 == 0
            alerts.append(
                Alert(
                    rule="surge",
                    level=rng.choice([1, 1, 2, 3]),
                    status=AlertStatus.CLOSED if closed else AlertStatus.ACKNOWLEDGED,
                    unit=commune,
                    topic=topic,
                    window_start=raised - datetime.timedelta(days=6),
                    window_end=raised,
                    reason={
                        "recent": 12,
                        "days": 7,
                        "mean": 2.5,
                        "std": 1.2,
                        "z": 6.3,
                        "sigma": 1.6,
                        "history_windows": 12,
                        "min_count": 5,
                        "thresholds": [2, 3, 5],
                    },
                    key=f"surge:{commune.pk}:{topic.pk}:{n}",
                    raised_on=raised,
                    last_seen_on=raised,
                    acknowledged_at=timezone.now(),
                    acknowledge_note="Đã cử cán bộ xuống địa bàn nắm tình hình.",
                    closed_at=timezone.now() if closed else None,
                    close_note="Đã đối thoại với người dân, tình hình ổn định." if closed else "",
                )
            )
        Alert.objects.bulk_create(alerts)
        print(f"alerts: {len(alerts)}")
    if not MobilizationModel.objects.exists():
        lines: list[str] = []
        seed_models(Actor.system("bench"), lines, count=60)
        print(f"models: {MobilizationModel.objects.count()}")
    if not Report.objects.filter(period_code=period.code).exists():
        body = Body.objects.filter(unit=province).first()
        figures = report_figures(unit=communes[0], period=period).to_json()
        with transaction.atomic():
            Report.objects.bulk_create(
                Report(
                    unit=c,
                    body=body,
                    format="state",
                    period_kind=period.kind,
                    period_code=period.code,
                    period_start=period.start,
                    period_end=period.end,
                    status=ReportStatus.ISSUED,
                    title=f"Tình hình nhân dân {period.label_vi()}",
                    figures=figures,
                    proposals="Đề nghị tỉnh hỗ trợ kinh phí sửa chữa đường giao thông nông thôn.",
                    place=c.name,
                    symbol=f"{n + 1}/BC-UBND",
                    issued_on=period.end + datetime.timedelta(days=5),
                )
                for n, c in enumerate(communes)
            )
        print(f"communes' reports: {len(communes)}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"prepared in {time.perf_counter() - started:.1f} s")


def timed(label: str, runs: int, work: Callable[[], object]) -> list[float]:
    work()  # warm-up (first connection, caches)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(
        f"{label}: runs {runs}, p50 {statistics.median(times):.0f} ms, p95 {p95:.0f} ms, "
        f"min {ordered[0]:.0f} ms, max {ordered[-1]:.0f} ms (load {os.getloadavg()[0]:.1f})"
    )
    return times


def run(unit_code: str, period: ReportPeriod, runs: int) -> None:
    from danvan.voices.models import Voice

    unit = AdministrativeUnit.objects.get(code=unit_code)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    print(
        f"commit {commit}; {Voice.objects.count():,} voices; {unit.name} ({unit.code}), "
        f"{period.code} ({period.label_vi()}); load {os.getloadavg()[0]:.1f}"
    )
    with CaptureQueriesContext(connection) as queries:
        snapshot = report_figures(unit=unit, period=period)
    print(
        f"figures: {len(queries)} queries; received {snapshot.total.n:,} "
        f"(before {snapshot.total.previous:,}, a year before {snapshot.total.last_year:,}); "
        f"{len(snapshot.by_unit)} units below, {len(snapshot.concerns)} concerns, "
        f"{len(snapshot.hot_spots)} hot spots, {len(snapshot.children_reports)} reports below"
    )
    slowest = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]
    for query in slowest:
        print(f"  {float(query['time']) * 1000:.0f} ms  {query['sql'][:90]}")
    timed("figures", runs, lambda: report_figures(unit=unit, period=period))

    try:
        from danvan.reports.issuer import issuing_body_lines
        from danvan.reports.render import ReportDocument, render_report
    except ImportError:
        print("render_report not there yet: the DOCX is not timed")
        return
    from django.utils import translation

    from danvan.organizations.models import Body

    body = Body.objects.filter(unit=unit).order_by("pk").first()
    if body is None:
        print("no body at the unit: the DOCX is not timed")
        return
    superior, issuer = issuing_body_lines(body)
    size = 0

    def whole() -> None:
        nonlocal size
        figures = report_figures(unit=unit, period=period)
        with translation.override("vi"):
            content = render_report(
                ReportDocument(
                    format="party",
                    superior=superior,
                    issuer=issuer,
                    body_code=body.short_name or "BTGDVTU",
                    number=None,
                    place="Nghệ An",
                    date=None,
                    title=f"Tình hình nhân dân {period.label_vi()}",
                    snapshot=figures,
                    assessment="Tình hình nhân dân trên địa bàn cơ bản ổn định. " * 20,
                    proposals="Đề nghị tỉnh quan tâm hỗ trợ. " * 10,
                    signer_prefix="deputy",
                    signer_authority="TRƯỞNG BAN",
                    signer_position="PHÓ TRƯỞNG BAN",
                    signer_name="Nguyễn Văn A",
                    recipients=["Ban Thường vụ Tỉnh ủy", "Lưu VT"],
                    draft=True,
                )
            )
        size = len(content)

    timed("figures + DOCX", runs, whole)
    print(f"DOCX: {size / 1024:.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("action", choices=["prepare", "run"])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--unit", default="40")
    parser.add_argument("--period", default="", help="2026-Q3 (default: the last full quarter)")
    parser.add_argument(
        "--probe",
        type=int,
        default=None,
        help="issues counted first for the concerns (figures_people.PROBE; 0: always the plain GROUP BY)",
    )
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run it on PostgreSQL (DATABASE_URL=postgres://...)")
    period = parse_period(args.period) if args.period else last_quarter()
    if args.probe is not None:
        from danvan.reports import figures_people

        figures_people.PROBE = args.probe
    if args.action == "prepare":
        prepare(period)
    else:
        run(args.unit, period, args.runs)


if __name__ == "__main__":
    main()
