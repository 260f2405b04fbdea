"""Fit the pair model of same-issue grouping (``danvan.insight.grouping.PAIR_WEIGHTS``).

    .venv/bin/python bench/insight_fit_pairs.py [--threshold 0.7]

The evaluation set's communes are split in two halves by a hash of their code: the weights are
fitted (scikit-learn ``LogisticRegression``) on every pair of voices of one commune in the first
half, and grouping is then measured on each half separately, so that the half the weights never
saw shows what fitting bought. Pairs naming two different places of one kind are left out of the
fit: the matcher rules them out before the model is asked.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import os
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")

import django

django.setup()

import numpy as np
from sklearn.linear_model import LogisticRegression

from danvan.insight import grouping
from danvan.insight.signatures import TextStats, features_of, signature

DATA = Path(__file__).resolve().parent / "insight_eval" / "voices.jsonl"


def fitting_half(unit: str) -> bool:
    return zlib.crc32(unit.encode()) % 2 == 0


def pair_features(rows: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    stats = TextStats()
    for row in rows:
        stats.add(features_of(row["text"]))
    sigs = [grouping.Cluster.of(signature(row["text"], stats)) for row in rows]
    by_commune = collections.defaultdict(list)
    for i, row in enumerate(rows):
        by_commune[grouping.commune_code(row["unit"])].append(i)
    x, y = [], []
    for members in by_commune.values():
        for a, b in itertools.combinations(members, 2):
            features = sigs[b].features(sigs[a])
            if features is not None:
                x.append(features)
                y.append(rows[a]["group"] == rows[b]["group"])
    return np.array(x), np.array(y)


def pairwise(rows: list[dict], labels: list[str]) -> tuple[float, float]:
    def pairs(values: list[str]) -> set[tuple[int, int]]:
        members = collections.defaultdict(list)
        for i, value in enumerate(values):
            members[value].append(i)
        return {p for m in members.values() for p in itertools.combinations(m, 2)}

    found, gold = pairs(labels), pairs([r["group"] for r in rows])
    right = len(found & gold)
    return right / max(1, len(found)), right / max(1, len(gold))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threshold", type=float, default=grouping.DEFAULT_THRESHOLD)
    args = parser.parse_args()
    rows = [json.loads(line) for line in DATA.open(encoding="utf-8")]
    fit_rows = [r for r in rows if fitting_half(r["unit"])]
    held_rows = [r for r in rows if not fitting_half(r["unit"])]
    x, y = pair_features(fit_rows)
    model = LogisticRegression(C=1.0, max_iter=1000).fit(x, y)
    weights = ", ".join(f"{w:.2f}" for w in model.coef_[0])
    print(f"fitted on {len(fit_rows)} voices ({len(y)} pairs, {int(y.sum())} of one issue)")
    print(f"PAIR_WEIGHTS = ({weights})")
    print(f"PAIR_INTERCEPT = {model.intercept_[0]:.2f}")
    print(f"in use: {grouping.PAIR_WEIGHTS} {grouping.PAIR_INTERCEPT}")
    for name, part in (("fitting half", fit_rows), ("held-out half", held_rows)):
        precision, recall = pairwise(part, grouping.group_records(part, threshold=args.threshold))
        print(f"{name}: {len(part)} voices, precision {precision:.3f}, recall {recall:.3f}")


if __name__ == "__main__":
    main()
