"""The four alert rules as pure functions over counts, and their thresholds.

Each rule takes the numbers the scan counted and returns a ``Finding`` (a level and the numbers
behind it) or ``None``. Nothing here reads the database, so the rules are tested with numbers
worked out by hand (``tests/test_rules.py``).

Levels: a rule's three thresholds are ascending (attention, caution, serious); a value at a
threshold reaches that level (≥).

- **Surge** (đột biến): the voices of a commune on one topic in the last ``days`` against the
  same commune × topic's own history (the ``history`` windows of the same length before it):
  ``z = (recent − mean) / σ`` with ``σ = max(standard deviation, √mean, 1)``, so that a quiet
  history (standard deviation 0) or a small count does not make every voice a surge; the
  thresholds are numbers of σ above the mean. Below ``min_count`` voices there is no alert at
  all (0 → 2 is not a surge).
- **Mass complaint** (khiếu nại đông người): an issue with many distinct people in the window.
- **Skipping levels** (vượt cấp): an issue's voices taken to a body of the province while voices
  of the same issue at the commune are still open; the level goes by how many went above.
- **Land reopened** (đất đai phát sinh lại): a land issue that was answered or closed and gets
  new voices, or land second complaints; the level goes by how many.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

__all__ = [
    "Finding",
    "Thresholds",
    "land_reopened",
    "level_for",
    "mass_complaint",
    "reason_sentence",
    "skipping_levels",
    "surge",
    "thresholds",
]

Levels = tuple[float, float, float]


@dataclasses.dataclass(frozen=True)
class Finding:
    level: int  # 1 attention, 2 caution, 3 serious
    reason: dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Thresholds:
    surge_days: int = 7
    surge_history: int = 12
    surge_min: int = 5
    surge_levels: Levels = (2.0, 3.0, 5.0)
    mass_days: int = 30
    mass_levels: Levels = (5.0, 10.0, 20.0)
    skip_days: int = 90
    skip_levels: Levels = (1.0, 3.0, 5.0)
    reopen_days: int = 90
    reopen_levels: Levels = (1.0, 3.0, 5.0)
    cooldown_days: int = 7


def _levels(name: str, raw: Any, default: Levels) -> Levels:
    if raw is None or raw == "" or raw == []:
        return default
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    try:
        values = tuple(float(str(item).strip()) for item in items)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be three numbers, e.g. 2,3,5; got {raw!r}"
        ) from exc
    if len(values) != 3 or not (0 < values[0] <= values[1] <= values[2]):
        raise ImproperlyConfigured(
            f"{name} must be three positive ascending numbers (attention, caution, serious); "
            f"got {raw!r}"
        )
    return values[0], values[1], values[2]


def _positive(name: str, raw: Any, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be at least 1, got {raw!r}")
    return value


def thresholds() -> Thresholds:
    """The thresholds in force: the ``DANVAN_ALERTS_*`` settings, or the documented defaults."""
    d = Thresholds()

    def get(name: str) -> Any:
        return getattr(settings, f"DANVAN_ALERTS_{name}", None)

    return Thresholds(
        surge_days=_positive("DANVAN_ALERTS_SURGE_DAYS", get("SURGE_DAYS"), d.surge_days),
        surge_history=_positive(
            "DANVAN_ALERTS_SURGE_HISTORY", get("SURGE_HISTORY"), d.surge_history
        ),
        surge_min=_positive("DANVAN_ALERTS_SURGE_MIN", get("SURGE_MIN"), d.surge_min),
        surge_levels=_levels("DANVAN_ALERTS_SURGE_LEVELS", get("SURGE_LEVELS"), d.surge_levels),
        mass_days=_positive("DANVAN_ALERTS_MASS_DAYS", get("MASS_DAYS"), d.mass_days),
        mass_levels=_levels("DANVAN_ALERTS_MASS_LEVELS", get("MASS_LEVELS"), d.mass_levels),
        skip_days=_positive("DANVAN_ALERTS_SKIP_DAYS", get("SKIP_DAYS"), d.skip_days),
        skip_levels=_levels("DANVAN_ALERTS_SKIP_LEVELS", get("SKIP_LEVELS"), d.skip_levels),
        reopen_days=_positive("DANVAN_ALERTS_REOPEN_DAYS", get("REOPEN_DAYS"), d.reopen_days),
        reopen_levels=_levels("DANVAN_ALERTS_REOPEN_LEVELS", get("REOPEN_LEVELS"), d.reopen_levels),
        cooldown_days=_positive(
            "DANVAN_ALERTS_COOLDOWN_DAYS", get("COOLDOWN_DAYS"), d.cooldown_days
        ),
    )


def level_for(value: float, levels: Levels) -> int:
    """0 below the first threshold, else 1, 2 or 3: the highest threshold reached."""
    # Rounded so that 2.9999999999 from a division does not miss a threshold of 3.
    value = round(value, 9)
    return sum(1 for threshold in levels if value >= threshold)


def surge(
    *, recent: int, history: Sequence[int], min_count: int, levels: Levels, days: int
) -> Finding | None:
    """``recent`` voices in the last ``days`` against the counts of the windows before."""
    if recent < min_count:
        return None
    count = len(history)
    mean = sum(history) / count if count else 0.0
    std = math.sqrt(sum((h - mean) ** 2 for h in history) / count) if count else 0.0
    sigma = max(std, math.sqrt(mean), 1.0)
    z = (recent - mean) / sigma
    level = level_for(z, levels)
    if not level:
        return None
    return Finding(
        level,
        {
            "recent": recent,
            "days": days,
            "history_windows": count,
            "history_total": sum(history),
            "mean": round(mean, 2),
            "std": round(std, 2),
            "sigma": round(sigma, 2),
            "z": round(z, 2),
            "min_count": min_count,
            "thresholds": list(levels),
        },
    )


def mass_complaint(*, people: int, voices: int, levels: Levels, days: int) -> Finding | None:
    """``people`` distinct people (``voices`` voices) on one issue in the last ``days``."""
    level = level_for(people, levels)
    if not level:
        return None
    return Finding(
        level,
        {"people": people, "voices": voices, "days": days, "thresholds": list(levels)},
    )


def skipping_levels(*, above: int, open_below: int, levels: Levels, days: int) -> Finding | None:
    """``above`` voices of an issue taken to the province in the last ``days`` while
    ``open_below`` voices of it at the commune are still open."""
    if open_below < 1:
        return None
    level = level_for(above, levels)
    if not level:
        return None
    return Finding(
        level,
        {"above": above, "open_below": open_below, "days": days, "thresholds": list(levels)},
    )


def land_reopened(
    *, new_voices: int, second_complaints: int, levels: Levels, days: int
) -> Finding | None:
    """``new_voices`` after a land issue was answered or closed, and ``second_complaints``."""
    total = new_voices + second_complaints
    level = level_for(total, levels)
    if not level:
        return None
    return Finding(
        level,
        {
            "new_voices": new_voices,
            "second_complaints": second_complaints,
            "total": total,
            "days": days,
            "thresholds": list(levels),
        },
    )


#: What each stored number is, for the detail page's table.
NUMBER_LABELS = {
    "recent": gettext_lazy("Voices in the recent period"),
    "days": gettext_lazy("Days in the period"),
    "history_windows": gettext_lazy("Earlier periods compared"),
    "history_total": gettext_lazy("Voices in the earlier periods"),
    "mean": gettext_lazy("Average per earlier period"),
    "std": gettext_lazy("Standard deviation"),
    "sigma": gettext_lazy("σ used (at least √average and 1)"),
    "z": gettext_lazy("Times σ above the average"),
    "min_count": gettext_lazy("Fewest voices for an alert"),
    "people": gettext_lazy("Different people"),
    "voices": gettext_lazy("Voices"),
    "above": gettext_lazy("Voices taken to the province"),
    "open_below": gettext_lazy("Unresolved voices at the commune"),
    "new_voices": gettext_lazy("New voices after the answer"),
    "second_complaints": gettext_lazy("Second complaints"),
    "total": gettext_lazy("Total"),
    "thresholds": gettext_lazy("Thresholds (attention, caution, serious)"),
}


def reason_numbers(reason: dict[str, Any]) -> list[tuple[str, str]]:
    """The stored numbers as (label, value) rows, in the order of ``NUMBER_LABELS``."""
    rows = []
    for key, label in NUMBER_LABELS.items():
        if key in reason:
            value = reason[key]
            shown = (
                " / ".join(_number(v) for v in value) if isinstance(value, list) else _number(value)
            )
            rows.append((str(label), shown))
    return rows


def _number(value: Any) -> str:
    """1.0 as "1", 1.25 as "1.25": numbers read as people write them."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number == int(number):
        return str(int(number))
    return f"{number:.2f}".rstrip("0").rstrip(".")


