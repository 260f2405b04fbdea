from __future__ import annotations

import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from danvan.insight.grouping import DEFAULT_THRESHOLD, group_records
from danvan.insight.seed import seed_classifier
from danvan.insight.topics import TopicClassifier


class Command(BaseCommand):
    help = (
        "Group a file of voices into issues and suggest their topics, without touching the "
        'database. IN.jsonl has one voice per line: {"id", "text", "unit" (unit code), '
        'optional "kind"}. OUT.jsonl gets {"id", "group", "topic", "confidence"} per line, '
        "in the same order. Lines that cannot be read are reported and left out."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="JSON Lines file of voices ('-' for standard input).")
        parser.add_argument("output", help="JSON Lines file to write ('-' for standard output).")
        parser.add_argument(
            "--threshold",
            type=float,
            default=DEFAULT_THRESHOLD,
            help=f"Similarity a voice needs to join a group (default {DEFAULT_THRESHOLD}).",
        )
        parser.add_argument(
            "--model",
            help="A topic model written by 'train_insight --out FILE' (default: the seed model).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["threshold"] < 1:
            raise CommandError("--threshold must be between 0 and 1.")
        records, errors = self._read(options["input"])
        for line, message in errors:
            self.stderr.write(f"line {line}: {message}")
        classifier = self._classifier(options["model"])
        groups = group_records(records, threshold=options["threshold"])
        topics = classifier.predict([r["text"] for r in records])
        with contextlib.ExitStack() as stack:
            if options["output"] == "-":
                handle = sys.stdout
            else:
                try:
                    handle = stack.enter_context(
                        Path(options["output"]).open("w", encoding="utf-8")
                    )
                except OSError as exc:
                    raise CommandError(f"Cannot write {options['output']}: {exc}") from exc
            for record, group, (topic, confidence) in zip(records, groups, topics, strict=True):
                row = {
                    "id": record["id"],
                    "group": group,
                    "topic": topic,
                    "confidence": round(confidence, 3),
                }
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        self.stderr.write(
            f"{len(records)} voices in {len(set(groups))} groups; {len(errors)} lines left out."
        )

    def _read(self, path: str) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
        with contextlib.ExitStack() as stack:
            if path == "-":
                source: Any = sys.stdin
            else:
                try:
                    source = stack.enter_context(Path(path).open(encoding="utf-8-sig"))
                except OSError as exc:
                    raise CommandError(f"Cannot read {path}: {exc}") from exc
            try:
                return _parse(source)
            except UnicodeDecodeError as exc:
                raise CommandError(f"{path} is not UTF-8 text: {exc}") from exc

    def _classifier(self, path: str | None) -> TopicClassifier:
        if not path:
            return seed_classifier()
        try:
            return TopicClassifier.loads(Path(path).read_bytes())
        except (OSError, ValueError, EOFError) as exc:
            raise CommandError(f"Cannot load the topic model {path}: {exc}") from exc


def _parse(source: Any) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    records: list[dict[str, Any]] = []
    errors: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append((number, f"not JSON ({exc.msg})"))
            continue
        if not isinstance(row, dict):
            errors.append((number, "not a JSON object"))
            continue
        missing = [k for k in ("id", "text", "unit") if row.get(k) in (None, "")]
        if missing:
            errors.append((number, "missing " + ", ".join(missing)))
            continue
        key = str(row["id"])
        if key in seen:
            errors.append((number, f"id {key} appears twice"))
            continue
        seen.add(key)
        records.append({"id": row["id"], "text": str(row["text"]), "unit": str(row["unit"])})
    return records, errors
