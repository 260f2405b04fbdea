"""Every action code the services write has a label a person can read."""

from __future__ import annotations

import re
from pathlib import Path

from django.utils import translation

from danvan.audit.actions import action_label, labels

SOURCE = Path(__file__).resolve().parents[2]
#: ``action="voice.accept"`` and the values of ``{ReportAction.SUBMITTED: "report.submit"}``.
LITERAL = re.compile(r"""(?:action=|:\s*)["']([a-z_]+\.[a-z_.]+)["']""")


def written_codes() -> set[str]:
    codes: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "audit_actions.py":
            continue
        text = path.read_text(encoding="utf-8")
        if "audit_record" not in text and "audit_export" not in text and "_AUDIT" not in text:
            continue
        codes.update(LITERAL.findall(text))
    return codes


def test_every_code_written_in_the_source_has_a_label():
    codes = written_codes()
    assert {"voice.submit", "report.submit", "skillful.score.give"} <= codes
    assert sorted(codes - set(labels())) == []


def test_the_case_actions_written_as_voice_prefix_have_labels():
    from danvan.insight.models import DecisionKind
    from danvan.voices.views_case import EVENT_LABELS

    missing = [f"voice.{a}" for a in EVENT_LABELS if f"voice.{a}" not in labels()]
    missing += [f"issue.{k}" for k in DecisionKind.values if f"issue.{k}" not in labels()]
    assert missing == []


def test_labels_are_translated_and_unknown_codes_are_shown_as_they_are():
    with translation.override("vi"):
        assert action_label("voice.accept") == "Thụ lý vụ việc"
    with translation.override("en"):
        assert action_label("voice.accept") == "Case accepted"
    assert action_label("something.old") == "something.old"
