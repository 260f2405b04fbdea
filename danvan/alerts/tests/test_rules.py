"""The four rules with numbers worked out by hand, and the thresholds as settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from danvan.alerts import rules

SURGE: dict[str, Any] = {"min_count": 5, "levels": (2.0, 3.0, 5.0), "days": 7}


def test_a_flat_history_of_one_a_week_and_five_this_week_is_a_caution_surge() -> None:
    # mean 1, standard deviation 0, σ = max(0, √1, 1) = 1, z = (5 − 1) / 1 = 4: caution (3 ≤ 4 < 5)
    finding = rules.surge(recent=5, history=[1] * 12, **SURGE)
    assert finding is not None
    assert finding.level == 2
    assert finding.reason["mean"] == 1
    assert finding.reason["std"] == 0
    assert finding.reason["sigma"] == 1
    assert finding.reason["z"] == 4
    assert finding.reason["recent"] == 5
    assert finding.reason["history_windows"] == 12
    assert finding.reason["history_total"] == 12
    assert finding.reason["thresholds"] == [2.0, 3.0, 5.0]


@pytest.mark.parametrize(
    ("recent", "level"),
    [(2, None), (3, 1), (4, 2), (5, 2), (6, 3)],
)
def test_surge_levels_reach_each_threshold_exactly(recent: int, level: int | None) -> None:
    # mean 1, σ 1: z = recent − 1; thresholds 2, 3, 5 reached at 3, 4, 6 voices (minimum 3 here)
    finding = rules.surge(recent=recent, history=[1] * 12, min_count=3, levels=(2, 3, 5), days=7)
    assert (finding.level if finding else None) == level


def test_below_the_minimum_count_there_is_no_surge_even_from_nothing() -> None:
    # 0 → 2 would be z = 2 (σ = 1), but fewer than 5 voices is never a surge
    assert rules.surge(recent=2, history=[0] * 12, **SURGE) is None
    assert rules.surge(recent=4, history=[0] * 12, **SURGE) is None
    # 0 → 5: z = 5 / 1 = 5, serious
    finding = rules.surge(recent=5, history=[0] * 12, **SURGE)
    assert finding is not None and finding.level == 3


def test_a_busy_commune_needs_more_to_surge_sigma_is_at_least_the_square_root_of_the_mean() -> None:
    # four a week, never varying: std 0, σ = √4 = 2; 9 voices: z = 2.5 attention; 10: z = 3 caution
    nine = rules.surge(recent=9, history=[4] * 12, **SURGE)
    ten = rules.surge(recent=10, history=[4] * 12, **SURGE)
    assert nine is not None and nine.level == 1 and nine.reason["z"] == 2.5
    assert ten is not None and ten.level == 2 and ten.reason["sigma"] == 2


def test_a_varying_history_uses_its_standard_deviation() -> None:
    # six weeks of 0 and six of 4: mean 2, std 2 (> √2): σ = 2; 8 voices: z = 3, caution;
    # 7 voices: z = 2.5, attention; 6 voices: z = 2, attention; 5 voices: z = 1.5, nothing
    history = [0] * 6 + [4] * 6

    def level(recent: int) -> int | None:
        finding = rules.surge(recent=recent, history=history, **SURGE)
        return finding.level if finding else None

    assert [level(8), level(7), level(6), level(5)] == [2, 1, 1, None]


@pytest.mark.parametrize(("people", "level"), [(4, None), (5, 1), (9, 1), (10, 2), (20, 3)])
def test_mass_complaint_levels_by_distinct_people(people: int, level: int | None) -> None:
    finding = rules.mass_complaint(people=people, voices=people + 3, levels=(5, 10, 20), days=30)
    assert (finding.level if finding else None) == level
    if finding:
        assert finding.reason == {
            "people": people,
            "voices": people + 3,
            "days": 30,
            "thresholds": [5, 10, 20],
        }


@pytest.mark.parametrize(
    ("above", "open_below", "level"),
    [(1, 0, None), (5, 0, None), (0, 2, None), (1, 1, 1), (2, 1, 1), (3, 1, 2), (5, 4, 3)],
)
def test_skipping_levels_needs_an_unresolved_voice_below(
    above: int, open_below: int, level: int | None
) -> None:
    finding = rules.skipping_levels(above=above, open_below=open_below, levels=(1, 3, 5), days=90)
    assert (finding.level if finding else None) == level


@pytest.mark.parametrize(
    ("new", "second", "level"),
    [(0, 0, None), (1, 0, 1), (0, 1, 1), (2, 1, 2), (4, 1, 3)],
)
def test_land_reopened_counts_new_voices_and_second_complaints(
    new: int, second: int, level: int | None
) -> None:
    finding = rules.land_reopened(
        new_voices=new, second_complaints=second, levels=(1, 3, 5), days=90
    )
    assert (finding.level if finding else None) == level
    if finding:
        assert finding.reason["total"] == new + second


def test_the_reason_is_a_sentence_with_the_numbers_in_the_readers_language(english: None) -> None:
    finding = rules.surge(recent=5, history=[1] * 12, **SURGE)
    assert finding is not None
    text = rules.reason_sentence("surge", finding.reason)
    assert text.startswith("5 voices in the last 7 days, against 1 on average")
    assert "12 periods of 7 days" in text
    assert "4 times σ = 1 above the average" in text
    assert "caution from 3" in text
    from django.utils import translation

    with translation.override("vi"):
        assert "5" in rules.reason_sentence("surge", finding.reason)


def test_a_reason_with_missing_numbers_says_so_instead_of_failing(english: None) -> None:
    assert "could not be read" in rules.reason_sentence("surge", {"recent": 3})


def test_thresholds_default_to_the_documented_values(settings: Any) -> None:
    for name in [n for n in dir(settings) if n.startswith("DANVAN_ALERTS_")]:
        delattr(settings, name)
    assert rules.thresholds() == rules.Thresholds()
    assert rules.Thresholds().surge_levels == (2.0, 3.0, 5.0)


def test_thresholds_come_from_the_settings(settings: Any) -> None:
    settings.DANVAN_ALERTS_SURGE_LEVELS = "1.5,2.5,4"
    settings.DANVAN_ALERTS_SURGE_MIN = 3
    settings.DANVAN_ALERTS_MASS_LEVELS = "3,6,9"
    t = rules.thresholds()
    assert t.surge_levels == (1.5, 2.5, 4.0)
    assert t.surge_min == 3
    assert t.mass_levels == (3.0, 6.0, 9.0)


@pytest.mark.parametrize("bad", ["2,3", "a,b,c", "5,3,2", "0,1,2"])
def test_wrong_levels_are_refused_with_the_setting_named(settings: Any, bad: str) -> None:
    settings.DANVAN_ALERTS_SKIP_LEVELS = bad
    with pytest.raises(ImproperlyConfigured, match="DANVAN_ALERTS_SKIP_LEVELS"):
        rules.thresholds()


def test_a_zero_period_is_refused(settings: Any) -> None:
    settings.DANVAN_ALERTS_SURGE_DAYS = 0
    with pytest.raises(ImproperlyConfigured, match="DANVAN_ALERTS_SURGE_DAYS"):
        rules.thresholds()
