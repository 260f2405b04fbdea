"""Accuracy of issue grouping and topic suggestion on the evaluation set (issue 4, "Accuracy").

    .venv/bin/python bench/eval_insight.py [--data bench/insight_eval] [--json OUT] [--seeds 1,2,3]

Reads ``voices.jsonl`` (test set: gold issue groups and topics) and ``train.jsonl`` (topic
training set) written by ``bench/insight_eval/build.py``, checks them, and measures in one run:

- grouping: pairwise precision, recall and F1 (a pair of voices is "together" when a method
  puts them in one group; it is right when the gold puts them in one issue);
    * baseline: TF-IDF cosine (character 2-4-grams within words, lowercased), ONE global
      threshold, comparisons only within a commune, connected components. It is reported at
      the threshold that is best ON THIS SET (best F1, and the best recall with precision
      >= 0.95): tuned on the test data, which favours the baseline;
    * the chosen method: ``danvan.insight.grouping.group_records``;
- topics: accuracy, per-topic accuracy and the most frequent confusions;
    * baseline: TF-IDF (syllable 1-2-grams on raw text) + LinearSVC trained on ``train.jsonl``;
    * the chosen method: ``danvan.insight.topics.TopicClassifier``;
- the run time of each method.

If the chosen methods cannot be imported yet, the script says so and reports the baselines.
No database is used.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
django.setup()

import numpy as np
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

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
        raise BadData(f"{path} is missing: run bench/insight_eval/build.py")
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
    return {
        "accuracy": right / len(gold),
        "per_topic": per,
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


def matter_accuracy(
    rows: list[dict[str, str]],
    predicted: list[str],
    sidecars: tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]],
) -> list[tuple[str, dict[str, Any]]]:
    """Topic accuracy per matter, worst first (which problems the classifier misreads)."""
    _, meta = sidecars
    seen: Counter[str] = Counter()
    right: Counter[str] = Counter()
    for r, p in zip(rows, predicted, strict=True):
        m = meta[r["id"]]["matter"]
        seen[m] += 1
        right[m] += p == r["topic"]
    acc = {m: {"n": seen[m], "accuracy": right[m] / seen[m]} for m in seen}
    return sorted(acc.items(), key=lambda kv: (kv[1]["accuracy"], -kv[1]["n"]))


def print_analysis(name: str, a: dict[str, Any]) -> None:
    print(f"\n{name}: {a['wrongly_joined_pairs']} wrongly joined pairs")
    for k, v in a["wrongly_joined_by_kind"].items():
        print(f"  {k:45s} {v['pairs']:6d}  {v['share']:.1%}")
    print("  recall by pair kind:")
    for k, v in a["recall_by_pair_kind"].items():
        print(f"  {k:45s} {v['pairs']:6d}  {v['recall']:.3f}")


# -------------------------------------------------------------------- baseline


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).lower()


def baseline_grouping(rows: list[dict[str, str]]) -> dict[str, Any]:
    """TF-IDF char_wb 2-4 cosine, one threshold, blocked by commune, connected components;
    swept over thresholds and reported at the best one for this set."""
    start = time.perf_counter()
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    X = vec.fit_transform([normalise(r["text"]) for r in rows])
    blocks: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(rows):
        blocks[r["unit"]].append(i)
    sims = {u: (X[idx] @ X[idx].T).toarray() for u, idx in blocks.items()}
    prepare = time.perf_counter() - start
    gold = [r["group"] for r in rows]
    sweep = []
    for threshold in np.round(np.arange(0.10, 0.951, 0.025), 3):
        t0 = time.perf_counter()
        labels = [""] * len(rows)
        for u, idx in blocks.items():
            _, comp = connected_components(sims[u] >= threshold, directed=False)
            for i, c in zip(idx, comp, strict=True):
                labels[i] = f"{u}:{c}"
        m = pairwise(gold, labels)
        m["labels"] = labels
        m["threshold"] = float(threshold)
        m["seconds"] = prepare + time.perf_counter() - t0
        sweep.append(m)
    best_f1 = max(sweep, key=lambda m: m["f1"])
    precise = [m for m in sweep if m["precision"] >= TARGETS["precision"]]
    best_at_p = max(precise, key=lambda m: m["recall"]) if precise else None
    labels = best_f1["labels"]
    for m in sweep:
        del m["labels"]
    return {
        "best_f1": best_f1,
        "best_f1_labels": labels,
        "best_recall_at_p95": best_at_p,
        "sweep": sweep,
    }


_SYLLABLE = re.compile(r"\w+")


def baseline_topics(train: list[dict[str, str]], test: list[dict[str, str]]) -> dict[str, Any]:
    start = time.perf_counter()
    vec = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), lowercase=True, sublinear_tf=True, min_df=1
    )
    Xtr = vec.fit_transform([unicodedata.normalize("NFC", r["text"]) for r in train])
    clf = LinearSVC(C=1.0).fit(Xtr, [r["topic"] for r in train])
    trained = time.perf_counter() - start
    t0 = time.perf_counter()
    predicted = list(
        clf.predict(vec.transform([unicodedata.normalize("NFC", r["text"]) for r in test]))
    )
    report = topic_report([r["topic"] for r in test], [str(p) for p in predicted])
    report["predicted"] = [str(p) for p in predicted]
    report["train_seconds"] = trained
    report["predict_seconds"] = time.perf_counter() - t0
    return report


# --------------------------------------------------------------- chosen method


def chosen_grouping(rows: list[dict[str, str]]) -> dict[str, Any]:
    try:
        from danvan.insight.grouping import group_records
    except ImportError as exc:
        return {"missing": f"danvan.insight.grouping.group_records not available ({exc})"}
    records = [{k: v for k, v in r.items() if k not in GOLD_FIELDS} for r in rows]
    start = time.perf_counter()
    try:
        labels = group_records(records)
    except Exception:
        return {"error": traceback.format_exc()}
    seconds = time.perf_counter() - start
    if len(labels) != len(rows):
        return {"error": f"group_records returned {len(labels)} labels for {len(rows)} records"}
    labels = [str(x) for x in labels]
    m = pairwise([r["group"] for r in rows], labels)
    m["labels"] = labels
    m["seconds"] = seconds
    crossing = sum(len({rows[i]["unit"] for i in idx}) > 1 for idx in _index_by(labels).values())
    m["groups_spanning_communes"] = crossing
    return m


def _index_by(labels: list[Any]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    for i, label in enumerate(labels):
        out[str(label)].append(i)
    return out


def chosen_topics(train: list[dict[str, str]], test: list[dict[str, str]]) -> dict[str, Any]:
    try:
        from danvan.insight.topics import TopicClassifier
    except ImportError as exc:
        return {"missing": f"danvan.insight.topics.TopicClassifier not available ({exc})"}
    try:
        start = time.perf_counter()
        model = TopicClassifier.train([r["text"] for r in train], [r["topic"] for r in train])
        trained = time.perf_counter() - start
        t0 = time.perf_counter()
        out = model.predict([r["text"] for r in test])
        seconds = time.perf_counter() - t0
    except Exception:
        return {"error": traceback.format_exc()}
    predicted = [str(label) for label, _confidence in out]
    report = topic_report([r["topic"] for r in test], predicted)
    report["predicted"] = predicted
    report["train_seconds"] = trained
    report["predict_seconds"] = seconds
    confidences = [float(c) for _label, c in out]
    right = [c for c, p, r in zip(confidences, predicted, test, strict=True) if p == r["topic"]]
    wrong = [c for c, p, r in zip(confidences, predicted, test, strict=True) if p != r["topic"]]
    report["mean_confidence_right"] = float(np.mean(right)) if right else None
    report["mean_confidence_wrong"] = float(np.mean(wrong)) if wrong else None
    return report


# ------------------------------------------------------------------- printing


def describe(rows: list[dict[str, str]], train: list[dict[str, str]]) -> dict[str, Any]:
    sizes = Counter(Counter(r["group"] for r in rows).values())
    return {
        "voices": len(rows),
        "groups": len({r["group"] for r in rows}),
        "communes": len({r["unit"] for r in rows}),
        "singletons": sizes.get(1, 0),
        "largest_group": max(sizes),
        "gold_pairs": _pairs(Counter(r["group"] for r in rows).values()),
        "train_voices": len(train),
    }


def fmt_group(name: str, m: dict[str, Any] | None, extra: str = "") -> str:
    if m is None:
        return f"| {name} | (no threshold reaches precision 0.95) | | | | | | |"
    return (
        f"| {name} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | "
        f"{m['bcubed_precision']:.3f} / {m['bcubed_recall']:.3f} | "
        f"{m['groups_predicted']} | {m['seconds']:.2f} s | {extra} |"
    )


def summary(seed: int) -> dict[str, Any]:
    """Build the set with another seed and evaluate it in a child process; one line of figures."""
    with tempfile.TemporaryDirectory() as tmp:
        build = ROOT / "bench" / "insight_eval" / "build.py"
        subprocess.run(  # noqa: S603 - our own scripts, fixed arguments
            [sys.executable, str(build), "--seed", str(seed), "--out", tmp],
            check=True,
            capture_output=True,
        )
        out = Path(tmp) / "figures.json"
        subprocess.run(  # noqa: S603
            [sys.executable, __file__, "--data", tmp, "--json", str(out)],
            check=True,
            capture_output=True,
        )
        figures = json.loads(out.read_text(encoding="utf-8"))

    def prf(m: dict[str, Any] | None) -> str:
        if not m or "precision" not in m:
            return "-"
        return f"{m['precision']:.3f} / {m['recall']:.3f} / {m['f1']:.3f}"

    topics = figures["topics"]
    chosen_topic = topics["chosen"].get("accuracy")
    return {
        "seed": seed,
        "voices": figures["data"]["voices"],
        "groups": figures["data"]["groups"],
        "baseline_grouping": prf(figures["grouping"]["baseline"]["best_f1"]),
        "chosen_grouping": prf(figures["grouping"]["chosen"]),
        "topics": f"{topics['baseline']['accuracy']:.3f} / "
        + (f"{chosen_topic:.3f}" if chosen_topic is not None else "-"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / "insight_eval")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    parser.add_argument(
        "--seeds",
        default="",
        help="also build the set with these seeds (e.g. 1,2,3) in a temporary directory and "
        "print a summary line for each: a check that tuning did not fit one sample",
    )
    args = parser.parse_args()

    rows = load(args.data / "voices.jsonl")
    train = load(args.data / "train.jsonl")
    validate(rows, "voices.jsonl", test=True)
    validate(train, "train.jsonl", test=False)
    overlap = len({r["text"] for r in rows} & {r["text"] for r in train})
    info = describe(rows, train)
    info["train_texts_equal_to_a_test_text"] = overlap
    print(
        f"test set: {info['voices']} voices, {info['groups']} gold issues "
        f"({info['singletons']} of one voice, largest {info['largest_group']}), "
        f"{info['communes']} communes, {info['gold_pairs']} gold pairs; "
        f"training set: {info['train_voices']} voices ({overlap} texts also in the test set)"
    )

    base_group = baseline_grouping(rows)
    mine_group = chosen_grouping(rows)
    base_topic = baseline_topics(train, rows)
    mine_topic = chosen_topics(train, rows)

    print("\nGrouping (pairwise; targets: precision >= 0.95, recall >= 0.85)")
    print("| method | precision | recall | F1 | B-cubed P / R | groups | time | note |")
    print("|---|---|---|---|---|---|---|---|")
    b = base_group["best_f1"]
    print(fmt_group("baseline TF-IDF char 2-4, best F1", b, f"threshold {b['threshold']}"))
    p = base_group["best_recall_at_p95"]
    print(
        fmt_group(
            "baseline, best recall at precision >= 0.95",
            p,
            f"threshold {p['threshold']}" if p else "",
        )
    )
    if "precision" in mine_group:
        print(
            fmt_group(
                "chosen: group_records",
                mine_group,
                f"{mine_group['groups_spanning_communes']} groups span communes",
            )
        )
    else:
        print(f"| chosen: group_records | {mine_group.get('missing') or 'FAILED'} | | | | | | |")
        if "error" in mine_group:
            print(mine_group["error"])
    print("(baseline thresholds are chosen on this very set: that favours the baseline)")

    print("\nTopics (accuracy; target >= 0.85)")
    print("| method | accuracy | train | predict |")
    print("|---|---|---|---|")
    print(
        f"| baseline TF-IDF 1-2-grams + LinearSVC | {base_topic['accuracy']:.3f} | "
        f"{base_topic['train_seconds']:.2f} s | {base_topic['predict_seconds']:.2f} s |"
    )
    if "accuracy" in mine_topic:
        print(
            f"| chosen: TopicClassifier | {mine_topic['accuracy']:.3f} | "
            f"{mine_topic['train_seconds']:.2f} s | {mine_topic['predict_seconds']:.2f} s |"
        )
    else:
        print(f"| chosen: TopicClassifier | {mine_topic.get('missing') or 'FAILED'} | | |")
        if "error" in mine_topic:
            print(mine_topic["error"])

    print("\nPer topic (voices; baseline accuracy; chosen accuracy)")
    for t, v in base_topic["per_topic"].items():
        chosen = mine_topic.get("per_topic", {}).get(t)
        print(
            f"  {t:20s} {v['n']:5d}  {v['accuracy']:.3f}  "
            + (f"{chosen['accuracy']:.3f}" if chosen else "-")
        )
    for name, rep in (("baseline", base_topic), ("chosen", mine_topic)):
        if rep.get("confusions"):
            top = ", ".join(
                f"{c['gold']}->{c['predicted']} {c['count']}" for c in rep["confusions"][:5]
            )
            print(f"  most frequent confusions, {name}: {top}")

    if "precision" in mine_group:
        print("\nChosen vs baseline (grouping):")
        for label, ref in (("best-F1 baseline", b), ("baseline at precision >= 0.95", p)):
            if ref:
                print(
                    f"  vs {label}: precision {mine_group['precision'] - ref['precision']:+.3f}, "
                    f"recall {mine_group['recall'] - ref['recall']:+.3f}, "
                    f"F1 {mine_group['f1'] - ref['f1']:+.3f}"
                )
    if "accuracy" in mine_topic:
        print(
            f"Chosen vs baseline (topics): {mine_topic['accuracy'] - base_topic['accuracy']:+.3f}"
        )

    sidecars = load_sidecars(args.data)
    analyses: dict[str, Any] = {}
    if sidecars:
        analyses["baseline_best_f1"] = analyse(rows, base_group.pop("best_f1_labels"), sidecars)
        print_analysis("Baseline at its best F1", analyses["baseline_best_f1"])
        if "labels" in mine_group:
            analyses["chosen"] = analyse(rows, mine_group["labels"], sidecars)
            print_analysis("Chosen method", analyses["chosen"])
        for name, rep in (("baseline", base_topic), ("chosen", mine_topic)):
            if "predicted" in rep:
                worst = matter_accuracy(rows, rep["predicted"], sidecars)
                analyses[f"topic_by_matter_{name}"] = worst
                text = ", ".join(f"{m} {a['accuracy']:.2f} (n={a['n']})" for m, a in worst[:8])
                print(f"  topics, {name}, least accurate matters: {text}")
    for rep in (base_topic, mine_topic):
        rep.pop("predicted", None)
    base_group.pop("best_f1_labels", None)
    mine_group.pop("labels", None)

    other_seeds = [summary(int(seed)) for seed in args.seeds.split(",") if seed.strip()]
    if other_seeds:
        print("\nOther samples of the same bank (bench/insight_eval/build.py --seed N)")
        print(
            "| seed | voices / issues | baseline P / R / F1 | chosen P / R / F1 "
            "| topics baseline / chosen |"
        )
        print("|---|---|---|---|---|")
        for o in other_seeds:
            print(
                f"| {o['seed']} | {o['voices']} / {o['groups']} | {o['baseline_grouping']} "
                f"| {o['chosen_grouping']} | {o['topics']} |"
            )

    if args.json:
        out = {
            "other_seeds": other_seeds,
            "error_analysis": analyses,
            "data": info,
            "targets": TARGETS,
            "grouping": {"baseline": base_group, "chosen": mine_group},
            "topics": {"baseline": base_topic, "chosen": mine_topic},
        }
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
        print(f"\nwrote {args.json}")


if __name__ == "__main__":
    main()
