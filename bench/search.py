"""Search (``/search/``) at volume: latency of a realistic query mix per role.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_search
    .venv/bin/python manage.py migrate && .venv/bin/python manage.py load_units
    .venv/bin/python manage.py seed_demo --voices 0
    .venv/bin/python bench/search.py generate --count 1000000     # COPY, realistic varied texts
    psql -h 127.0.0.1 -U postgres bench_search -c "VACUUM ANALYZE voices_voice"
    .venv/bin/python bench/search.py run --runs 5 [--explain]

``ANALYZE`` matters beyond the planner: the search reads ``pg_stats`` to tell a common match from
a rare one (``selectors._estimate``); ``VACUUM`` sets the visibility map, as autovacuum would.

``generate`` writes voices with varied texts (the demo's complaint templates about real places of
the demo province, a share typed without diacritics, some with abbreviations, answers on the
answered ones) and issues, with COPY on PostgreSQL and ``bulk_create`` elsewhere, bypassing the
services on purpose (a million voices through ``voice_submit`` would take hours). The search
index is kept by the database (generated columns or FTS5 triggers), so it is current when the rows
are in.

``run`` logs in as the demo's commune officer (``xa``), provincial officer (``tinh``) and
system administrator (``quantri``) with Django's test client, in process, and requests the search
page for every query of ``QUERIES`` (with and without diacritics, common and rare words, phrases,
abbreviations) on each result tab, ``--runs`` times after one warm-up, DEBUG off. It prints
p50/p95/max per role and over everything, and the slowest queries.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.utils import timezone

from danvan.lib.text import fold
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.demo import ANSWER, PROJECTS, TEXTS
from danvan.voices.models import Topic, Voice, VoiceStatus
from danvan.voices.tracking import new_tracking_code

EXTRA = {
    "infrastructure": [
        "Đoạn đường qua {place} bị sụt lún sau mưa lớn, xe cộ đi lại rất nguy hiểm.",
        "Hệ thống thoát nước ở {place} bị tắc, mỗi khi mưa nước tràn vào nhà dân.",
        "Đường điện hạ thế ở {place} chập chờn, ko đủ điện sinh hoạt vào buổi tối.",
    ],
    "land": [
        "UBND xã chưa trả lời đơn của gia đình tôi về việc lấn chiếm đất ở {place} dc {months} "
        "tháng.",
    ],
}
STATUSES = (
    [VoiceStatus.CLOSED] * 4
    + [VoiceStatus.PUBLISHED] * 2
    + [VoiceStatus.ANSWERED, VoiceStatus.ASSIGNED, VoiceStatus.ACCEPTED, VoiceStatus.RECEIVED]
)
ANSWERED = {VoiceStatus.CLOSED, VoiceStatus.PUBLISHED, VoiceStatus.ANSWERED}
VERDICTS = [
    "là đúng, xã đã bố trí kinh phí sửa chữa trong quý tới",
    "là đúng một phần, đã chỉ đạo khắc phục",
    "không có cơ sở, đã giải thích cho công dân",
    "đã được chuyển đến cơ quan có thẩm quyền giải quyết",
]
KINDS = (
    ["reflection"] * 8 + ["opinion"] * 4 + ["voter_recommendation"] * 3 + ["complaint_first"] * 2
)

#: The query mix: (query, what it stands for).
QUERIES = [
    ("sụt lún", "phrase, with diacritics, uncommon"),
    ("sut lun", "phrase, without diacritics, uncommon"),
    ("đường", "one very common word, with diacritics"),
    ("duong", "one very common word, without diacritics"),
    ("thoát nước", "phrase, medium"),
    ("thoat nuoc", "phrase, medium, without diacritics"),
    ("bồi thường đất", "three words, common"),
    ("giay chung nhan quyen su dung dat", "long phrase without diacritics"),
    ("ko đủ điện", "abbreviation + words"),
    ("UBND", "abbreviation"),
    ("trại chăn nuôi lợn nước thải", "long, several common words"),
    ("hồ chứa nước Bản Mồng", "project name"),
    ("tiêm chủng lưu động", "rare phrase"),
    ("ổ gà", "short words"),
    ("xyzzy quux", "nothing matches"),
    ("kinh phí sửa chữa", "words of the answers"),
]
TABS = ["voices", "answers", "issues"]
USERS = {"commune officer": "xa", "provincial officer": "tinh", "system administrator": "quantri"}


def _abbreviate(text: str) -> str:
    for full, short in (("không", "ko"), ("được", "dc"), ("Ủy ban nhân dân", "UBND")):
        text = text.replace(full, short)
    return text


def _text(rng: random.Random, code: str, places: list[str]) -> str:
    pool = TEXTS[code] + EXTRA.get(code, [])
    text = rng.choice(pool).format(
        place=rng.choice(places),
        project=rng.choice(PROJECTS),
        months=rng.randint(2, 30),
        area=rng.choice([120, 250, 400, 800, 1500]),
        season=rng.choice(["đông xuân", "hè thu"]),
        name=rng.choice(["Nguyễn Thị Hoa", "Lê Văn Sơn", "Hồ Thị Lan"]),
    )
    draw = rng.random()
    if draw < 0.15:
        return fold(text)  # typed without diacritics
    if draw < 0.25:
        return _abbreviate(text)
    return text


def _pools() -> tuple[list[int], dict[int, list[str]], dict[str, int]]:
    units = list(
        AdministrativeUnit.objects.current()
        .filter(path__startswith="/40/", tier__in=[UnitTier.COMMUNE, UnitTier.VILLAGE])
        .values_list("pk", "name")
    )
    if not units:
        sys.exit("Load the demo first: manage.py migrate && manage.py seed_demo --voices 0")
    communes = dict(
        AdministrativeUnit.objects.filter(
            path__startswith="/40/", tier=UnitTier.COMMUNE
        ).values_list("pk", "name")
    )
    # Places named in texts: the unit's own name, or a hamlet of it.
    places = {pk: [name, f"xóm {n} {name}" if n % 2 else f"bản {n} {name}"] for pk, name in units
              for n in [pk % 9 + 1]}  # fmt: skip
    topics = dict(Topic.objects.filter(province=None).values_list("code", "pk"))
    # Communes drawn twice as often as villages: most voices are filed at the commune.
    return [*communes, *(pk for pk, _n in units)], places, topics


def generate(count: int, seed: int) -> None:
    rng = random.Random(seed)
    units, places, topics = _pools()
    unit_ids = units
    codes = list(TEXTS)
    today = timezone.localdate()
    now = timezone.now()
    columns = [
        "tracking_code", "kind", "channel", "unit_id", "topic_id", "text", "received_on",
        "status", "due_on", "received_at", "updated_at", "is_anonymous", "submitter_name",
        "submitter_contact", "submitter_address", "is_remote", "complexity", "is_joint",
        "refusal_reason", "answer_text", "answered_at", "version", "satisfaction_comment",
    ]  # fmt: skip

    def rows():
        for _n in range(count):
            unit = rng.choice(unit_ids)
            code = rng.choice(codes)
            received = today - datetime.timedelta(days=rng.randint(0, 365))
            status = rng.choice(STATUSES)
            answered = status in ANSWERED
            answer = ANSWER.format(verdict=rng.choice(VERDICTS)) if answered else ""
            yield [
                new_tracking_code(), rng.choice(KINDS), "web", unit, topics[code],
                _text(rng, code, places.get(unit, ["thôn Trung"])), received, status,
                None if answered else received + datetime.timedelta(days=30), now, now, True,
                "", "", "", False, "normal", False, "", answer, now if answered else None, 1, "",
            ]  # fmt: skip

    started = time.perf_counter()
    if connection.vendor == "postgresql":
        copy = f"COPY voices_voice ({', '.join(columns)}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(copy) as sink:
            for row in rows():
                sink.write_row(row)
    else:
        batch: list[Voice] = []
        for row in rows():
            batch.append(Voice(**dict(zip(columns, row, strict=True))))
            if len(batch) >= 5000:
                Voice.objects.bulk_create(batch)
                batch.clear()
        Voice.objects.bulk_create(batch)
    seconds = time.perf_counter() - started
    print(f"{count:,} voices in {seconds:.0f} s ({count / seconds:,.0f}/s)")
    _issues(rng, topics, places)
    print(f"voices in the database: {Voice.objects.count():,}")


def _issues(rng: random.Random, topics: dict[str, int], places: dict[int, list[str]]) -> None:
    from danvan.insight.models import Issue

    communes = list(
        AdministrativeUnit.objects.filter(
            path__startswith="/40/", tier=UnitTier.COMMUNE
        ).values_list("pk", flat=True)
    )
    issues = []
    today = timezone.localdate()
    for _n in range(len(communes) * 20):
        unit = rng.choice(communes)
        code = rng.choice(list(TEXTS))
        title = _text(rng, code, places.get(unit, ["thôn Trung"]))[:290]
        answered = rng.random() < 0.3
        issues.append(
            Issue(
                unit_id=unit,
                topic_id=topics[code],
                title=title,
                voice_count=rng.randint(1, 40),
                first_received_on=today - datetime.timedelta(days=rng.randint(100, 365)),
                last_received_on=today - datetime.timedelta(days=rng.randint(0, 99)),
                answer_text=ANSWER.format(verdict=rng.choice(VERDICTS)) if answered else "",
            )
        )
    Issue.objects.bulk_create(issues, batch_size=2000)
    print(f"{len(issues):,} issues")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def run(runs: int, explain: bool) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.DEBUG = False
    for engine in settings.TEMPLATES:
        engine.setdefault("OPTIONS", {})["debug"] = False
    print(f"voices: {Voice.objects.count():,}; load average {os.getloadavg()[0]:.1f}")
    everything: list[float] = []
    slowest: list[tuple[float, str, str, str]] = []
    for role, username in USERS.items():
        user = get_user_model().objects.get(username=username)
        client = Client()
        client.force_login(user)
        if username == "quantri":
            _verified(client, user)
        timings: list[float] = []
        for query, _why in QUERIES:
            for tab in TABS:
                params = {"q": query, "type": tab}
                response = client.get("/search/", params)  # warm-up
                assert response.status_code == 200, (role, query, response.status_code)
                for _ in range(runs):
                    started = time.perf_counter()
                    client.get("/search/", params)
                    elapsed = (time.perf_counter() - started) * 1000
                    timings.append(elapsed)
                    slowest.append((elapsed, role, query, tab))
                if explain and tab == "voices":
                    with CaptureQueriesContext(connection) as captured:
                        client.get("/search/", params)
                    for q in captured.captured_queries:
                        print(f"  {q['time']}s {q['sql'][:160]}")
        everything += timings
        print(
            f"{role:22} n={len(timings):4} p50 {statistics.median(timings):6.1f} ms  "
            f"p95 {percentile(timings, 95):6.1f} ms  max {max(timings):6.1f} ms"
        )
    print(
        f"{'all':22} n={len(everything):4} p50 {statistics.median(everything):6.1f} ms  "
        f"p95 {percentile(everything, 95):6.1f} ms  max {max(everything):6.1f} ms"
    )
    print("per query (all roles and tabs):")
    by_query: dict[str, list[float]] = {}
    for elapsed, _role, query, _tab in slowest:
        by_query.setdefault(query, []).append(elapsed)
    for query, why in QUERIES:
        values = by_query[query]
        print(
            f"  {query!r:38} p50 {statistics.median(values):6.1f}  "
            f"p95 {percentile(values, 95):6.1f} ms  ({why})"
        )
    print("slowest:")
    for elapsed, role, query, tab in sorted(slowest, reverse=True)[:8]:
        print(f"  {elapsed:6.1f} ms  {role} {query!r} {tab}")
    print(f"load average {os.getloadavg()[0]:.1f}")


def _verified(client: Any, user: Any) -> None:
    """The administrator's session as after typing the second factor."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="bench", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    gen = sub.add_parser("generate")
    gen.add_argument("--count", type=int, default=1_000_000)
    gen.add_argument("--seed", type=int, default=1)
    bench = sub.add_parser("run")
    bench.add_argument("--runs", type=int, default=5)
    bench.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if args.command == "generate":
        generate(args.count, args.seed)
    else:
        run(args.runs, args.explain)


if __name__ == "__main__":
    main()
