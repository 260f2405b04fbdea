"""What a synthesis report says in figures: the contract between the figures and the document.

``figures.report_figures`` reads the database once and returns a ``Snapshot``; the report keeps it
as JSON (``Report.figures``), so an issued report's figures never change after issue; the DOCX
(``render.py``), the charts (``charts.py``) and the report page read only the snapshot. Labels are
stored in Vietnamese, the language of the document; keys (kind codes, topic codes, unit codes) let a
page show them in the reader's language.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CaseFigures",
    "ChildReport",
    "Concern",
    "Count",
    "HotSpot",
    "ModelFigures",
    "PeriodInfo",
    "Snapshot",
    "TrendPoint",
    "VoterFigures",
]


@dataclass
class PeriodInfo:
    code: str  # "2026-Q3"
    kind: str  # month | quarter | half | year | range
    start: str  # ISO dates
    end: str
    label: str  # "quý III năm 2026"
    previous_start: str
    previous_end: str
    last_year_start: str
    last_year_end: str


@dataclass
class Count:
    """One row of a table: voices received in the period, the period before, a year before."""

    key: str
    label: str
    n: int = 0
    previous: int = 0
    last_year: int = 0


@dataclass
class TrendPoint:
    """One step of the trend: a day for periods up to two months, a month beyond."""

    label: str  # "07/2026" or "15/07"
    n: int = 0
    previous: int = 0  # the matching step of the previous period


@dataclass
class Concern:
    """One of the largest groups of the same issue, in the people's own words."""

    issue_id: int
    title: str
    unit: str  # where (commune name)
    voices: int  # voices of this issue received in the period
    total_voices: int  # all its voices so far
    text: str  # a representative voice's text (personal data left out)
    status: str  # "open" / "answered", as Vietnamese label
    topic: str = ""


@dataclass
class HotSpot:
    alert_id: int
    level: int  # 1 attention, 2 caution, 3 serious
    level_label: str
    rule_label: str
    unit: str
    topic: str
    raised_on: str
    reason: str  # the sentence that says why, in Vietnamese
    status_label: str
    handling: str  # notes on acknowledging and closing, or "" while open


@dataclass
class CaseFigures:
    """Complaints or denunciations received in the period and what became of them."""

    received: int = 0
    accepted: int = 0
    refused: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    pending: int = 0
    overdue: int = 0  # pending and past their due date on the day the figures were read


@dataclass
class VoterFigures:
    received: int = 0
    answered: int = 0
    answered_on_time: int = 0
    pending: int = 0


@dataclass
class ModelFigures:
    """Models of "Skillful Mass Mobilization" (Dân vận khéo) in the unit."""

    registered: int = 0  # registered during the period
    honored: int = 0  # honored (commendation dated) during the period
    total_active: int = 0  # under way when drafted (skillful.selectors.models_under_way)
    honored_names: list[str] = field(default_factory=list)  # up to 10, for the text


@dataclass
class ChildReport:
    """An issued report of a unit below, for the same period (feeds a provincial report)."""

    report_id: int
    unit: str
    symbol: str  # "12/BC-UBND"
    issued_on: str
    received: int
    complaints: int
    resolved_on_time: int
    proposals: str


@dataclass
class Snapshot:
    unit_code: str
    unit_name: str  # "tỉnh Nghệ An", "xã Anh Sơn"
    unit_tier: str  # province | commune | village
    period: PeriodInfo
    generated_at: str  # ISO datetime
    total: Count
    answered: int = 0  # voices of the period answered so far
    answered_on_time: int = 0
    average_days: float | None = None
    overdue: int = 0
    by_kind: list[Count] = field(default_factory=list)
    by_topic: list[Count] = field(default_factory=list)
    by_channel: list[Count] = field(default_factory=list)
    by_unit: list[Count] = field(default_factory=list)  # the units directly below
    trend: list[TrendPoint] = field(default_factory=list)
    concerns: list[Concern] = field(default_factory=list)
    hot_spots: list[HotSpot] = field(default_factory=list)
    complaints: CaseFigures = field(default_factory=CaseFigures)
    denunciations: CaseFigures = field(default_factory=CaseFigures)
    voter_recommendations: VoterFigures = field(default_factory=VoterFigures)
    models: ModelFigures = field(default_factory=ModelFigures)
    children_reports: list[ChildReport] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Snapshot:
        def many(kind: type, rows: list[dict[str, Any]] | None) -> list[Any]:
            return [kind(**row) for row in rows or []]

        return cls(
            unit_code=data["unit_code"],
            unit_name=data["unit_name"],
            unit_tier=data["unit_tier"],
            period=PeriodInfo(**data["period"]),
            generated_at=data["generated_at"],
            total=Count(**data["total"]),
            answered=data.get("answered", 0),
            answered_on_time=data.get("answered_on_time", 0),
            average_days=data.get("average_days"),
            overdue=data.get("overdue", 0),
            by_kind=many(Count, data.get("by_kind")),
            by_topic=many(Count, data.get("by_topic")),
            by_channel=many(Count, data.get("by_channel")),
            by_unit=many(Count, data.get("by_unit")),
            trend=many(TrendPoint, data.get("trend")),
            concerns=many(Concern, data.get("concerns")),
            hot_spots=many(HotSpot, data.get("hot_spots")),
            complaints=CaseFigures(**data.get("complaints", {})),
            denunciations=CaseFigures(**data.get("denunciations", {})),
            voter_recommendations=VoterFigures(**data.get("voter_recommendations", {})),
            models=ModelFigures(**data.get("models", {})),
            children_reports=many(ChildReport, data.get("children_reports")),
        )
