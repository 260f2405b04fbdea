"""The officers' inbox (``/cases/``) at volume: first page latency and query count per role.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_inbox \\
        .venv/bin/python bench/inbox.py [--runs 40] [--explain]

Run ``manage.py migrate``, ``manage.py load_units``, ``manage.py seed_demo --voices 0`` and
``bench/gen_voices.py --count 1000000 [--copy]`` on the database first (then ``ANALYZE``). It logs
in as the demo's commune officer (``xa``), provincial officer (``tinh``) and leader (``lanhdao``)
with Django's test client, in process (no HTTP, no gunicorn: what is timed is the view, its
queries and its template), and requests the first page with no filter and with the common ones.
For each it prints min/p50/p95/max over ``--runs`` requests (after two warm-up requests), the
number of SQL queries of one request and the time they took (the last request). Rendering is as
in production: ``DEBUG`` and template debugging are switched off in the process and the test
environment's instrumentation is not installed. Run it on a database with 10 voices and on
one with a million: the query counts must be the same.

``--explain`` prints EXPLAIN ANALYZE of every query of the slowest request of each case.
Nothing is written except the sessions of the three logins.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

import django

django.setup()

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from danvan.units.models import AdministrativeUnit
from danvan.voices.forms import InboxFilterForm
from danvan.voices.models import Topic, Voice
from danvan.voices.selectors import inbox_for, inbox_page, topics_for
from danvan.voices.views_inbox import PAGE_SIZE

INBOX = "/cases/"
USERS = {"commune officer": "xa", "provincial officer": "tinh", "leader": "lanhdao"}


def cases(role: str) -> list[tuple[str, dict[str, str]]]:
    land = Topic.objects.get(code="land", province=None)
    # A unit inside the user's scope: a village of Xã Anh Sơn for the commune officer, the
    # commune itself for the province-wide roles.
    if role == "commune officer":
        unit = AdministrativeUnit.objects.filter(code__startswith="17329-").order_by("code").first()
        unit_code = unit.code if unit else "17329"
    else:
        unit_code = "17329"
    # A code the user may see, typed as read over the phone (lower case, no dashes).
    sample = Voice.objects.filter(unit__path__startswith="/40/17329/").order_by("-id").first()
    code = sample.tracking_code.lower().replace("-", "") if sample else "dv"
    return [
        ("no filter", {}),
        ("status=received", {"status": "received"}),
        ("overdue", {"urgency": "overdue"}),
        ("due soon", {"urgency": "due_soon"}),
        ("topic=land", {"topic": str(land.pk)}),
        (f"unit={unit_code}", {"unit": unit_code}),
        ("overdue+topic", {"urgency": "overdue", "topic": str(land.pk)}),
        ("page 20", {"page": "20"}),
        ("newest", {"order": "newest"}),
        ("newest+overdue", {"order": "newest", "urgency": "overdue"}),
        ("unit by name", {"unit": "Xóm 1 Anh Sơn" if role == "commune officer" else "Anh Sơn"}),
        ("code", {"q": code}),
        ("words", {"q": "xuong cap"}),
        ("words+overdue", {"q": "xuong cap", "urgency": "overdue"}),
    ]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def matching(user, params: dict[str, str]) -> str:
    """What the page says it found ("1,000+" past the count limit), read outside the timing."""
    form = InboxFilterForm(params or None, topics=topics_for(user))
    if form.is_bound:
        form.is_valid()
    page = inbox_page(inbox_for(user, form.filters()), params.get("page"), per_page=PAGE_SIZE)
    return f"{page.count:,}{'+' if page.is_capped else ''}"


def explain(sql: str) -> None:
    if not sql.lstrip().upper().startswith("SELECT") or connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join("      " + row[0] for row in cursor.fetchall())
    print(f"    {sql[:300]}\n{plan}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE the slowest")
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    args = parser.parse_args()
    # As in production: templates compiled without debug information, and no test
    # instrumentation of rendering (setup_test_environment() would copy every context).
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False
    settings.TEMPLATES[0]["OPTIONS"]["debug"] = False

    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor})")
    print(f"voices in the database: {Voice.objects.count():,}")
    print(
        f"{'user':<20} {'case':<16} {'rows':>9} {'min ms':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'max ms':>7} {'queries':>7} {'SQL ms':>7}"
    )
    users = get_user_model().objects
    for role, username in USERS.items():
        client = Client()
        user = users.get(username=username)
        client.force_login(user)
        for name, params in cases(role):
            if args.only and args.only not in name:
                continue
            for _ in range(2):  # warm-up: caches, connection, plans
                response = client.get(INBOX, params)
                assert response.status_code == 200, response.status_code
            times: list[float] = []
            slowest: tuple[float, list[dict[str, str]]] = (0.0, [])
            for _ in range(args.runs):
                with CaptureQueriesContext(connection) as queries:
                    started = time.perf_counter()
                    response = client.get(INBOX, params)
                    elapsed = (time.perf_counter() - started) * 1000
                times.append(elapsed)
                if elapsed >= slowest[0]:
                    slowest = (elapsed, list(queries.captured_queries))
            sql_ms = sum(float(q["time"]) for q in queries.captured_queries) * 1000
            print(
                f"{role:<20} {name:<16} {matching(user, params):>9} {min(times):7.1f} "
                f"{statistics.median(times):7.1f} {percentile(times, 95):7.1f} "
                f"{max(times):7.1f} {len(queries):>7} {sql_ms:7.1f}",
                flush=True,
            )
            if args.explain:
                for query in slowest[1]:
                    if float(query["time"]) * 1000 >= 5:
                        explain(query["sql"])


if __name__ == "__main__":
    main()
