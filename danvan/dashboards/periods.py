"""The dashboard's period: a month, a quarter, a year or a range of days, and the one before it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The longest range of days one dashboard covers (ten years).
MAX_DAYS = 3660


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    previous_start: datetime.date
    previous_end: datetime.date
    kind: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def by_month(self) -> bool:
        """Trends by month beyond two months, by day below."""
        return self.days > 62


def _month_start(day: datetime.date, shift: int = 0) -> datetime.date:
    index = day.year * 12 + day.month - 1 + shift
    return datetime.date(index // 12, index % 12 + 1, 1)


def month(year: int, number: int) -> Period:
    start = datetime.date(year, number, 1)
    end = _month_start(start, 1) - datetime.timedelta(days=1)
    previous_start = _month_start(start, -1)
    return Period(start, end, previous_start, start - datetime.timedelta(days=1), "month")


def quarter(year: int, number: int) -> Period:
    start = datetime.date(year, 3 * (number - 1) + 1, 1)
    end = _month_start(start, 3) - datetime.timedelta(days=1)
    previous_start = _month_start(start, -3)
    return Period(start, end, previous_start, start - datetime.timedelta(days=1), "quarter")


def year(number: int) -> Period:
    start = datetime.date(number, 1, 1)
    return Period(
        start,
        datetime.date(number, 12, 31),
        datetime.date(number - 1, 1, 1),
        start - datetime.timedelta(days=1),
        "year",
    )


def day_range(start: datetime.date, end: datetime.date) -> Period:
    length = end - start
    previous_end = start - datetime.timedelta(days=1)
    return Period(start, end, previous_end - length, previous_end, "range")


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[
            ("month", _("Month")),
            ("quarter", _("Quarter")),
            ("year", _("Year")),
            ("range", _("Dates")),
        ],
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
    month = forms.TypedChoiceField(
        label=_("Month"), choices=[(m, str(m)) for m in range(1, 13)], coerce=int, required=False
    )
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        choices=[(q, f"Q{q}") for q in range(1, 5)],
        coerce=int,
        required=False,
    )
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        kwargs.setdefault(
            "initial",
            {
                "period": "month",
                "year": today.year,
                "month": today.month,
                "quarter": (today.month - 1) // 3 + 1,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("period") == "range":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("Give both the first and the last day."))
            if end < start:
                raise forms.ValidationError(_("The last day is before the first."))
            if (end - start).days >= MAX_DAYS:
                raise forms.ValidationError(_("Choose at most ten years."))
        return data

    def period_or_default(self, today: datetime.date | None = None) -> Period:
        """The period asked for; the current month when nothing (or nothing valid) was asked."""
        today = today or timezone.localdate()
        if not self.is_bound or not self.is_valid():
            return month(today.year, today.month)
        data = self.cleaned_data
        chosen_year = data.get("year") or today.year
        match data.get("period"):
            case "quarter":
                return quarter(chosen_year, data.get("quarter") or (today.month - 1) // 3 + 1)
            case "year":
                return year(chosen_year)
            case "range":
                return day_range(data["start"], data["end"])
            case _:
                return month(chosen_year, data.get("month") or today.month)