def _levels_text(reason: dict[str, Any]) -> str:
    levels = [_number(x) for x in reason.get("thresholds", [])]
    if len(levels) != 3:
        return ""
    return _("attention from %(a)s, caution from %(c)s, serious from %(s)s") % {
        "a": levels[0],
        "c": levels[1],
        "s": levels[2],
    }


def reason_sentence(rule: str, reason: dict[str, Any]) -> str:
    """The stored numbers as a sentence in the active language."""
    r = {key: _number(value) for key, value in reason.items() if key != "thresholds"}
    r["levels"] = _levels_text(reason)
    r.setdefault("days", "?")
    try:
        if rule == "surge":
            return (
                _(
                    "%(recent)s voices in the last %(days)s days, against %(mean)s on average "
                    "in each of the %(history_windows)s periods of %(days)s days before "
                    "(standard deviation %(std)s): %(z)s times σ = %(sigma)s above the average "
                    "(%(levels)s; no alert below %(min_count)s voices)."
                )
                % r
            )
        if rule == "mass_complaint":
            return (
                _(
                    "%(people)s different people (%(voices)s voices) on this issue in the last "
                    "%(days)s days (%(levels)s people)."
                )
                % r
            )
        if rule == "skipping_levels":
            return (
                _(
                    "%(above)s voices on this issue went to a body of the province in the last "
                    "%(days)s days while %(open_below)s at the commune are still unresolved "
                    "(%(levels)s voices)."
                )
                % r
            )
        if rule == "land_reopened":
            return (
                _(
                    "%(total)s new land voices in the last %(days)s days on a matter already "
                    "answered or decided: %(new_voices)s after the answer, %(second_complaints)s "
                    "second complaints (%(levels)s)."
                )
                % r
            )
    except (KeyError, ValueError, TypeError):
        pass
    return _("The numbers behind this alert could not be read.")


def window_label(start: Any, end: Any) -> str:
    return f"{date_format(start, 'd/m/Y')}–{date_format(end, 'd/m/Y')}"
