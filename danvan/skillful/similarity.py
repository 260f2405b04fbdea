"""Near-identical registrations: the text of a model as word 3-gram shingles and the Jaccard
similarity of two of them, with the pairs of a block of models that reach a threshold found by
prefix filtering (exact, far fewer comparisons than all pairs). Plain text, no database: the
``near_duplicate`` check (``checks_findings``) and ``bench/eval_model_duplicates.py`` use it.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from typing import Any

from danvan.lib.text import fold
from danvan.skillful.models import (
    PARTS,
)

#: Jaccard similarity of shingles from which two models are near-duplicates (see the README).
NEAR_DUPLICATE_THRESHOLD = 0.6


#: The parts of the registration form compared (the time frame is dates, not text).
TEXT_PARTS = ("name", *PARTS)


_SENTENCES = re.compile(r"[.!?;:\n]+")


_WORDS = re.compile(r"\w+")


SHINGLE_WORDS = 3


def shingles(parts: Iterable[str], size: int = SHINGLE_WORDS) -> frozenset[str]:
    """Word ``size``-grams of the folded text, within sentences (so their order does not
    matter); a sentence shorter than ``size`` words counts as one shingle."""
    result: set[str] = set()
    for part in parts:
        for sentence in _SENTENCES.split(fold(part or "")):
            words = _WORDS.findall(sentence)
            if not words:
                continue
            if len(words) < size:
                result.add(" ".join(words))
                continue
            for i in range(len(words) - size + 1):
                result.add(" ".join(words[i : i + size]))
    return frozenset(result)


def model_shingles(model: Any) -> frozenset[str]:
    return shingles(getattr(model, part) for part in TEXT_PARTS)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


def candidate_pairs(
    docs: dict[int, frozenset[str]], threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> set[tuple[int, int]]:
    """Pairs (a < b) of documents of one block (one field) that may reach ``threshold``, by
    prefix filtering: with each document's shingles ordered rarest first, two documents whose
    Jaccard similarity is at least t share a shingle among the first |x| − ⌈t·|x|⌉ + 1 of each.
    Exact (no pair above the threshold is missed) and far fewer comparisons than all pairs, since
    the rare shingles that start each prefix are shared by few documents."""
    frequency: Counter[str] = Counter()
    for doc in docs.values():
        frequency.update(doc)
    index: dict[str, list[int]] = defaultdict(list)
    pairs: set[tuple[int, int]] = set()
    for doc_id, doc in sorted(docs.items(), key=lambda item: len(item[1])):
        if not doc:
            continue
        ordered = sorted(doc, key=lambda s: (frequency[s], s))
        prefix = len(ordered) - math.ceil(threshold * len(ordered)) + 1
        for shingle in ordered[:prefix]:
            for other in index[shingle]:
                # Shorter documents come first: the length filter |y| ≥ t·|x| in one test.
                if len(docs[other]) >= threshold * len(doc):
                    pairs.add((other, doc_id) if other < doc_id else (doc_id, other))
            index[shingle].append(doc_id)
    return pairs


def near_duplicate_pairs(
    docs: dict[int, frozenset[str]], threshold: float = NEAR_DUPLICATE_THRESHOLD
) -> dict[tuple[int, int], float]:
    """The pairs (a < b) of ``docs`` at or above ``threshold``, with their similarity."""
    # Each document as a bit set over the block's shingles: an intersection is one AND and a
    # popcount, several times faster than intersecting sets of strings.
    vocabulary: dict[str, int] = {}
    bits: dict[int, int] = {}
    for doc_id, doc in docs.items():
        value = 0
        for shingle in doc:
            value |= 1 << vocabulary.setdefault(shingle, len(vocabulary))
        bits[doc_id] = value
    found = {}
    for a, b in candidate_pairs(docs, threshold):
        shared = (bits[a] & bits[b]).bit_count()
        similarity = shared / (len(docs[a]) + len(docs[b]) - shared)
        if similarity >= threshold:
            found[(a, b)] = similarity
    return found
