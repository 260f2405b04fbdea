"""Learning from officers: the grouping threshold from their decisions, the topic model from labels.

Every merge, split, move and confirmation leaves pairs of voices labelled "same matter" or "not the
same", with the score the matcher gave them (``PairLabel``). ``learned_threshold`` picks the
threshold that would have agreed best with the officers, weighing a wrong merge twice as much as a
missed one (F0.5: an officer can merge two issues in one click, but a wrong merge hides a
citizen's matter inside another's). It moves only within bounds and only once there are enough
labels of both kinds.
"""

from __future__ import annotations

from collections.abc import Sequence

from danvan.insight.grouping import DEFAULT_THRESHOLD

__all__ = ["MIN_LABELS", "THRESHOLD_BOUNDS", "learned_threshold"]

#: Labels of each kind ("same" and "not the same") needed before the threshold moves.
MIN_LABELS = 10
THRESHOLD_BOUNDS = (0.25, 0.75)


def learned_threshold(
    labels: Sequence[tuple[float, bool]], *, default: float = DEFAULT_THRESHOLD
) -> float:
    """The threshold on the matcher's score that best separates officers' "same" from "not"."""
    same = sum(1 for _, is_same in labels if is_same)
    if same < MIN_LABELS or len(labels) - same < MIN_LABELS:
        return default
    low, high = THRESHOLD_BOUNDS
    candidates = sorted({round(score, 3) for score, _ in labels if low <= score <= high})
    candidates = sorted({low, high, default, *candidates})
    best, best_f = default, -1.0
    beta2 = 0.25  # F0.5
    for threshold in candidates:
        tp = sum(1 for score, is_same in labels if is_same and score >= threshold)
        fp = sum(1 for score, is_same in labels if not is_same and score >= threshold)
        fn = same - tp
        if tp == 0:
            continue
        precision = tp / (tp + fp)
        recall = tp / (tp + fn)
        f = (1 + beta2) * precision * recall / (beta2 * precision + recall)
        # Ties go to the threshold closest to the measured default.
        if f > best_f + 1e-9 or (
            abs(f - best_f) <= 1e-9 and abs(threshold - default) < abs(best - default)
        ):
            best, best_f = threshold, f
    return best
