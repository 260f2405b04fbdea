"""The sentence of a formalism flag, written when it is read, in the reader's language.

The checks (``checks.py``) store what they found as numbers and codes (``FormalismFlag.details``);
this module turns them into words with the active language, so a reviewer reading in English sees
English and one reading in Vietnamese sees Vietnamese, whoever ran the check. Rows written before
the reasons were stored this way keep their sentence in ``FormalismFlag.legacy_reason``.

``details`` by kind (numbers as decimal strings, days as ISO dates, fields and statuses as codes):

- ``no_progress``: ``{"indicators": [{"name", "measure", "baseline", "target",
  "previous_period", "previous", "latest_period", "latest"}]}``
- ``near_duplicate``: ``{"percent", "name", "code", "unit", "day", "threshold"}``
- ``rising_complaints``: ``{"recent", "before", "field", "unit", "from", "to", "months", "min",
  "rise"}``
- ``no_evidence``: ``{"status"}`` once put forward, else ``{"days", "started", "grace"}``
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from danvan.skillful.choices import Field, ModelStatus

#: Keys a dismissal does not depend on: those that move every day on their own (the days since
#: the start, the window of the last months) and the thresholds in force (a setting changed does
#: not change the facts the reviewer looked at). A dismissed flag stays dismissed when only
#: these change.
NOT_COMPARED = frozenset({"days", "from", "to", "threshold", "min", "rise", "grace"})


def format_number(value: Decimal | str | int) -> str:
    """1234.50 → "1.234,5" in Vietnamese, "1,234.5" otherwise: grouping, no trailing zeros."""
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    whole, fraction = f"{number:,.2f}".split(".")
    fraction = fraction.rstrip("0")
    if (translation.get_language() or "vi").startswith("vi"):
        whole = whole.replace(",", ".")
        return f"{whole},{fraction}" if fraction else whole
    return f"{whole}.{fraction}" if fraction else whole


def _day(value: str) -> str:
    try:
        return date_format(datetime.date.fromisoformat(value), "d/m/Y")
    except (TypeError, ValueError):
        return str(value)


def _no_progress(details: dict[str, Any]) -> str:
    lines = [
        _(
            "“%(name)s” (%(measure)s): baseline %(baseline)s, target %(target)s; "
            "%(previous_period)s: %(previous)s, %(latest_period)s: %(latest)s."
        )
        % {
            "name": row.get("name", ""),
            "measure": row.get("measure", ""),
            "baseline": format_number(row.get("baseline", "")),
            "target": format_number(row.get("target", "")),
            "previous_period": row.get("previous_period", ""),
            "previous": format_number(row.get("previous", "")),
            "latest_period": row.get("latest_period", ""),
            "latest": format_number(row.get("latest", "")),
        }
        for row in details.get("indicators", [])
    ]
    head = _("%(count)s indicator(s) show no progress towards the target in the latest period:") % {
        "count": len(lines)
    }
    return " ".join([head, *lines])


def _near_duplicate(details: dict[str, Any]) -> str:
    return _(
        "Its content is %(percent)s%% identical to “%(name)s” (%(code)s) registered by "
        "%(unit)s on %(day)s (word 3-gram shingles, Jaccard; flagged from %(threshold)s%%)."
    ) % {
        "percent": details.get("percent", ""),
        "name": details.get("name", ""),
        "code": details.get("code", ""),
        "unit": details.get("unit", ""),
        "day": _day(details.get("day", "")),
        "threshold": details.get("threshold", ""),
    }


def _rising_complaints(details: dict[str, Any]) -> str:
    field = details.get("field", "")
    return _(
        "%(recent)s complaints, denunciations and reflections about %(field)s in %(unit)s "
        "from %(middle)s to %(end)s, against %(before)s in the %(months)s months before "
        "(flagged from %(min)s and a rise of %(rise)s%%)."
    ) % {
        "recent": details.get("recent", ""),
        "before": details.get("before", ""),
        "field": Field(field).label if field in Field.values else field,
        "unit": details.get("unit", ""),
        "middle": _day(details.get("from", "")),
        "end": _day(details.get("to", "")),
        "months": details.get("months", ""),
        "min": details.get("min", ""),
        "rise": details.get("rise", ""),
    }


def _no_evidence(details: dict[str, Any]) -> str:
    status = details.get("status")
    if status:
        label = ModelStatus(status).label if status in ModelStatus.values else status
        return _("It was put forward (%(status)s) without any photo or document as evidence.") % {
            "status": label
        }
    return _(
        "No photo or document as evidence %(days)s days after it started on %(day)s "
        "(expected within %(grace)s days)."
    ) % {
        "days": details.get("days", ""),
        "day": _day(details.get("started", "")),
        "grace": details.get("grace", ""),
    }


_RENDER = {
    "no_progress": _no_progress,
    "near_duplicate": _near_duplicate,
    "rising_complaints": _rising_complaints,
    "no_evidence": _no_evidence,
}


def render_reason(kind: str, details: dict[str, Any]) -> str:
    """The flag's reason in the active language."""
    render = _RENDER.get(kind)
    return render(details) if render is not None else ""


def same_reason(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Whether two findings say the same, apart from what moves every day by itself."""

    def stable(details: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in details.items() if k not in NOT_COMPARED}

    return stable(a) == stable(b)
