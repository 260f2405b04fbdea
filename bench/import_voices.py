"""Time the spreadsheet import of voices (``danvan.voices.importing``) on a file of N rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_import \\
        .venv/bin/python bench/import_voices.py --rows 100000 [--xlsx] [--row-by-row] [--copy]

The file is realistic: every kind (complaints and denunciations with a name), communes and
villages of the demo province, dates over the last year, a name and phone on about half the rows.
By default the rows go through the bulk path (``voices_bulk_create``: the checks and records of
``voice_submit``, written in batches); ``--row-by-row`` sends each through ``voice_submit``.
Everything happens inside one transaction rolled back at the end, so the database is left as it
was (and dead rows are vacuumed away before each run). ``--copy`` then writes the same voice rows (the values the import stored) with PostgreSQL's
COPY, also rolled back, and prints the import's share of that ceiling. Needs ``manage.py migrate``,
``manage.py load_units`` and ``manage.py seed_demo --voices 0`` first.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import datetime
import io
import os
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

import django

django.setup()

from django.db import connection, transaction
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.importing import parse
from danvan.voices.importing.parse import parse_voice_file
from danvan.voices.importing.write import submit_imported, voices_import
from danvan.voices.models import Voice

HEADER = ["Loại", "Lĩnh vực", "Mã đơn vị", "Nội dung", "Ngày nhận", "Họ tên", "Điện thoại"]
KINDS = (
    ["Phản ánh"] * 8
    + ["Ý kiến"] * 4
    + ["Kiến nghị cử tri"] * 3
    + ["Khiếu nại lần đầu"] * 2
    + ["Tố cáo", "Tiếp công dân"]
)
NAMED = {"Khiếu nại lần đầu", "Tố cáo"}
TOPICS = ["infrastructure", "Đất đai, giải phóng mặt bằng", "environment", "y te", "other"]
NAMES = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường", "Phạm Thị Dung", "Hồ Văn Em"]
TEXT = "Đường liên xóm xuống cấp nghiêm trọng, đề nghị sửa chữa trước mùa mưa bão ({n})."


class Rollback(Exception):
    pass


def vacuum() -> None:
    """Clear the dead rows an earlier rolled-back run left (they slow every insert down)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "VACUUM voices_voice, voices_voicedeadline, voices_voiceevent, "
                "voices_denounceridentity, audit_auditentry"
            )


def immediate_constraints() -> None:
    """Check foreign keys as rows arrive, not at a commit that never comes (both are rolled
    back), so that their cost is measured."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def make_file(count: int, *, xlsx: bool, seed: int) -> tuple[str, bytes]:
    rng = random.Random(seed)
    codes = list(
        AdministrativeUnit.objects.current()
        .filter(path__startswith="/40/", tier__in=[UnitTier.COMMUNE, UnitTier.VILLAGE])
        .values_list("code", flat=True)
    )
    if not codes:
        sys.exit("Load the demo first: manage.py load_units && manage.py seed_demo --voices 0")
    today = timezone.localdate()
    rows: list[list[str]] = [HEADER]
    for n in range(count):
        kind = rng.choice(KINDS)
        named = kind in NAMED or rng.random() < 0.4
        received = today - datetime.timedelta(days=rng.randint(0, 365))
        rows.append(
            [
                kind,
                rng.choice(TOPICS),
                rng.choice(codes),
                TEXT.format(n=n),
                received.strftime("%d/%m/%Y"),
                rng.choice(NAMES) if named else "",
                f"09{rng.randint(10_000_000, 99_999_999)}" if named else "",
            ]
        )
    if xlsx:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return "bench.xlsx", buffer.getvalue()
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return "bench.csv", out.getvalue().encode("utf-8-sig")


def copy_rows(voices: list[Voice]) -> float:
    """COPY the same voice rows; every value is computed before the COPY starts."""
    now = timezone.now()
    fields = [f for f in Voice._meta.concrete_fields if not f.primary_key]
    data = []
    for voice in voices:
        voice.received_at = voice.updated_at = now
        # Stored as the import stores them: personal data encrypted.
        data.append([f.get_db_prep_save(getattr(voice, f.attname), connection) for f in fields])
    columns = ", ".join(f.column for f in fields)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY voices_voice ({columns}) FROM STDIN") as sink:
            for row in data:
                sink.write_row(row)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="an .xlsx file instead of .csv")
    parser.add_argument("--row-by-row", action="store_true", help="through voice_submit")
    parser.add_argument("--copy", action="store_true", help="also time a COPY of the same rows")
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.rows > parse.MAX_ROWS:
        parse.MAX_ROWS = args.rows
    name, data = make_file(args.rows, xlsx=args.xlsx, seed=args.seed)
    actor = Actor.system("bench")
    submit = submit_imported(actor) if args.row_by_row else None
    profile = cProfile.Profile() if args.profile else None

    copy_seconds = None
    vacuum()
    started, cpu_started = time.perf_counter(), time.process_time()
    if profile:
        profile.enable()
    rows = parse_voice_file(name=name, data=data)
    parsed = time.perf_counter()
    try:
        with transaction.atomic():
            immediate_constraints()
            report = voices_import(actor=actor, rows=rows, submit=submit, key_prefix="bench")
            done, cpu_done = time.perf_counter(), time.process_time()
            if profile:
                profile.disable()
            voices = [r.voice for r in rows if r.voice is not None]
            raise Rollback
    except Rollback:
        pass
    if args.copy:
        if connection.vendor != "postgresql":
            sys.exit("--copy needs PostgreSQL")
        vacuum()
        try:
            with transaction.atomic():
                immediate_constraints()
                copy_seconds = copy_rows(voices)
                raise Rollback
        except Rollback:
            pass

    if report.error_rows:
        print(f"{len(report.error_rows)} rows refused, e.g. line", report.error_rows[0].line,
              report.error_rows[0].errors)  # fmt: skip
    path = "row by row (voice_submit)" if args.row_by_row else "bulk"
    total, importing_only = done - started, done - parsed
    print(f"{connection.vendor}, {name}, {path}: {report.imported:,} of {args.rows:,} imported")
    print(f"  reading and parsing the file: {parsed - started:6.1f} s")
    print(f"  checking and writing:         {importing_only:6.1f} s")
    print(
        f"  CPU time of this process:     {cpu_done - cpu_started:6.1f} s (the rest: the database)"
    )
    print(f"  with parsing:    {report.imported / total:8,.0f} voices/s")
    print(f"  without parsing: {report.imported / importing_only:8,.0f} voices/s")
    if copy_seconds is not None:
        copy_rate = len(voices) / copy_seconds
        print(f"  raw COPY of the same {len(voices):,} voice rows: {copy_seconds:.1f} s, "
              f"{copy_rate:,.0f} voices/s")  # fmt: skip
        print(f"  share of COPY: {report.imported / total / copy_rate:.0%} with parsing, "
              f"{report.imported / importing_only / copy_rate:.0%} without")  # fmt: skip
    if profile:
        pstats.Stats(profile).sort_stats("tottime").print_stats(35)


if __name__ == "__main__":
    main()
