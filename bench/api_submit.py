"""Citizen submissions through the REST API under load: latency, throughput, and not one voice lost
or duplicated.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_api \\
        .venv/bin/python bench/api_submit.py [--clients 50] [--keys 3000] [--think-ms 0]

Run ``manage.py migrate``, ``manage.py load_units`` and ``manage.py seed_demo --voices 0`` on the
database first. The script

1. starts the app under gunicorn as in production (DEBUG off, a random ``SECRET_KEY`` and
   ``FIELD_ENCRYPTION_KEYS``, ``ALLOWED_HOSTS=127.0.0.1``), with ``--workers`` processes of
   ``--threads`` threads, on a free port. The one thing changed for the benchmark is the limit on
   anonymous submissions per address (``DANVAN_API_SUBMIT_RATE``, 20 an hour): every client here
   comes from 127.0.0.1, so ``bench_application()`` below sets it to ``--submit-rate``
   (1000000/hour by default) before the app loads. The throttle itself still runs.
2. runs ``--clients`` client threads, each with its own keep-alive connection, that POST
   ``/api/v1/voices/`` with a unique ``Idempotency-Key`` per voice. A share of the keys
   (``--sequential-retries``) is sent again by the same client as soon as the first answer
   arrives, and a share (``--concurrent-retries``) is sent by three clients at the same instant.
   With ``--think-ms`` each client waits a random time of that mean between requests (an open,
   steadier load); with 0 they send back to back (the server saturated: latency is then
   concurrency / throughput).
3. prints p50/p95/p99/max latency and throughput, first submissions and replays apart, and then
   checks the database: as many new voices as distinct keys, no key twice, every tracking code
   returned exists and belongs to its key, all copies of one key got the same code, and every new
   voice has its due dates, one "submit" event and one audit row.

Exit status 1 when a check fails. The voices stay in the database (keys start with
``bench-<run>-``).
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import queue
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SUBMIT = "/api/v1/voices/"


# --- The server side: gunicorn imports this module and calls bench_application() ------------------


def bench_application() -> Any:
    """The project's WSGI application with the submission limit raised for the benchmark (see the
    module docstring); ``gunicorn 'bench.api_submit:bench_application()'``."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
    import django
    from django.conf import settings

    django.setup()
    settings.DANVAN_API_SUBMIT_RATE = os.environ.get("BENCH_SUBMIT_RATE", "1000000/hour")
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(args: argparse.Namespace, port: int, log: Path) -> subprocess.Popen[bytes]:
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "BENCH_SUBMIT_RATE": args.submit_rate,
        "LOG_LEVEL": args.log_level,
    }
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "bench.api_submit:bench_application()",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--backlog",
        "2048",
        "--timeout",
        "60",
    ]
    with log.open("wb") as out:
        server = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with {server.returncode}; see {log}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    sys.exit(f"gunicorn did not answer /healthz within 60 s; see {log}")


# --- The client side --------------------------------------------------------------------------------


@dataclass
class Result:
    key: str
    kind: str  # "first", "sequential retry", "concurrent copy"
    status: int
    seconds: float
    code: str = ""
    error: str = ""


@dataclass
class Job:
    key: str
    body: dict[str, Any]
    kind: str = "single"  # "single", "sequential", "concurrent"
    barrier: threading.Barrier | None = None


@dataclass
class Shared:
    results: list[Result] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def body_for(rng: random.Random, units: list[str], n: int) -> dict[str, Any]:
    text = f"Đường liên xóm xuống cấp nghiêm trọng, đề nghị sửa chữa trước mùa mưa ({n})."
    roll = rng.random()
    body: dict[str, Any] = {"topic": "infrastructure", "unit": rng.choice(units), "text": text}
    if roll < 0.6:
        return {**body, "kind": "reflection", "is_anonymous": True}
    named = {
        "is_anonymous": False,
        "submitter_name": "Nguyễn Văn An",
        "submitter_contact": "0912345678",
        "submitter_address": "Xóm 1",
    }
    if roll < 0.85:
        return {**body, **named, "kind": "opinion"}
    if roll < 0.95:
        return {**body, **named, "kind": "complaint_first", "topic": "land"}
    return {**body, **named, "kind": "denunciation", "topic": "officials_conduct"}


