"""The seed topic classifier: trained on the examples shipped with the application.

Before a province has voices of its own (a fresh install, ``group_file`` on a laptop with no
database), topics are suggested by a classifier trained on ``data/seed_topics.jsonl``: hand-written
petitions for the built-in topics (see ``bench/insight_eval/README.md`` for how they were written).
``insight_train`` replaces it with one trained on the province's own voices as soon as there are
enough of them.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from danvan.insight.topics import TopicClassifier

SEED_FILE = Path(__file__).resolve().parent / "data" / "seed_topics.jsonl"


def seed_examples() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    with SEED_FILE.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                texts.append(row["text"])
                labels.append(row["topic"])
    return texts, labels


@lru_cache(maxsize=1)
def seed_classifier() -> TopicClassifier:
    """Trained once per process (about a second), labels are topic codes."""
    texts, labels = seed_examples()
    return TopicClassifier.train(texts, labels)
