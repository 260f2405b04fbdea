"""Accuracy of issue grouping and topic suggestion (issue 4, "Accuracy"; issue 15, item 1).

    .venv/bin/python bench/eval_insight.py [--sets own,dev,sealed,external] [--json OUT]
        [--data bench/insight_eval] [--external ../shared/insight] [--errors] [--seeds 1,2,3]

One run evaluates, on each set asked for,

- ``own``: the project's own set ``bench/insight_eval/voices.jsonl`` (written and tuned here);
- ``dev``: the external set (``external_dev_voices.jsonl`` in ``--external``, by default
  ``../shared/insight`` next to the repository: written independently of this project) less its
  sealed communes: the part one may develop on;
- ``sealed``: the communes listed in ``bench/insight_external/sealed_units.txt`` (chosen once,
  see ``bench/insight_external/README.md``): ONLY AGGREGATE FIGURES are ever printed or written
  for it, never a voice, a pair, a group or a confusion matrix;
- ``external``: the whole external set (dev + sealed; aggregates only, as it contains the sealed
  part),

two methods:

- the chosen method, along ``manage.py group_file``'s code path: ``group_records`` at its
  default threshold on the records ``{id, text, unit}`` of the whole file (gold fields and
  ``kind`` dropped, as ``group_file`` reads them), topics from ``seed_classifier()``. The
  external file is run once as a whole; a part is scored on its communes (grouping never
  crosses a commune, so the part's pairs are exactly the whole run's pairs within it);
- the baseline of issue 15: character 2-5-grams (``char_wb``) of diacritics-folded lowercased
  text, TF-IDF (sublinear tf) fitted on the file, cosine, average linkage within a commune, cut
  at one similarity threshold. The threshold is the best-F1 one ON THE DEV PART and is applied
  as is to every set; the best threshold of each set itself is also given, labelled "oracle";

and these figures: pairwise precision, recall, F1 (and B-cubed); recall on gold pairs where
both voices are written with diacritics, neither is, or one is (a voice "has diacritics" when
at least 5% of its letters carry a Vietnamese mark or are đ: on these sets the share is either 0
or above 0.19); on the hard negatives (``hard_negatives.json``: for each pair of look-alike
gold issues, the share of their cross voice pairs the method joins, per type a/b/c; a negative
belongs to a part when both its communes do); topic accuracy, per topic, and the confusion
matrix (own and dev only); the time of each method. ``--errors`` prints wrong and missed pairs
and topic errors for the own set and the dev part only. No database is used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
django.setup()

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform
from sklearn.feature_extraction.text import TfidfVectorizer

from danvan.deadlines.models import VoiceKind

TOPICS = {
    "land",
    "environment",
    "infrastructure",
    "social_policy",
    "health",
    "education",
    "public_order",
    "officials_conduct",
    "religion_ethnicity",
    "other",
}
FIELDS = ("id", "text", "unit", "kind", "topic", "group")
GOLD_FIELDS = ("topic", "group")
MIN_VOICES = 2000
MIN_GROUPS = 300
TARGETS = {"precision": 0.95, "recall": 0.85, "topic_accuracy": 0.85}


# ------------------------------------------------------------------------ data


class BadData(SystemExit):
    pass


def load(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise BadData(f"{path} is missing (the own set: run bench/insight_eval/build.py)")
    rows = []
    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise BadData(f"{path}:{number}: not JSON ({exc})") from exc
            missing = [f for f in FIELDS if not isinstance(row.get(f), str) or not row[f]]
            if missing:
                raise BadData(f"{path}:{number}: missing or empty {missing}")
            rows.append(row)
    return rows


def nghe_an_codes() -> set[str]:
    from vietnam_provinces import Ward

    return {f"{int(w.code):05d}" for w in Ward.iter_all() if int(w.province_code) == 40}


def validate(rows: list[dict[str, str]], name: str, *, test: bool) -> None:
    """Fail loudly on malformed data."""
    ids = Counter(r["id"] for r in rows)
    dupes = [i for i, c in ids.items() if c > 1]
    if dupes:
        raise BadData(f"{name}: duplicate ids {dupes[:5]}")
    codes = nghe_an_codes()
    kinds = set(VoiceKind.values)
    for r in rows:
        if r["unit"] not in codes:
            raise BadData(f"{name}: {r['id']}: {r['unit']} is not a commune code of Nghệ An")
        if r["topic"] not in TOPICS:
            raise BadData(f"{name}: {r['id']}: unknown topic {r['topic']!r}")
        if r["kind"] not in kinds:
            raise BadData(f"{name}: {r['id']}: unknown kind {r['kind']!r}")
    if len(rows) < MIN_VOICES:
        raise BadData(f"{name}: {len(rows)} voices, at least {MIN_VOICES} are needed")
    if not test:
        return
    units: dict[str, set[str]] = defaultdict(set)
    topics: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        units[r["group"]].add(r["unit"])
        topics[r["group"]].add(r["topic"])
    spread = [g for g, u in units.items() if len(u) > 1]
    if spread:
        raise BadData(f"{name}: groups spanning several communes: {spread[:5]}")
    mixed = [g for g, t in topics.items() if len(t) > 1]
    if mixed:
        raise BadData(f"{name}: groups with several topics: {mixed[:5]}")
    if len(units) < MIN_GROUPS:
        raise BadData(f"{name}: {len(units)} groups, at least {MIN_GROUPS} are needed")


# --------------------------------------------------------------------- metrics


def _pairs(counts: Any) -> int:
    return int(sum(c * (c - 1) // 2 for c in counts))


def pairwise(gold: list[str], predicted: list[str]) -> dict[str, float]:
    """Pairwise precision, recall, F1 of a clustering against gold (exact, by counting)."""
    together_pred = _pairs(Counter(predicted).values())
    together_gold = _pairs(Counter(gold).values())
    right = _pairs(Counter(zip(gold, predicted, strict=True)).values())
    precision = right / together_pred if together_pred else 1.0
    recall = right / together_gold if together_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    # B-cubed (per voice, then averaged): less dominated by the few big groups than pairs.
    cell = Counter(zip(gold, predicted, strict=True))
    size_gold, size_pred = Counter(gold), Counter(predicted)
    n = len(gold)
    b3_precision = sum(c * c / size_pred[p] for (_, p), c in cell.items()) / n
    b3_recall = sum(c * c / size_gold[g] for (g, _), c in cell.items()) / n
    return {
        "bcubed_precision": b3_precision,
        "bcubed_recall": b3_recall,
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "pairs_predicted": together_pred,
        "pairs_gold": together_gold,
        "pairs_right": right,
        "groups_predicted": len(set(predicted)),
        "groups_gold": len(set(gold)),
    }


def topic_report(gold: list[str], predicted: list[str]) -> dict[str, Any]:
    right = sum(g == p for g, p in zip(gold, predicted, strict=True))
    per: dict[str, dict[str, float]] = {}
    for t in sorted(set(gold)):
        idx = [i for i, g in enumerate(gold) if g == t]
        ok = sum(predicted[i] == t for i in idx)
        per[t] = {"n": len(idx), "accuracy": ok / len(idx)}
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    matrix: dict[str, dict[str, int]] = defaultdict(dict)
    for (g, p), c in Counter(zip(gold, predicted, strict=True)).items():
        matrix[g][p] = c
    return {
        "accuracy": right / len(gold),
        "per_topic": per,
        "matrix": {g: dict(sorted(row.items())) for g, row in sorted(matrix.items())},
        "confusions": [
            {"gold": g, "predicted": p, "count": c} for (g, p), c in confusions.most_common(8)
        ],
    }


# -------------------------------------------------------------- error analysis


def load_sidecars(data: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]] | None:
    """``groups.jsonl`` and ``voices_meta.jsonl`` (written by build.py, never shown to a
    method): what each gold issue is and how each voice was written."""
    gpath, mpath = data / "groups.jsonl", data / "voices_meta.jsonl"
    if not gpath.exists() or not mpath.exists():
        return None
    with open(gpath, encoding="utf-8") as fh:
        groups = {g["group"]: g for g in map(json.loads, fh)}
    with open(mpath, encoding="utf-8") as fh:
        meta = {m["id"]: m for m in map(json.loads, fh)}
    return groups, meta


def same_place(a: dict[str, Any], b: dict[str, Any]) -> bool:
    shared = set(a["key_slots"]) & set(b["key_slots"])
    if not shared:
        return not a["key_slots"] and not b["key_slots"]
    return all(a["place"][s] == b["place"][s] for s in shared)


def wrong_pair_kind(a: dict[str, Any], b: dict[str, Any]) -> str:
    if a["unit"] != b["unit"]:
        return "other commune"
    if a["matter"] == b["matter"]:
        return "same problem, other place in the commune"
    if same_place(a, b):
        return "same place, other problem"
    return "other problem, other place in the commune"


def analyse(
    rows: list[dict[str, str]],
    labels: list[str],
    sidecars: tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]],
) -> dict[str, Any]:
    """Where the wrongly joined pairs come from, and recall by how the voices were written."""
    groups, meta = sidecars
    wrong: Counter[str] = Counter()
    for idx in _index_by(labels).values():
        per_gold = Counter(rows[i]["group"] for i in idx)
        golds = sorted(per_gold)
        for x, ga in enumerate(golds):
            for gb in golds[x + 1 :]:
                wrong[wrong_pair_kind(groups[ga], groups[gb])] += per_gold[ga] * per_gold[gb]
    total_wrong = sum(wrong.values())
    found: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for idx in _index_by([r["group"] for r in rows]).values():
        for x, i in enumerate(idx):
            mi = meta[rows[i]["id"]]
            for j in idx[x + 1 :]:
                mj = meta[rows[j]["id"]]
                cats = ["same phrasing" if mi["phrasing"] == mj["phrasing"] else "other phrasing"]
                if mi["no_diacritics"] != mj["no_diacritics"]:
                    cats.append("one with, one without diacritics")
                if mi["abbreviated"] or mj["abbreviated"]:
                    cats.append("abbreviations in either")
                if mi["typos"] or mj["typos"]:
                    cats.append("typos in either")
                for c in cats:
                    seen[c] += 1
                    found[c] += labels[i] == labels[j]
    return {
        "wrongly_joined_pairs": total_wrong,
        "wrongly_joined_by_kind": {
            k: {"pairs": v, "share": v / total_wrong} for k, v in wrong.most_common()
        },
        "recall_by_pair_kind": {
            c: {"pairs": seen[c], "recall": found[c] / seen[c]} for c in sorted(seen)
        },
    }


def print_analysis(name: str, a: dict[str, Any]) -> None:
    print(f"\n{name}: {a['wrongly_joined_pairs']} wrongly joined pairs")
    for k, v in a["wrongly_joined_by_kind"].items():
        print(f"  {k:45s} {v['pairs']:6d}  {v['share']:.1%}")
    print("  recall by pair kind:")
    for k, v in a["recall_by_pair_kind"].items():
        print(f"  {k:45s} {v['pairs']:6d}  {v['recall']:.3f}")


# ---------------------------------------------------------------- external set

SETS = ("own", "dev", "sealed", "external")
# Sets of which only aggregate figures are printed or written: the sealed part, and the whole
# external set (it contains the sealed part, so its errors are the sealed part's errors too).
AGGREGATE_ONLY = frozenset({"sealed", "external"})
DEFAULT_EXTERNAL = ROOT.parent / "shared" / "insight"
EXTERNAL_VOICES = "external_dev_voices.jsonl"
EXTERNAL_NEGATIVES = "hard_negatives.json"
SEALED_LIST = ROOT / "bench" / "insight_external" / "sealed_units.txt"
# The sealed split (bench/insight_external/README.md): chosen once with this salt and share.
SPLIT_SALT = "danvan-issue-15-sealed-v1"
SPLIT_SHARE = 1 / 3
NEGATIVE_TYPES = ("a", "b", "c")
NEGATIVE_FIELDS = ("group_a", "group_b", "type", "unit_a", "unit_b")


def ward_codes() -> set[str]:
    from vietnam_provinces import Ward

    return {f"{int(w.code):05d}" for w in Ward.iter_all()}


def load_negatives(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        raise BadData(f"{path} is missing")
    negatives = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(negatives, list):
        raise BadData(f"{path}: not a JSON list")
    for number, n in enumerate(negatives, 1):
        missing = [f for f in NEGATIVE_FIELDS if not isinstance(n.get(f), str) or not n[f]]
        if missing:
            raise BadData(f"{path}: negative {number}: missing or empty {missing}")
        if n["type"] not in NEGATIVE_TYPES:
            raise BadData(f"{path}: negative {number}: unknown type {n['type']!r}")
    return list(negatives)


def validate_external(rows: list[dict[str, str]], negatives: list[dict[str, str]]) -> None:
    """Fail loudly on malformed external data (any commune of the 2025 structure)."""
    ids = Counter(r["id"] for r in rows)
    dupes = [i for i, c in ids.items() if c > 1]
    if dupes:
        raise BadData(f"{EXTERNAL_VOICES}: duplicate ids {dupes[:5]}")
    codes = ward_codes()
    kinds = set(VoiceKind.values)
    units: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        if r["unit"] not in codes:
            raise BadData(f"{EXTERNAL_VOICES}: {r['id']}: {r['unit']} is not a commune code")
        if r["topic"] not in TOPICS:
            raise BadData(f"{EXTERNAL_VOICES}: {r['id']}: unknown topic {r['topic']!r}")
        if r["kind"] not in kinds:
            raise BadData(f"{EXTERNAL_VOICES}: {r['id']}: unknown kind {r['kind']!r}")
        units[r["group"]].add(r["unit"])
    spread = [g for g, u in units.items() if len(u) > 1]
    if spread:
        raise BadData(f"{EXTERNAL_VOICES}: groups spanning several communes: {spread[:5]}")
    for n in negatives:
        for side in ("a", "b"):
            group, unit = n[f"group_{side}"], n[f"unit_{side}"]
            if units.get(group) != {unit}:
                raise BadData(f"{EXTERNAL_NEGATIVES}: group {group} is not a group of unit {unit}")


def _split_key(unit: str) -> str:
    return hashlib.sha256(f"{SPLIT_SALT}:{unit}".encode()).hexdigest()


def split_stratum(groups_in_unit: int, types: set[str]) -> str:
    """Communes carrying a type c negative, else a type b one, else several groups, else one."""
    if "c" in types:
        return "c"
    if "b" in types:
        return "b"
    return "several groups" if groups_in_unit > 1 else "one group"


def choose_sealed_units(rows: list[dict[str, str]], negatives: list[dict[str, str]]) -> list[str]:
    """The rule the committed list was made with: in each stratum, the third (rounded, at least
    one) of the communes whose salted SHA-256 comes first."""
    groups: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        groups[r["unit"]].add(r["group"])
    types: dict[str, set[str]] = defaultdict(set)
    for n in negatives:
        types[n["unit_a"]].add(n["type"])
        types[n["unit_b"]].add(n["type"])
    strata: dict[str, list[str]] = defaultdict(list)
    for unit in groups:
        strata[split_stratum(len(groups[unit]), types[unit])].append(unit)
    sealed: list[str] = []
    for units in strata.values():
        units.sort(key=_split_key)
        sealed += units[: max(1, round(len(units) * SPLIT_SHARE))]
    return sorted(sealed)


def read_sealed_units(path: Path) -> set[str]:
    if not path.exists():
        raise BadData(f"{path} is missing: the sealed split is committed there")
    lines = (
        line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines()
    )
    return {line for line in lines if line}


# ------------------------------------------------------------------- diacritics

MARKED_SHARE = 0.05


def marked_share(text: str) -> float:
    """The share of letters that carry a Vietnamese mark (tone or vowel mark) or are đ."""
    letters = [c for c in unicodedata.normalize("NFC", text) if c.isalpha()]
    marked = sum(c in "đĐ" or unicodedata.normalize("NFD", c) != c for c in letters)
    return marked / len(letters) if letters else 0.0


def has_diacritics(text: str) -> bool:
    return marked_share(text) >= MARKED_SHARE


def fold(text: str) -> str:
    """Lowercase, đ -> d, every combining mark dropped."""
    decomposed = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# ---------------------------------------------------------------------- scoring


def _index_by(labels: Iterable[Any]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        out[str(label)].append(i)
    return out


def recall_by_diacritics(
    rows: list[dict[str, str]], labels: list[str], idx: list[int], marked: list[bool]
) -> dict[str, dict[str, Any]]:
    seen: Counter[str] = Counter()
    found: Counter[str] = Counter()
    for members in _index_by(rows[i]["group"] for i in idx).values():
        voices = [idx[m] for m in members]
        for x, i in enumerate(voices):
            for j in voices[x + 1 :]:
                cat = (
                    "both"
                    if marked[i] and marked[j]
                    else "neither"
                    if not marked[i] and not marked[j]
                    else "mixed"
                )
                seen[cat] += 1
                found[cat] += labels[i] == labels[j]
    return {
        c: {"pairs": seen[c], "recall": found[c] / seen[c] if seen[c] else None}
        for c in ("both", "neither", "mixed")
    }


def hard_negative_report(
    rows: list[dict[str, str]], labels: list[str], negatives: list[dict[str, str]]
) -> dict[str, Any]:
    """Per type: the share of the cross voice pairs of each look-alike pair of issues that the
    method joins (summed over the negatives), and how many negatives it joins at all."""
    members: dict[str, Counter[str]] = defaultdict(Counter)
    for r, label in zip(rows, labels, strict=True):
        members[r["group"]][label] += 1
    per_type: dict[str, dict[str, Any]] = {}
    each = []
    for t in NEGATIVE_TYPES:
        cross = joined = touched = count = 0
        for n in (n for n in negatives if n["type"] == t):
            a, b = members[n["group_a"]], members[n["group_b"]]
            pairs = sum(a.values()) * sum(b.values())
            wrong = sum(c * b[label] for label, c in a.items())
            cross, joined, touched, count = (
                cross + pairs,
                joined + wrong,
                touched + bool(wrong),
                count + 1,
            )
            each.append({**n, "cross_pairs": pairs, "joined": wrong, "share": wrong / pairs})
        per_type[t] = {
            "negatives": count,
            "cross_pairs": cross,
            "joined": joined,
            "share_joined": joined / cross if cross else None,
            "negatives_joined": touched,
        }
    return {"per_type": per_type, "each": each}


def score(
    rows: list[dict[str, str]],
    labels: list[str],
    idx: list[int],
    marked: list[bool],
    negatives: list[dict[str, str]],
) -> dict[str, Any]:
    part = [rows[i] for i in idx]
    m: dict[str, Any] = pairwise([r["group"] for r in part], [labels[i] for i in idx])
    m["recall_by_diacritics"] = recall_by_diacritics(rows, labels, idx, marked)
    if negatives:
        m["hard_negatives"] = hard_negative_report(part, [labels[i] for i in idx], negatives)
    return m


# --------------------------------------------------------------------- baseline

THRESHOLDS = [round(float(t), 2) for t in np.arange(0.02, 0.901, 0.01)]


class Baseline:
    """Character 2-5-grams (within words) of folded text, TF-IDF fitted on the file, cosine,
    average linkage within each commune, cut at a similarity threshold."""

    def __init__(self, rows: list[dict[str, str]]) -> None:
        start = time.perf_counter()
        vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)
        X = vec.fit_transform([fold(r["text"]) for r in rows])
        self.n = len(rows)
        self.blocks = _index_by(r["unit"].split("-", 1)[0] for r in rows)
        self.trees = {}
        for unit, idx in self.blocks.items():
            if len(idx) > 1:
                distance = 1.0 - (X[idx] @ X[idx].T).toarray()
                np.fill_diagonal(distance, 0.0)
                distance = np.clip((distance + distance.T) / 2, 0.0, None)
                self.trees[unit] = linkage(squareform(distance, checks=False), "average")
        self.seconds = time.perf_counter() - start

    def labels(self, threshold: float) -> list[str]:
        out = [""] * self.n
        for unit, idx in self.blocks.items():
            if unit in self.trees:
                clusters = fcluster(self.trees[unit], 1.0 - threshold, criterion="distance")
            else:
                clusters = np.ones(len(idx), dtype=int)
            for i, c in zip(idx, clusters, strict=True):
                out[i] = f"{unit}:{c}"
        return out

    def sweep(self, rows: list[dict[str, str]], idx: list[int]) -> list[dict[str, float]]:
        gold = [rows[i]["group"] for i in idx]
        out = []
        for t in THRESHOLDS:
            labels = self.labels(t)
            m = pairwise(gold, [labels[i] for i in idx])
            out.append({"threshold": t, **{k: m[k] for k in ("precision", "recall", "f1")}})
        return out


def best_threshold(sweep: list[dict[str, float]]) -> float:
    return max(sweep, key=lambda m: (m["f1"], -m["threshold"]))["threshold"]


# --------------------------------------------------------------- chosen method


def run_chosen(rows: list[dict[str, str]]) -> dict[str, Any]:
    """What ``manage.py group_file IN OUT`` does with the file: group_records at its default
    threshold over ``{id, text, unit}``, topics from the seed classifier."""
    try:
        from danvan.insight.grouping import DEFAULT_THRESHOLD, group_records
        from danvan.insight.seed import seed_classifier
    except ImportError as exc:
        return {"missing": f"danvan.insight (group_records, seed_classifier) not available ({exc})"}
    records = [{"id": r["id"], "text": r["text"], "unit": r["unit"]} for r in rows]
    try:
        start = time.perf_counter()
        labels = [str(x) for x in group_records(records)]
        grouping = time.perf_counter() - start
        start = time.perf_counter()
        classifier = seed_classifier()
        trained = time.perf_counter() - start
        start = time.perf_counter()
        topics = [
            str(label) for label, _confidence in classifier.predict([r["text"] for r in rows])
        ]
        predicting = time.perf_counter() - start
    except Exception:
        return {"error": traceback.format_exc()}
    if len(labels) != len(rows) or len(topics) != len(rows):
        return {"error": f"{len(labels)} groups, {len(topics)} topics for {len(rows)} records"}
    return {
        "labels": labels,
        "topics": topics,
        "threshold": DEFAULT_THRESHOLD,
        "seconds": {
            "grouping": grouping,
            "topic_model": trained,
            "topics": predicting,
        },
    }


def chosen_topics(train: list[dict[str, str]], test: list[dict[str, str]]) -> dict[str, Any]:
    """Own set only: the topic classifier trained on ``train.jsonl`` (issue 4's figure)."""
    try:
        from danvan.insight.topics import TopicClassifier
    except ImportError as exc:
        return {"missing": f"danvan.insight.topics.TopicClassifier not available ({exc})"}
    try:
        start = time.perf_counter()
        model = TopicClassifier.train([r["text"] for r in train], [r["topic"] for r in train])
        trained = time.perf_counter() - start
        out = model.predict([r["text"] for r in test])
    except Exception:
        return {"error": traceback.format_exc()}
    report = topic_report([r["topic"] for r in test], [str(label) for label, _c in out])
    report["train_seconds"] = trained
    return report


# ------------------------------------------------------------------ one file


def describe_part(
    rows: list[dict[str, str]], idx: list[int], negatives: list[dict[str, str]], marked: list[bool]
) -> dict[str, Any]:
    groups = Counter(rows[i]["group"] for i in idx)
    sizes = Counter(groups.values())
    return {
        "voices": len(idx),
        "groups": len(groups),
        "communes": len({rows[i]["unit"] for i in idx}),
        "singletons": sizes.get(1, 0),
        "groups_2_5": sum(c for s, c in sizes.items() if 2 <= s <= 5),
        "groups_6_plus": sum(c for s, c in sizes.items() if s >= 6),
        "largest_group": max(sizes) if sizes else 0,
        "gold_pairs": _pairs(groups.values()),
        "voices_without_diacritics": sum(not marked[i] for i in idx),
        "hard_negatives": dict(Counter(n["type"] for n in negatives)),
    }


class FileRun:
    """Both methods run once over one file; parts are scored on their communes."""

    def __init__(self, rows: list[dict[str, str]], negatives: list[dict[str, str]]) -> None:
        self.rows = rows
        self.negatives = negatives
        self.marked = [has_diacritics(r["text"]) for r in rows]
        self.chosen = run_chosen(rows)
        self.baseline = Baseline(rows)

    def part(self, units: set[str] | None) -> tuple[list[int], list[dict[str, str]]]:
        idx = [i for i, r in enumerate(self.rows) if units is None or r["unit"] in units]
        negatives = [
            n
            for n in self.negatives
            if units is None or (n["unit_a"] in units and n["unit_b"] in units)
        ]
        return idx, negatives

    def evaluate(self, units: set[str] | None, dev_threshold: float | None) -> dict[str, Any]:
        idx, negatives = self.part(units)
        rows = self.rows
        out: dict[str, Any] = {"data": describe_part(rows, idx, negatives, self.marked)}
        if "labels" in self.chosen:
            m = score(rows, self.chosen["labels"], idx, self.marked, negatives)
            m["threshold"] = self.chosen["threshold"]
            m["topics"] = topic_report(
                [rows[i]["topic"] for i in idx], [self.chosen["topics"][i] for i in idx]
            )
            out["chosen"] = m
        else:
            out["chosen"] = {k: v for k, v in self.chosen.items() if k in ("missing", "error")}
        sweep = self.baseline.sweep(rows, idx)
        oracle = best_threshold(sweep)
        out["baseline"] = {
            "oracle": score(rows, self.baseline.labels(oracle), idx, self.marked, negatives)
        }
        out["baseline"]["oracle"]["threshold"] = oracle
        if dev_threshold is not None:
            at_dev = score(rows, self.baseline.labels(dev_threshold), idx, self.marked, negatives)
            at_dev["threshold"] = dev_threshold
            out["baseline"]["dev_threshold"] = at_dev
        out["baseline"]["sweep"] = sweep
        return out

    def timing(self) -> dict[str, Any]:
        t0 = time.perf_counter()
        self.baseline.labels(0.2)
        cut = time.perf_counter() - t0
        return {
            "voices": len(self.rows),
            "chosen": self.chosen.get("seconds"),
            "baseline": {"tfidf_and_linkage": self.baseline.seconds, "one_cut": cut},
        }


def seal(report: dict[str, Any]) -> dict[str, Any]:
    """Aggregates only: no confusion matrix, no per-negative rows, no threshold sweep."""
    for method in ("chosen", "baseline"):
        for m in _scores(report.get(method, {})):
            m.pop("labels", None)
            if "hard_negatives" in m:
                m["hard_negatives"].pop("each", None)
            if "topics" in m:
                m["topics"].pop("matrix", None)
                m["topics"].pop("confusions", None)
    report.get("baseline", {}).pop("sweep", None)
    return report


def _scores(method: dict[str, Any]) -> list[dict[str, Any]]:
    if "precision" in method:
        return [method]
    return [m for m in method.values() if isinstance(m, dict) and "precision" in m]


# ------------------------------------------------------------------- printing


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _rows_of(name: str, report: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    chosen = report["chosen"]
    if "precision" in chosen:
        out.append(("chosen (group_file)", chosen))
    base = report["baseline"]
    if "dev_threshold" in base:
        out.append(("baseline, dev threshold", base["dev_threshold"]))
    out.append(("baseline, ORACLE best on this set", base["oracle"]))
    return out


def print_sets(reports: dict[str, dict[str, Any]]) -> None:
    print("\nSets")
    print(
        "| set | voices | groups (1 / 2-5 / 6+) | communes | gold pairs | without diacritics "
        "| hard negatives a / b / c |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, rep in reports.items():
        d = rep["data"]
        hn = " / ".join(str(d["hard_negatives"].get(t, 0)) for t in NEGATIVE_TYPES)
        print(
            f"| {name} | {d['voices']} | {d['groups']} ({d['singletons']} / {d['groups_2_5']} / "
            f"{d['groups_6_plus']}) | {d['communes']} | {d['gold_pairs']} | "
            f"{d['voices_without_diacritics']} | {hn} |"
        )
    for name, rep in reports.items():
        if "precision" not in rep["chosen"]:
            print(f"chosen method on {name}: {rep['chosen'].get('missing') or 'FAILED'}")
            if "error" in rep["chosen"]:
                print(rep["chosen"]["error"])


def print_grouping(reports: dict[str, dict[str, Any]]) -> None:
    print("\nGrouping, pairwise (targets: precision >= 0.95, recall >= 0.85)")
    print("| set | method | precision | recall | F1 | B-cubed P / R | groups | threshold |")
    print("|---|---|---|---|---|---|---|---|")
    for name, rep in reports.items():
        for label, m in _rows_of(name, rep):
            print(
                f"| {name} | {label} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
                f"{m['bcubed_precision']:.3f} / {m['bcubed_recall']:.3f} | "
                f"{m['groups_predicted']} ({m['groups_gold']}) | {m['threshold']} |"
            )
    print("\nRecall on gold pairs by diacritics (both voices with / neither / one of the two)")
    print("| set | method | both | neither | mixed |")
    print("|---|---|---|---|---|")
    for name, rep in reports.items():
        for label, m in _rows_of(name, rep):
            cells = [
                f"{_f(v['recall'])} (n={v['pairs']})" for v in m["recall_by_diacritics"].values()
            ]
            print(f"| {name} | {label} | " + " | ".join(cells) + " |")
    with_negatives = {n: r for n, r in reports.items() if r["data"]["hard_negatives"]}
    if with_negatives:
        print(
            "\nHard negatives: share of the cross voice pairs joined "
            "(negatives with any pair joined / negatives)"
        )
        print(
            "| set | method | a: same problem, other commune | b: same commune, similar "
            "words | c: same commune and topic, other object |"
        )
        print("|---|---|---|---|---|")
        for name, rep in with_negatives.items():
            for label, m in _rows_of(name, rep):
                cells = [
                    f"{_f(v['share_joined'])} ({v['negatives_joined']}/{v['negatives']})"
                    for v in m["hard_negatives"]["per_type"].values()
                ]
                print(f"| {name} | {label} | " + " | ".join(cells) + " |")


def print_topics(reports: dict[str, dict[str, Any]], own_trained: dict[str, Any] | None) -> None:
    scored = {n: r["chosen"]["topics"] for n, r in reports.items() if "topics" in r["chosen"]}
    if not scored:
        return
    print("\nTopics, seed classifier as group_file (accuracy; target >= 0.85)")
    print("| topic | " + " | ".join(scored) + " |")
    print("|---|" + "---|" * len(scored))
    print("| **all** | " + " | ".join(f"**{t['accuracy']:.3f}**" for t in scored.values()) + " |")
    for topic in sorted(TOPICS):
        cells = []
        for t in scored.values():
            p = t["per_topic"].get(topic)
            cells.append(f"{p['accuracy']:.3f} (n={p['n']})" if p else "-")
        print(f"| {topic} | " + " | ".join(cells) + " |")
    if own_trained and "accuracy" in own_trained:
        print(
            f"own set, TopicClassifier trained on train.jsonl instead (issue 4's figure): "
            f"{own_trained['accuracy']:.3f}"
        )
    for name, t in scored.items():
        if name in AGGREGATE_ONLY:
            continue
        print(f"\nConfusion matrix, {name} (rows gold, columns predicted)")
        topics = sorted(TOPICS)
        short = [x[:6] for x in topics]
        print(f"{'':20s}" + "".join(f"{s:>7s}" for s in short))
        for g in topics:
            row = t["matrix"].get(g, {})
            if row:
                print(f"{g:20s}" + "".join(f"{row.get(p, 0) or '.':>7}" for p in topics))


def print_timing(timing: dict[str, Any]) -> None:
    print("\nTime (seconds; each file is run once, its parts are scored on the same run)")
    for name, t in timing.items():
        c = t["chosen"] or {}
        b = t["baseline"]
        chosen = (
            f"chosen grouping {c['grouping']:.2f}, topic model {c['topic_model']:.2f}, "
            f"topics {c['topics']:.2f}"
            if c
            else "chosen -"
        )
        print(
            f"  {name} file ({t['voices']} voices): {chosen}; baseline TF-IDF + linkage "
            f"{b['tfidf_and_linkage']:.2f}, one cut {b['one_cut']:.3f}"
        )


# ------------------------------------------------------------- errors (dev, own)

ERROR_EXAMPLES = 12


def _short(text: str, width: int = 110) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def print_errors(
    name: str, run: FileRun, units: set[str] | None, baseline_threshold: float
) -> None:
    if name in AGGREGATE_ONLY:
        raise AssertionError("errors are never printed for the sealed part or the whole set")
    idx, negatives = run.part(units)
    rows = run.rows
    methods = []
    if "labels" in run.chosen:
        methods.append(("chosen", run.chosen["labels"]))
    methods.append((f"baseline at {baseline_threshold}", run.baseline.labels(baseline_threshold)))
    for method, labels in methods:
        print(f"\n=== Errors, {name}, {method}")
        wrong = []
        for members in _index_by(labels[i] for i in idx).values():
            voices = [idx[m] for m in members]
            for x, i in enumerate(voices):
                for j in voices[x + 1 :]:
                    if rows[i]["group"] != rows[j]["group"]:
                        wrong.append((i, j))
        missed = []
        for members in _index_by(rows[i]["group"] for i in idx).values():
            voices = [idx[m] for m in members]
            for x, i in enumerate(voices):
                for j in voices[x + 1 :]:
                    if labels[i] != labels[j]:
                        missed.append((i, j))
        for title, pairs in (("wrongly joined", wrong), ("missed", missed)):
            print(f"{title}: {len(pairs)} pairs; examples:")
            for i, j in pairs[:: max(1, len(pairs) // ERROR_EXAMPLES)][:ERROR_EXAMPLES]:
                for k in (i, j):
                    r = rows[k]
                    print(f"  {r['unit']} {r['group']:>8s} {r['id']}: {_short(r['text'])}")
                print()
        if negatives:
            joined = [
                n
                for n in hard_negative_report(
                    [rows[i] for i in idx], [labels[i] for i in idx], negatives
                )["each"]
                if n["joined"]
            ]
            print(f"hard negatives joined: {len(joined)}")
            for n in joined:
                print(
                    f"  {n['type']} {n['group_a']} / {n['group_b']}: {n['joined']}/"
                    f"{n['cross_pairs']} ({n.get('note', '')})"
                )
    if "topics" in run.chosen:
        bad = [i for i in idx if run.chosen["topics"][i] != rows[i]["topic"]]
        print(f"\n=== Topic errors, {name}: {len(bad)} voices; examples:")
        for i in bad[:: max(1, len(bad) // ERROR_EXAMPLES)][:ERROR_EXAMPLES]:
            r = rows[i]
            print(f"  {r['topic']} -> {run.chosen['topics'][i]}: {_short(r['text'])}")


# ------------------------------------------------------------------------ main


def git_head() -> str:
    try:
        out = subprocess.run(  # noqa: S603 - fixed arguments
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],  # noqa: S607
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def summary(seed: int) -> dict[str, Any]:
    """Build the own set with another seed and evaluate it in a child process; one line."""
    with tempfile.TemporaryDirectory() as tmp:
        build = ROOT / "bench" / "insight_eval" / "build.py"
        subprocess.run(  # noqa: S603 - our own scripts, fixed arguments
            [sys.executable, str(build), "--seed", str(seed), "--out", tmp],
            check=True,
            capture_output=True,
        )
        out = Path(tmp) / "figures.json"
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--sets", "own", "--data", tmp, "--json", str(out)],
            check=True,
            capture_output=True,
        )
        figures = json.loads(out.read_text(encoding="utf-8"))["sets"]["own"]

    def prf(m: dict[str, Any] | None) -> str:
        if not m or "precision" not in m:
            return "-"
        return f"{m['precision']:.3f} / {m['recall']:.3f} / {m['f1']:.3f}"

    chosen = figures["chosen"]
    return {
        "seed": seed,
        "voices": figures["data"]["voices"],
        "groups": figures["data"]["groups"],
        "baseline_grouping": prf(figures["baseline"]["oracle"]),
        "chosen_grouping": prf(chosen),
        "topics": _f(chosen.get("topics", {}).get("accuracy")),
    }


def parse_sets(value: str) -> list[str]:
    sets = [s.strip() for s in value.split(",") if s.strip()]
    unknown = [s for s in sets if s not in SETS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown sets {unknown}; choose among {', '.join(SETS)}")
    return [s for s in SETS if s in sets]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sets",
        type=parse_sets,
        default=list(SETS),
        help=f"comma-separated sets to report, among {','.join(SETS)} (default: all)",
    )
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "insight_eval")
    parser.add_argument(
        "--external",
        type=Path,
        default=DEFAULT_EXTERNAL,
        help=f"directory of the external set (default {DEFAULT_EXTERNAL})",
    )
    parser.add_argument("--sealed", type=Path, default=SEALED_LIST, help="the sealed communes")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    parser.add_argument(
        "--errors",
        action="store_true",
        help="print wrong and missed pairs and topic errors (own set and dev part only)",
    )
    parser.add_argument(
        "--choose-split",
        action="store_true",
        help="print the sealed communes the split rule gives on the external set, and stop "
        "(the split was chosen once; the committed list is what counts)",
    )
    parser.add_argument(
        "--seeds",
        default="",
        help="also build the own set with these seeds (e.g. 1,2,3) in a temporary directory and "
        "print a summary line for each: a check that tuning did not fit one sample",
    )
    args = parser.parse_args()
    sets: list[str] = args.sets
    external_sets = [s for s in sets if s != "own"]

    ext_rows: list[dict[str, str]] = []
    negatives: list[dict[str, str]] = []
    if external_sets or args.choose_split or "own" in sets:
        vpath = args.external / EXTERNAL_VOICES
        if vpath.exists():
            ext_rows = load(vpath)
            negatives = load_negatives(args.external / EXTERNAL_NEGATIVES)
            validate_external(ext_rows, negatives)
        elif external_sets or args.choose_split:
            raise BadData(f"{vpath} is missing: give the external set's directory with --external")
        else:
            print(f"({vpath} is missing: the baseline on the own set has no dev threshold)")
    if args.choose_split:
        print(f"# sealed communes: salt {SPLIT_SALT!r}, share {SPLIT_SHARE:.3f} per stratum")
        print("\n".join(choose_sealed_units(ext_rows, negatives)))
        return

    reports: dict[str, dict[str, Any]] = {}
    timing: dict[str, Any] = {}
    split: dict[str, Any] = {}
    ext_run: FileRun | None = None
    sealed: set[str] = set()
    dev: set[str] = set()
    dev_threshold: float | None = None
    if ext_rows:
        sealed = read_sealed_units(args.sealed)
        units = {r["unit"] for r in ext_rows}
        unknown = sorted(sealed - units)
        if unknown:
            raise BadData(f"{args.sealed}: communes not in the external set: {unknown[:5]}")
        dev = units - sealed
        split = {
            "sealed_list": str(
                args.sealed.relative_to(ROOT) if args.sealed.is_relative_to(ROOT) else args.sealed
            ),
            "sealed_communes": len(sealed),
            "dev_communes": len(dev),
            "negatives_across_the_split": sum(
                (n["unit_a"] in sealed) != (n["unit_b"] in sealed) for n in negatives
            ),
            "list_matches_the_rule": set(choose_sealed_units(ext_rows, negatives)) == sealed,
        }
        ext_run = FileRun(ext_rows, negatives)
        idx, _ = ext_run.part(dev)
        dev_threshold = best_threshold(ext_run.baseline.sweep(ext_rows, idx))
        timing["external"] = ext_run.timing()

    own_run: FileRun | None = None
    own_trained: dict[str, Any] | None = None
    if "own" in sets:
        rows = load(args.data / "voices.jsonl")
        train = load(args.data / "train.jsonl")
        validate(rows, "voices.jsonl", test=True)
        validate(train, "train.jsonl", test=False)
        own_run = FileRun(rows, [])
        reports["own"] = own_run.evaluate(None, dev_threshold)
        own_trained = chosen_topics(train, rows)
        timing["own"] = own_run.timing()
    if ext_run is not None:
        parts = {"dev": dev, "sealed": sealed, "external": None}
        for name in external_sets:
            reports[name] = ext_run.evaluate(parts[name], dev_threshold)
    for name, rep in reports.items():
        if name in AGGREGATE_ONLY:
            seal(rep)
        else:
            for method in ("chosen", "baseline"):
                for m in _scores(rep[method]):
                    m.pop("labels", None)

    print(f"eval_insight at {git_head()}; sets: {', '.join(reports)}")
    if split:
        print(
            f"external set {args.external}: {len(ext_rows)} voices; sealed part "
            f"{split['sealed_communes']} communes ({args.sealed.name}), dev part "
            f"{split['dev_communes']}; {split['negatives_across_the_split']} type-a negatives "
            "straddle the split (counted in the whole set only); baseline threshold chosen on "
            f"dev: {dev_threshold}"
        )
        if not split["list_matches_the_rule"]:
            print(
                "note: the committed sealed list is not what the rule gives on this data "
                "(the data changed after the split was chosen); the committed list is used"
            )
    print("Only aggregate figures are ever shown for the sealed part and the whole external set.")
    print_sets(reports)
    print_grouping(reports)
    print_topics(reports, own_trained)
    print_timing(timing)

    if args.errors:
        if own_run is not None and dev_threshold is not None:
            print_errors("own", own_run, None, dev_threshold)
        elif own_run is not None:
            print_errors("own", own_run, None, reports["own"]["baseline"]["oracle"]["threshold"])
        if own_run is not None and (sidecars := load_sidecars(args.data)):
            print_analysis(
                "Chosen method, own set", analyse(own_run.rows, own_run.chosen["labels"], sidecars)
            )
        if ext_run is not None and "dev" in sets and dev_threshold is not None:
            print_errors("dev", ext_run, dev, dev_threshold)

    other_seeds = [summary(int(seed)) for seed in args.seeds.split(",") if seed.strip()]
    if other_seeds:
        print("\nOther samples of the own set (bench/insight_eval/build.py --seed N)")
        print(
            "| seed | voices / issues | baseline (oracle) P / R / F1 | chosen P / R / F1 | topics |"
        )
        print("|---|---|---|---|---|")
        for o in other_seeds:
            print(
                f"| {o['seed']} | {o['voices']} / {o['groups']} | {o['baseline_grouping']} "
                f"| {o['chosen_grouping']} | {o['topics']} |"
            )

    if args.json:
        out = {
            "commit": git_head(),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "targets": TARGETS,
            "split": split,
            "baseline_dev_threshold": dev_threshold,
            "sets": reports,
            "own_topics_trained_on_train_jsonl": own_trained,
            "timing": timing,
            "other_seeds": other_seeds,
        }
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
