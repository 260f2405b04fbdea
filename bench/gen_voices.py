"""Fill a database with many voices for the volume benchmarks (not for tests, not for the demo).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/gen_voices.py --count 1000000 [--copy]

Rows are written in bulk, bypassing the services on purpose: the benchmarks measure reading
(inbox, search, dashboards) at volume, and a million voices through ``voice_submit`` would take
hours. Each row is still realistic: a kind, channel, topic, a commune or village of the demo
province, a date in the last year, a status and a stored due date. Run ``manage.py migrate`` and
``manage.py seed_demo --voices 0`` on the database first.

``--copy`` writes the same rows with PostgreSQL's COPY instead of INSERT and prints the rate: the
ceiling any import path can be compared with.

``--answers`` (for the dashboards' benchmark) also gives the assigned, published and closed voices
a responsible body of the province, and the published and closed ones an answer date 1–45 days
after receipt and the due date that was in force when they were answered, so that bodies can be
ranked by on-time answers. Without it the rows (and the random sequence) are as before.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

import django

django.setup()

from django.db import connection
from django.utils import timezone

from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.models import Topic, Voice, VoiceStatus
from danvan.voices.public_ids import new_public_id
from danvan.voices.tracking import new_tracking_code

KINDS = (
    ["reflection"] * 8
    + ["opinion"] * 4
    + ["voter_recommendation"] * 3
    + [
        "complaint_first",
        "complaint_first",
        "denunciation",
        "reception",
    ]
)
CHANNELS = ["web", "officer", "hotline", "letter", "social_media", "voter_contact", "reception"]
STATUSES = (
    [VoiceStatus.CLOSED] * 5
    + [VoiceStatus.PUBLISHED] * 2
    + [
        VoiceStatus.ASSIGNED,
        VoiceStatus.ACCEPTED,
        VoiceStatus.RECEIVED,
    ]
)
TEXT = "Đường liên xóm xuống cấp nghiêm trọng, đề nghị sửa chữa trước mùa mưa bão năm nay ({n})."


def pools() -> tuple[list[int], list[int]]:
    """Units and topics to draw from, read before any COPY starts (no query may run inside it)."""
    units = list(
        AdministrativeUnit.objects.current()
        .filter(path__startswith="/40/", tier__in=[UnitTier.COMMUNE, UnitTier.VILLAGE])
        .values_list("pk", flat=True)
    )
    topics = list(Topic.objects.filter(province=None).values_list("pk", flat=True))
    if not units or not topics:
        sys.exit("Load the demo first: manage.py migrate && manage.py seed_demo --voices 0")
    return units, topics


def bodies() -> list[int]:
    from danvan.organizations.models import Body

    return list(Body.objects.filter(unit__path__startswith="/40/").values_list("pk", flat=True))


def rows(
    count: int,
    rng: random.Random,
    units: list[int],
    topics: list[int],
    assignees: list[int] | None = None,
):
    today = timezone.localdate()
    now = timezone.now()
    for n in range(count):
        received = today - datetime.timedelta(days=rng.randint(0, 365))
        status = rng.choice(STATUSES)
        is_open = status in (VoiceStatus.RECEIVED, VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED)
        extra: dict[str, object] = {}
        if assignees:
            answered = status in (VoiceStatus.PUBLISHED, VoiceStatus.CLOSED)
            extra["assignee_id"] = (
                rng.choice(assignees) if answered or status == VoiceStatus.ASSIGNED else None
            )
            extra["answered_at"] = (
                min(
                    now, now - datetime.timedelta(days=(today - received).days - rng.randint(1, 45))
                )
                if answered
                else None
            )
            extra["answer_due_on"] = received + datetime.timedelta(days=rng.choice([10, 30, 40]))
        yield {
            "tracking_code": new_tracking_code(),
            "public_id": new_public_id(),
            "kind": rng.choice(KINDS),
            "channel": rng.choice(CHANNELS),
            "unit_id": rng.choice(units),
            "topic_id": rng.choice(topics),
            "text": TEXT.format(n=n),
            "received_on": received,
            "status": status,
            "due_on": received + datetime.timedelta(days=rng.choice([10, 30, 40]))
            if is_open
            else extra.get("answer_due_on")
            if extra.get("answered_at")
            else None,
            "assignee_id": extra.get("assignee_id"),
            "answered_at": extra.get("answered_at"),
        }


def insert(count: int, batch: int, rng: random.Random, answers: bool = False) -> float:
    started = time.perf_counter()
    buffer: list[Voice] = []
    for row in rows(count, rng, *pools(), bodies() if answers else None):
        buffer.append(Voice(**row, is_anonymous=True))
        if len(buffer) >= batch:
            Voice.objects.bulk_create(buffer)
            buffer.clear()
    if buffer:
        Voice.objects.bulk_create(buffer)
    return time.perf_counter() - started


def copy(count: int, rng: random.Random, answers: bool = False) -> float:
    if connection.vendor != "postgresql":
        sys.exit("--copy needs PostgreSQL")
    columns = [
        "tracking_code", "kind", "channel", "unit_id", "topic_id", "text", "received_on", "status",
        "due_on", "received_at", "updated_at", "is_anonymous", "submitter_name", "submitter_contact",
        "submitter_address", "is_remote", "complexity", "is_joint", "refusal_reason",
        "answer_text", "version", "satisfaction_comment", "assignee_id", "answered_at",
        "public_id",
    ]  # fmt: skip
    now = timezone.now()
    units, topics = pools()
    assignees = bodies() if answers else None
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY voices_voice ({', '.join(columns)}) FROM STDIN") as sink:
            for row in rows(count, rng, units, topics, assignees):
                sink.write_row(
                    [
                        *(row[c] for c in columns[:9]),
                        now, now, True, "", "", "", False, "normal", False, "", "", 1, "",
                        row["assignee_id"], row["answered_at"], row["public_id"],
                    ]
                )  # fmt: skip
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--copy", action="store_true", help="use COPY (PostgreSQL) and time it")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--answers", action="store_true", help="responsible bodies and answer dates (dashboards)"
    )
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seconds = (
        copy(args.count, rng, args.answers)
        if args.copy
        else insert(args.count, args.batch, rng, args.answers)
    )
    how = "COPY" if args.copy else "bulk INSERT"
    print(f"{args.count} voices by {how} in {seconds:.1f} s: {args.count / seconds:,.0f} voices/s")
    print(f"voices in the database: {Voice.objects.count():,}")


if __name__ == "__main__":
    main()