def post(conn: http.client.HTTPConnection, key: str, body: dict[str, Any]) -> tuple[int, str, str]:
    payload = json.dumps(body).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": key}
    for attempt in range(2):
        try:
            conn.request("POST", SUBMIT, payload, headers)
            response = conn.getresponse()
            data = response.read()
            break
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed the kept-alive connection: reconnect and send again (safe: the
            # key makes the retry count once).
            conn.close()
            if attempt:
                raise
    try:
        code = json.loads(data).get("tracking_code", "")
    except ValueError:
        code = ""
    return (
        response.status,
        code,
        "" if response.status < 300 else data[:200].decode("utf-8", "replace"),
    )


def client(
    port: int, jobs: queue.Queue[Job | None], shared: Shared, think_ms: float, seed: int
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    mine: list[Result] = []

    def timed(key: str, body: dict[str, Any], kind: str) -> None:
        started = time.perf_counter()
        try:
            status, code, error = post(conn, key, body)
        except OSError as exc:
            status, code, error = 0, "", repr(exc)
        mine.append(Result(key, kind, status, time.perf_counter() - started, code, error))

    while (job := jobs.get()) is not None:
        if think_ms:
            time.sleep(rng.expovariate(1 / think_ms) / 1000)
        if job.barrier is not None:
            job.barrier.wait(timeout=30)  # not timed: the copies start together
            timed(job.key, job.body, "concurrent copy")
            continue
        timed(job.key, job.body, "first")
        if job.kind == "sequential":
            timed(job.key, job.body, "sequential retry")
    conn.close()
    with shared.lock:
        shared.results.extend(mine)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def summary(label: str, results: list[Result]) -> str:
    ms = [r.seconds * 1000 for r in results]
    if not ms:
        return f"  {label:<18} none"
    return (
        f"  {label:<18} n={len(ms):>6}  p50={statistics.median(ms):7.1f}  "
        f"p95={percentile(ms, 95):7.1f}  p99={percentile(ms, 99):7.1f}  max={max(ms):7.1f} ms"
    )


# --- Checks in the database -------------------------------------------------------------------------


def check(prefix: str, results: list[Result], baseline_id: int) -> list[str]:
    from django.db.models import Count
    from django.utils import timezone

    from danvan.api.models import IdempotencyRecord
    from danvan.audit.models import AuditEntry
    from danvan.deadlines.engine import compute_schedule
    from danvan.voices.models import Voice, VoiceDeadline, VoiceEvent

    problems: list[str] = []
    keys = {r.key for r in results}
    ok = [r for r in results if r.status in (200, 201)]
    failed = [r for r in results if r.status not in (200, 201)]
    if failed:
        statuses = sorted({r.status for r in failed})
        problems.append(f"{len(failed)} requests failed (status {statuses}): {failed[0].error}")
    codes_by_key: dict[str, set[str]] = {}
    for r in ok:
        codes_by_key.setdefault(r.key, set()).add(r.code)
    split = {k: c for k, c in codes_by_key.items() if len(c) > 1}
    if split:
        problems.append(
            f"{len(split)} keys got different tracking codes: {list(split.items())[:3]}"
        )

    new = Voice.objects.filter(pk__gt=baseline_id)
    # The keys are the API's (``api.IdempotencyRecord``, per client: all of them 127.0.0.1 here),
    # each with the answer its first request got; voices do not carry them.
    hashes = {hashlib.sha256(k.encode()).hexdigest(): k for k in keys}
    records = [
        (hashes[key_hash], response.get("tracking_code", ""))
        for key_hash, response in IdempotencyRecord.objects.filter(
            key_hash__in=list(hashes)
        ).values_list("key_hash", "response")
    ]
    voices = dict(records)
    codes = set(new.values_list("tracking_code", flat=True))
    print("\nChecks in the database:")
    print(f"  distinct keys sent: {len(keys):,}; keys answered 2xx: {len(codes_by_key):,}")
    print(f"  new voices: {new.count():,}; keys kept with their answer: {len(voices):,}")
    if new.count() != len(keys) or len(voices) != len(keys):
        problems.append(f"{len(keys)} keys sent but {new.count()} new voices ({len(voices)} keyed)")
    twice = len(records) - len(voices) + len(codes - set(voices.values()))
    print(f"  keys stored twice or voices without a key: {twice}")
    if twice:
        problems.append(f"{twice} keys stored twice or voices without a key")
    lost = [r for r in ok if voices.get(r.key) != r.code or r.code not in codes]
    print(f"  tracking codes returned that do not exist or belong to another key: {len(lost)}")
    if lost:
        problems.append(f"{len(lost)} returned tracking codes not found for their key")
    # Opinions have no legal time limit: a kind with no step in today's rules has no due date.
    no_limit = {
        kind
        for kind in new.values_list("kind", flat=True).distinct()
        if not compute_schedule(kind=kind, received=timezone.localdate()).steps
    }
    limited = new.exclude(kind__in=no_limit)
    no_due = limited.filter(due_on__isnull=True).count()
    without_deadlines = limited.exclude(
        pk__in=VoiceDeadline.objects.filter(voice__in=new).values("voice")
    ).count()
    events = (
        VoiceEvent.objects.filter(voice__in=new, action="submit")
        .values("voice")
        .annotate(n=Count("id"))
    )
    one_event = sum(1 for e in events if e["n"] == 1)
    audit = AuditEntry.objects.filter(
        action="voice.submit", object_id__in=[str(pk) for pk in new.values_list("pk", flat=True)]
    ).count()
    print(
        f"  of kinds with time limits, without a due date: {no_due}, without due dates stored: "
        f"{without_deadlines} (no limit: {', '.join(sorted(no_limit)) or 'none'}); "
        f"with exactly one submit event: {one_event:,}; audit rows: {audit:,}"
    )
    if no_due or without_deadlines or one_event != new.count() or audit != new.count():
        problems.append("a new voice lacks its due dates, its submit event or its audit row")
    return problems


# --- Main -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--keys", type=int, default=3000, help="distinct voices to submit")
    parser.add_argument("--sequential-retries", type=float, default=0.10, metavar="SHARE")
    parser.add_argument("--concurrent-retries", type=float, default=0.05, metavar="SHARE")
    parser.add_argument("--think-ms", type=float, default=0.0, help="mean pause between requests")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn process")
    parser.add_argument("--submit-rate", default="1000000/hour")
    parser.add_argument("--log-level", default="WARNING", help="the app's LOG_LEVEL")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Max

    from danvan.units.models import AdministrativeUnit, UnitTier
    from danvan.voices.models import Voice

    units = list(
        AdministrativeUnit.objects.current()
        .filter(path__startswith="/40/", tier__in=[UnitTier.COMMUNE, UnitTier.VILLAGE])
        .values_list("code", flat=True)
    )
    if not units:
        sys.exit("Load the demo first: manage.py migrate, load_units, seed_demo --voices 0")
    baseline_id = Voice.objects.aggregate(m=Max("pk"))["m"] or 0
    connection.close()  # not held open during the run

    rng = random.Random(args.seed)
    run = uuid.uuid4().hex[:8]
    prefix = f"bench-{run}-"
    jobs: queue.Queue[Job | None] = queue.Queue()
    copies = min(3, args.clients)  # sent at once by that many clients
    for n in range(args.keys):
        key = f"{prefix}{n:07d}"
        body = body_for(rng, units, n)
        roll = rng.random()
        if roll < args.concurrent_retries and copies > 1:
            barrier = threading.Barrier(copies)
            for _ in range(copies):
                jobs.put(Job(key, body, "concurrent", barrier))
        elif roll < args.concurrent_retries + args.sequential_retries:
            jobs.put(Job(key, body, "sequential"))
        else:
            jobs.put(Job(key, body))
    for _ in range(args.clients):
        jobs.put(None)

    port = free_port()
    log = Path(tempfile.gettempdir()) / f"bench-api-{run}-gunicorn.log"
    server = start_server(args, port, log)
    print(
        f"gunicorn: {args.workers} workers x {args.threads} threads on 127.0.0.1:{port}, "
        f"DEBUG off, submit rate {args.submit_rate}; log {log}"
    )
    print(
        f"{args.clients} clients, {args.keys:,} keys ({args.sequential_retries:.0%} retried "
        f"after the answer, {args.concurrent_retries:.0%} sent 3 times at once), "
        f"think time {args.think_ms:g} ms; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    shared = Shared()
    threads = [
        threading.Thread(target=client, args=(port, jobs, shared, args.think_ms, args.seed + i))
        for i in range(args.clients)
    ]
    started = time.perf_counter()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        wall = time.perf_counter() - started
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)

    results = shared.results
    print(f"\n{len(results):,} requests in {wall:.1f} s: {len(results) / wall:,.0f} requests/s")
    by_status: dict[int, int] = {}
    for r in results:
        by_status[r.status] = by_status.get(r.status, 0) + 1
    print(f"  status codes: {dict(sorted(by_status.items()))}")
    print("Latency (ms, client side, including queueing in gunicorn):")
    print(summary("all", results))
    for kind in ("first", "sequential retry", "concurrent copy"):
        print(summary(kind, [r for r in results if r.kind == kind]))

    problems = check(prefix, results, baseline_id)
    if problems:
        print("\nFAILED:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("\nAll checks passed: no voice lost, none duplicated.")


if __name__ == "__main__":
    main()
