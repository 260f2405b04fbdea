"""Time the spreadsheet import of voices (``danvan.voices.importing``) on a file of N rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/import_voices.py --rows 2000

Every row goes through ``voice_submit`` (validation, due dates, timeline, audit), inside one
transaction that is rolled back at the end, so the database is left as it was. Needs
``manage.py migrate`` and ``manage.py seed_demo --voices 0`` first.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

import django

django.setup()

from django.db import transaction

from danvan.audit.context import Actor
from danvan.voices.importing import parse_voice_file, voices_import


class Rollback(Exception):
    pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        ["Loại", "Lĩnh vực", "Mã đơn vị", "Nội dung", "Ngày tiếp nhận", "Họ tên", "Liên hệ"]
    )
    for i in range(args.rows):
        writer.writerow(
            ["Phản ánh", "infrastructure", "17329", f"Đường xóm hỏng số {i}", "02/11/2026", "", ""]
        )
    data = out.getvalue().encode("utf-8-sig")

    started = time.perf_counter()
    rows = parse_voice_file(name="bench.csv", data=data)
    parsed = time.perf_counter()
    try:
        with transaction.atomic():
            report = voices_import(actor=Actor.system("bench"), rows=rows)
            done = time.perf_counter()
            raise Rollback
    except Rollback:
        pass
    total = done - started
    print(
        f"{report.imported} of {args.rows} rows imported in {total:.1f} s "
        f"(parse {parsed - started:.2f} s): {args.rows / total:,.0f} rows/s"
    )


if __name__ == "__main__":
    main()
