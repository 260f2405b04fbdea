"""The two charts of a synthesis report, drawn from its snapshot as PNG for the DOCX.

``trend_png``: voices per step of the period against the same step of the period before.
``topic_share_png``: each topic's share of the period's voices (the eight largest, then "Khác").

Drawn with ``matplotlib.figure.Figure`` and the Agg canvas directly (no pyplot state), so that two
requests can draw at once. Labels are Vietnamese, in DejaVu Serif, which ships with matplotlib and
has every Vietnamese glyph. Each chart is 16 cm wide at 150 dpi, the width of the text on an A4 page
with the official margins (30 mm left, 15 mm right).
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from danvan.reports.snapshot import Count, Snapshot

__all__ = ["CHART_WIDTH_CM", "topic_share_png", "trend_png"]

CHART_WIDTH_CM = 16.0
DPI = 150
TOP_TOPICS = 8

_FAMILY = "DejaVu Serif"
_FONT = {"family": _FAMILY, "size": 10}
_CURRENT = "#1f4e79"
_PREVIOUS = "#a6a6a6"


def _figure(height_cm: float) -> Figure:
    figure = Figure(figsize=(CHART_WIDTH_CM / 2.54, height_cm / 2.54), dpi=DPI)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()


def _style(axes: Axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=9)
    for label in [*axes.get_xticklabels(), *axes.get_yticklabels()]:
        label.set_fontfamily(_FAMILY)


def _thin_ticks(labels: list[str], most: int = 16) -> list[int]:
    """Which step labels to show so that they do not overlap: every one up to ``most``."""
    step = max(1, -(-len(labels) // most))
    return list(range(0, len(labels), step))


def trend_png(snapshot: Snapshot) -> bytes | None:
    """Voices per step this period against the previous period; None when there is nothing."""
    points = snapshot.trend
    if not points or not any(p.n or p.previous for p in points):
        return None
    labels = [p.label for p in points]
    positions = list(range(len(points)))
    figure = _figure(7.5)
    axes = figure.add_subplot(1, 1, 1)
    if len(points) <= 12:
        width = 0.38
        axes.bar(
            [x - width / 2 for x in positions],
            [p.previous for p in points],
            width,
            color=_PREVIOUS,
            label="Kỳ trước",
        )
        axes.bar(
            [x + width / 2 for x in positions],
            [p.n for p in points],
            width,
            color=_CURRENT,
            label="Kỳ này",
        )
    else:
        axes.plot(
            positions,
            [p.previous for p in points],
            color=_PREVIOUS,
            linewidth=1.5,
            linestyle="--",
            label="Kỳ trước",
        )
        axes.plot(
            positions,
            [p.n for p in points],
            color=_CURRENT,
            linewidth=2,
            marker="o",
            markersize=2.5,
            label="Kỳ này",
        )
    shown = _thin_ticks(labels)
    axes.set_xticks([positions[i] for i in shown])
    axes.set_xticklabels([labels[i] for i in shown], rotation=45 if len(shown) > 8 else 0)
    axes.set_ylabel("Số ý kiến", fontdict=_FONT)
    axes.set_ylim(bottom=0)
    axes.yaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)
    # Above the plot, so that it never hides a bar or a point.
    axes.legend(prop=_FONT, frameon=False, loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2)
    _style(axes)
    figure.tight_layout()
    return _png(figure)


def _topic_rows(by_topic: list[Count]) -> list[tuple[str, int]]:
    rows = sorted((c for c in by_topic if c.n > 0), key=lambda c: (-c.n, c.label))
    shown = [(c.label, c.n) for c in rows[:TOP_TOPICS]]
    rest = sum(c.n for c in rows[TOP_TOPICS:])
    if rest:
        shown.append(("Khác", rest))
    return shown


def topic_share_png(snapshot: Snapshot) -> bytes | None:
    """Each topic's share of the voices of the period; None when no voice has a topic."""
    rows = _topic_rows(snapshot.by_topic)
    if not rows:
        return None
    total = sum(n for _, n in rows)
    rows.reverse()  # the largest at the top of a horizontal bar chart
    labels = [label if len(label) <= 38 else label[:37] + "…" for label, _ in rows]
    shares = [100.0 * n / total for _, n in rows]
    figure = _figure(1.6 + 0.75 * len(rows))
    axes = figure.add_subplot(1, 1, 1)
    bars = axes.barh(range(len(rows)), shares, color=_CURRENT, height=0.6)
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels(labels)
    for bar, share, (_, n) in zip(bars, shares, rows, strict=True):
        axes.text(
            bar.get_width() + 1,
            bar.get_y() + bar.get_height() / 2,
            f"{_percent(share)}% ({n})",
            va="center",
            fontdict={**_FONT, "size": 9},
        )
    axes.set_xlim(0, min(100.0, max(shares) * 1.25 + 5))
    axes.set_xlabel("Tỷ lệ (%)", fontdict=_FONT)
    _style(axes)
    figure.tight_layout()
    return _png(figure)


def _percent(value: float) -> str:
    """``12,5``: one decimal with the Vietnamese decimal comma, none for whole numbers."""
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text
