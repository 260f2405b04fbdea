"""Numbers and dates as a Vietnamese official document writes them."""

from __future__ import annotations

import datetime

__all__ = ["change_cell", "compare", "date_words", "fmt_int", "fmt_percent", "iso_to_text", "share"]


def fmt_int(n: int) -> str:
    """``1.234``: Vietnamese writes thousands with a dot."""
    return f"{n:,}".replace(",", ".")


def fmt_percent(value: float) -> str:
    """``12,5``: one decimal with a comma, none for whole numbers."""
    text = f"{value:.1f}".replace(".", ",")
    return text[:-2] if text.endswith(",0") else text


def share(part: int, whole: int) -> str:
    return fmt_percent(100.0 * part / whole) if whole else "0"


def compare(n: int, before: int, against: str) -> str:
    """``tăng 12,5% so với kỳ trước`` / ``giảm 3 ý kiến ...`` / ``bằng kỳ trước``."""
    if n == before:
        return f"bằng {against}"
    if before == 0:
        return f"tăng {fmt_int(n)} ý kiến so với {against} (kỳ đó không có)"
    change = 100.0 * (n - before) / before
    word = "tăng" if change > 0 else "giảm"
    return f"{word} {fmt_percent(abs(change))}% so với {against}"


def change_cell(n: int, before: int) -> str:
    if before == 0:
        return "-" if n == 0 else "mới"
    change = 100.0 * (n - before) / before
    sign = "+" if change > 0 else ("−" if change < 0 else "")
    return f"{sign}{fmt_percent(abs(change))}%"


def date_words(day: datetime.date) -> str:
    """``ngày 05 tháng 01 năm 2027``: a zero before days below 10 and months 1 and 2."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def iso_to_text(value: str) -> str:
    try:
        day = datetime.date.fromisoformat(value[:10])
    except ValueError:
        return value
    return day.strftime("%d/%m/%Y")
