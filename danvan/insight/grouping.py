"""Same-issue grouping: one code path for a voice as it arrives and for a whole file offline.

A voice is compared only with the open issues of its own commune (blocking by commune is what
keeps "the same complaint about two communes' roads" apart, and what makes matching fast). It
joins the issue whose centroid it is most similar to, if that similarity reaches the threshold
and no place or problem rules it out (``signatures.similarity``); otherwise it starts a new issue.
Offline, ``group_records`` runs exactly that over a list in order (``group_file`` command, the
evaluation in ``bench/eval_insight.py``); live, ``danvan.insight.services_matching.voice_match``
runs it against the issues stored in the database.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from danvan.insight.signatures import (
    NAME_KINDS,
    Signature,
    TextStats,
    cosine,
    features_of,
    names_compatible,
    places_conflict,
    signature,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "Cluster",
    "Matcher",
    "commune_code",
    "group_records",
    "similarity",
]

#: The similarity a voice needs to join an issue. Measured on ``bench/insight_eval``; the learned
#: threshold (from officers' merge/split decisions, ``learning.learned_threshold``) replaces it.
DEFAULT_THRESHOLD = 0.68
#: The pair model: a logistic regression over ``Cluster.features``, fitted on labelled pairs by
#: ``bench/insight_fit_pairs.py`` (see ``bench/README.md``); ``learning`` refits it from officers'
#: decisions once there are enough.
PAIR_FEATURES = (
    "mean cosine",
    "same hamlet",
    "same road, school or other place",
    "same person",
    "same name",
    "same problem",
    "only other problems",
    "overlap of the problems named (Dice)",
    "problems one side names and the other never does (the larger side)",
    "the same, the smaller side",
)
PAIR_WEIGHTS = (13.87, 2.15, 1.27, 1.06, -0.09, 2.12, 2.17, 0.27, -0.73, -2.50)
PAIR_INTERCEPT = -2.48
_PLACE_GROUPS = {
    "hamlet": ("hamlet",),
    "place": ("road", "school", "market", "project", "factory", "river", "bridge"),
    "person": ("person",),
    "name": ("name",),
}
#: A word in more clusters than this (or a fifth of them) finds no candidates by itself.
COMMON_POSTINGS = 50
#: The heaviest words of a voice that find candidate clusters.
CANDIDATE_WORDS = 8
#: After a voice joins an issue, only the issues the voice alone scored at least this share of
#: the threshold against are tried for merging with it: the average link of the grown issue with
#: another moves towards the voice's own score with it, so an issue the voice is far from cannot
#: have come within reach (exact for the linear features; the problem-overlap ones are not).
NEAR_SHARE = 0.5
#: Centroids keep their heaviest features only, so a large issue stays small to store and compare.
CENTROID_SIZE = 160


_SEQUENCE = itertools.count()


@dataclass(eq=False)
class Cluster:
    """An issue as the matcher sees it: the sum of its voices' vectors, problems and places.

    ``score`` is the average-link similarity of a voice to the issue's voices, computed from
    the sums alone: the mean cosine (the voice's vector · the sum of the unit vectors / size),
    plus a bonus for the share of voices naming the same place and the same problem. A voice
    naming another place of a kind the issue names (hamlet 5 against hamlet 3) scores 0; one
    naming only problems the issue's voices never name is discounted.
    """

    key: Any
    total: dict[str, float] = field(default_factory=dict)
    size: int = 0
    concepts: Counter[str] = field(default_factory=Counter)
    places: dict[str, Counter[str]] = field(default_factory=dict)
    #: False for an issue an officer has confirmed or shaped: the matcher never merges it.
    mergeable: bool = True
    #: The order clusters were made in: of two equally close issues of one size the older is
    #: joined (whatever order a set of candidates comes in, the same voices give the same groups).
    seq: int = field(default_factory=lambda: next(_SEQUENCE), repr=False, compare=False)
    #: How many problems its voices name in all (``sum(concepts.values())``), kept as it grows.
    named: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.named = sum(self.concepts.values())

    def add(self, sig: Signature) -> None:
        for feature, weight in sig.vector.items():
            self.total[feature] = self.total.get(feature, 0.0) + weight
        self.size += 1
        self.concepts.update(sig.concepts)
        self.named += len(sig.concepts)
        for kind, names in sig.places.items():
            self.places.setdefault(kind, Counter()).update(names)
        if len(self.total) > CENTROID_SIZE * 2:
            self.total = dict(heapq.nlargest(CENTROID_SIZE, self.total.items(), key=lambda i: i[1]))

    def features(self, other: Cluster) -> list[float] | None:
        """What the pair model weighs (``PAIR_FEATURES``) between this issue's voices and
        ``other``'s (a new voice is an issue of one), averaged over every pair of them; None
        when they name different places of one kind, which rules the match out."""
        if not self.size or not other.size or places_conflict(self.places, other.places):
            return None
        pairs = self.size * other.size
        shares = dict.fromkeys(_PLACE_GROUPS, 0.0)
        common = self.places.keys() & other.places.keys()
        for group, kinds in _PLACE_GROUPS.items() if common else ():
            best = 0
            for kind in kinds:
                if kind not in common:
                    continue
                mine, theirs = self.places[kind], other.places[kind]
                best = max(
                    best,
                    sum(
                        n * m
                        for a, n in mine.items()
                        for b, m in theirs.items()
                        if names_compatible(a, b)
                    ),
                )
            shares[group] = min(1.0, best / pairs)
        mine, theirs = self.concepts, other.concepts
        shared = shared_mine = shared_theirs = 0
        for concept in filter(theirs.__contains__, mine):
            n, m = mine[concept], theirs[concept]
            shared += n * m
            shared_mine += n
            shared_theirs += m
        mismatch = bool(mine and theirs and not shared)
        # How far the problems each side names agree: the same place with another problem is
        # most of the wrong joins (a sand-mining complaint and a call for an embankment on the
        # same river bank both say "landslide"; what the one names and the other never does
        # tells them apart).
        named = self.named
        named_other = other.named
        paired = named * other.size + named_other * self.size
        dice = 2 * shared / paired if paired else 0.0
        unshared = (
            (named - shared_mine) / max(1, named),
            (named_other - shared_theirs) / max(1, named_other),
        )
        return [
            cosine(self.total, other.total) / pairs,
            shares["hamlet"],
            shares["place"],
            shares["person"],
            shares["name"],
            min(1.0, shared / pairs),
            float(mismatch),
            dice,
            max(unshared),
            min(unshared),
        ]

    def linkage(self, other: Cluster) -> float:
        """The probability that the two issues' voices are one matter (the pair model)."""
        features = self.features(other)
        return 0.0 if features is None else _probability(features)

    def score(self, sig: Signature) -> float:
        """The probability that a voice is the same matter as this issue's voices."""
        return self.score_probe(Probe.of(sig))

    def score_probe(self, probe: Probe) -> float:
        """``linkage`` with the issue of one voice that ``probe`` describes: the same features
        to the last bit (a voice's counts are all 1, so each sum over pairs is a sum over this
        issue's side), without building that issue for every candidate. ``Matcher.best`` scores
        every candidate issue of a commune with it: the hottest loop of grouping."""
        size = self.size
        if not size:
            return 0.0
        places = self.places
        for kind, names in probe.ruling:
            others = places.get(kind)
            if (
                others
                and others.keys().isdisjoint(names)  # the same name: no conflict
                and not any(names_compatible(a, b) for a in others for b in names)
            ):
                return 0.0
        shares = [0.0, 0.0, 0.0, 0.0]
        for group, kinds in probe.groups:
            best = 0
            for kind, names in kinds:
                mine = places.get(kind)
                if mine:
                    found = 0
                    for a, n in mine.items():
                        for b in names:
                            if names_compatible(a, b):
                                found += n
                    if found > best:
                        best = found
            shares[group] = min(1.0, best / size)
        concepts = self.concepts
        shared = 0
        missing = 0
        for concept in probe.concepts:
            count = concepts.get(concept)
            if count is None:
                missing += 1
            else:
                shared += count
        named = self.named
        named_other = probe.named
        paired = named + named_other * size
        first = (named - shared) / max(1, named)
        second = missing / max(1, named_other)
        return _probability(
            [
                cosine(self.total, probe.vector) / size,
                shares[0],
                shares[1],
                shares[2],
                shares[3],
                min(1.0, shared / size),
                float(bool(concepts and named_other and not shared)),
                2 * shared / paired if paired else 0.0,
                max(first, second),
                min(first, second),
            ]
        )

    def absorb(self, other: Cluster) -> None:
        for feature, weight in other.total.items():
            self.total[feature] = self.total.get(feature, 0.0) + weight
        self.size += other.size
        self.concepts.update(other.concepts)
        self.named += other.named
        for kind, names in other.places.items():
            self.places.setdefault(kind, Counter()).update(names)

    def as_json(self) -> dict[str, Any]:
        return {
            "t": {f: round(w, 5) for f, w in self.total.items()},
            "n": self.size,
            "c": dict(self.concepts),
            "p": {kind: dict(names) for kind, names in self.places.items()},
        }

    @classmethod
    def from_json(cls, key: Any, data: Mapping[str, Any]) -> Cluster:
        return cls(
            key=key,
            total=dict(data.get("t", {})),
            size=int(data.get("n", 0)),
            concepts=Counter(data.get("c", {})),
            places={kind: Counter(names) for kind, names in data.get("p", {}).items()},
        )

    @classmethod
    def of(cls, sig: Signature, key: Any = None) -> Cluster:
        cluster = cls(key=key)
        cluster.add(sig)
        return cluster


def _probability(features: Sequence[float]) -> float:
    """The pair model's probability from ``PAIR_FEATURES`` (unrolled: ``linkage`` and
    ``score_probe`` add the same terms in the same order)."""
    w = PAIR_WEIGHTS
    z = PAIR_INTERCEPT + (
        w[0] * features[0]
        + w[1] * features[1]
        + w[2] * features[2]
        + w[3] * features[3]
        + w[4] * features[4]
        + w[5] * features[5]
        + w[6] * features[6]
        + w[7] * features[7]
        + w[8] * features[8]
        + w[9] * features[9]
    )
    return 1.0 / (1.0 + math.exp(-z))


_GROUP_OF = {kind: n for n, kinds in enumerate(_PLACE_GROUPS.values()) for kind in kinds}


@dataclass(frozen=True, slots=True)
class Probe:
    """A voice as ``Cluster.score_probe`` compares it with many issues: what ``Cluster.features``
    would read from an issue of that voice alone, read once."""

    vector: dict[str, float]
    concepts: frozenset[str]
    named: int
    #: (kind, names) of the place kinds that rule a match out when the names differ.
    ruling: tuple[tuple[str, frozenset[str]], ...]
    #: (index in ``_PLACE_GROUPS``, ((kind, names), ...)) for each group the voice names.
    groups: tuple[tuple[int, tuple[tuple[str, frozenset[str]], ...]], ...]

    @classmethod
    def of(cls, sig: Signature) -> Probe:
        named = {kind: names for kind, names in sig.places.items() if names}
        groups: dict[int, list[tuple[str, frozenset[str]]]] = {}
        for kind, names in named.items():
            if kind in _GROUP_OF:
                groups.setdefault(_GROUP_OF[kind], []).append((kind, names))
        vector = sig.vector
        if len(vector) > CENTROID_SIZE * 2:  # as an issue of it would keep it (``Cluster.add``)
            vector = Cluster.of(sig).total
        return cls(
            vector=vector,
            concepts=sig.concepts,
            named=len(sig.concepts),
            ruling=tuple((k, n) for k, n in named.items() if k not in NAME_KINDS),
            groups=tuple((g, tuple(kinds)) for g, kinds in sorted(groups.items())),
        )


def similarity(first: Signature, second: Signature) -> float:
    """How likely two voices are one matter: ``Cluster.score`` against an issue of one voice."""
    return Cluster.of(second).score(first)


@dataclass
class Matcher:
    """Matches signatures against the clusters of one block (a commune).

    Only clusters sharing a feature with the voice can reach the threshold (with nothing in
    common, the cosine is 0 and no place or problem is shared), so each voice is scored against
    the clusters an inverted index finds for its features, not against every cluster. Features
    most clusters share ("đường", "xã") find no candidates on their own: they add to a score but
    never make a match without a rarer feature.
    """

    threshold: float = DEFAULT_THRESHOLD
    clusters: list[Cluster] = field(default_factory=list)
    _postings: dict[str, set[int]] | None = field(default=None, repr=False)
    _by_id: dict[int, Cluster] = field(default_factory=dict, repr=False)
    #: While ``track()`` is on: the features each changed cluster is posted under (its total
    #: before the change and every feature posted since), so ``settle`` can index it afresh.
    _touched: dict[int, set[str]] | None = field(default=None, repr=False)
    #: The clusters the last ``best`` found close to the voice (see ``NEAR_SHARE``).
    _near: list[Cluster] | None = field(default=None, repr=False)

    def _index(self) -> dict[str, set[int]]:
        if self._postings is None:
            self._postings = {}
            for cluster in self.clusters:
                self._post(cluster, cluster.total)
        return self._postings

    def _post(self, cluster: Cluster, features: Mapping[str, float]) -> None:
        assert self._postings is not None
        self._by_id[cluster.seq] = cluster
        for feature in features:
            self._postings.setdefault(feature, set()).add(cluster.seq)
        if self._touched is not None:
            self._touched.setdefault(cluster.seq, set()).update(features)

    def track(self) -> None:
        """Remember what the next ``assign``/``absorb_around`` change, for ``settle``."""
        self._index()
        self._touched = {}

    def settle(self, replace: Mapping[int, Cluster], absorbed: Sequence[Cluster]) -> None:
        """Index the matcher as a fresh ``Matcher`` over its clusters would be, after tracked
        changes: each cluster whose ``seq`` is a key of ``replace`` gives way to that cluster
        (e.g. as stored: rounded, keyed by its issue), ``absorbed`` clusters leave the index,
        and no posting keeps a feature a centroid has dropped. Used to keep a matcher between
        calls (``matchcache``) so that it scores exactly as one read from the database."""
        postings = self._index()
        touched = self._touched or {}
        for cluster in absorbed:
            for feature in touched.get(cluster.seq, set()) | cluster.total.keys():
                ids = postings.get(feature)
                if ids is not None:
                    ids.discard(cluster.seq)
                    if not ids:
                        del postings[feature]
            self._by_id.pop(cluster.seq, None)
        for old_id, new in replace.items():
            old = self._by_id.pop(old_id)
            for feature in touched.get(old_id, set()) | old.total.keys():
                ids = postings.get(feature)
                if ids is not None:
                    ids.discard(old_id)
                    if not ids:
                        del postings[feature]
            self.clusters[self.clusters.index(old)] = new
            self._post(new, new.total)
        self._touched = None

    def candidates(
        self, features: Mapping[str, float], exclude: Cluster | None = None
    ) -> list[Cluster]:
        """Clusters naming one of the same places, or sharing one of the heaviest words.

        With no place in common, the pair model needs a mean cosine of about 0.13 even when the
        problem is shared, which only clusters sharing heavy words reach; a shared place (and
        problem) can carry a match on its own, so every cluster naming the place is scored.
        """
        postings = self._index()
        common = max(COMMON_POSTINGS, len(self.clusters) // 5)
        found: set[int] = set()
        words = [f for f in features if f[0] not in "@§"]
        heavy = heapq.nlargest(CANDIDATE_WORDS, words, key=features.__getitem__)
        for feature in [*(f for f in features if f[0] == "@"), *heavy]:
            ids = postings.get(feature)
            if ids and (feature[0] == "@" or len(ids) <= common):
                found |= ids
        if exclude is not None:
            found.discard(exclude.seq)
        return [self._by_id[i] for i in found if i in self._by_id]

    def best(self, sig: Signature) -> tuple[Cluster | None, float]:
        best: Cluster | None = None
        best_score = 0.0
        probe = Probe.of(sig)
        near: list[Cluster] = []
        floor = self.threshold * NEAR_SHARE
        for cluster in self.candidates(sig.vector):
            score = cluster.score_probe(probe)
            if score >= floor:
                near.append(cluster)
            if score > best_score or (
                score == best_score
                and best is not None
                and (cluster.size, -cluster.seq) > (best.size, -best.seq)
            ):
                best, best_score = cluster, score
        self._near = near
        return best, best_score

    def assign(self, sig: Signature, new_key: Any) -> tuple[Cluster, float, bool]:
        """The cluster ``sig`` joins (a new one keyed ``new_key`` if none is close enough)."""
        cluster, score = self.best(sig)
        created = cluster is None or score < self.threshold
        if created:
            cluster = Cluster(key=new_key)
            self.clusters.append(cluster)
        assert cluster is not None
        if self._touched is not None:
            self._touched.setdefault(cluster.seq, set()).update(cluster.total)
        cluster.add(sig)
        self._index()
        self._post(cluster, sig.vector)
        return cluster, score, created

    def absorb_around(
        self, cluster: Cluster, changed: Mapping[str, float] | None = None
    ) -> list[Cluster]:
        """Merge into ``cluster`` the clusters now close enough to it, the closest first.

        Incremental matching depends on the order voices arrive in: two wordings of one matter
        can each start a cluster before a third voice links them. Run after each assignment,
        this repairs it as it happens; returns the clusters absorbed (their voices now belong
        to ``cluster``). ``changed``: the features of the voice that just joined; only clusters
        sharing one of them can have come closer (the others were compared before).
        """
        absorbed: list[Cluster] = []
        near = self._near if changed is not None else None
        self._near = None
        while cluster.mergeable:
            pool = (
                [c for c in near if c is not cluster and c.seq in self._by_id]
                if near is not None
                else self.candidates(cluster.total if changed is None else changed, exclude=cluster)
            )
            scored = [(cluster.linkage(other), other) for other in pool if other.mergeable]
            scored = [item for item in scored if item[0] >= self.threshold]
            if not scored:
                break
            _, best = max(scored, key=lambda item: (item[0], item[1].size, -item[1].seq))
            cluster.absorb(best)
            self.clusters.remove(best)
            self._by_id.pop(best.seq, None)
            self._post(cluster, best.total)
            absorbed.append(best)
        return absorbed


def commune_code(unit_code: str) -> str:
    """The commune a unit code belongs to: a village code "17329-001" → "17329"."""
    return unit_code.split("-", 1)[0]


def group_records(
    records: Sequence[Mapping[str, Any]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    stats: TextStats | None = None,
) -> list[str]:
    """A group label for each record (``text`` and ``unit`` keys), in the records' order.

    Without ``stats``, the document frequencies are counted over the records themselves, as a
    TF-IDF model fitted on the file would.
    """
    if stats is None:
        stats = TextStats()
        for record in records:
            stats.add(features_of(str(record.get("text", ""))))
    matchers: dict[str, Matcher] = {}
    labels: list[str] = []
    renamed: dict[str, str] = {}
    for number, record in enumerate(records, start=1):
        block = commune_code(str(record.get("unit", "")))
        matcher = matchers.setdefault(block, Matcher(threshold=threshold))
        sig = signature(str(record.get("text", "")), stats)
        cluster, _, _ = matcher.assign(sig, new_key=f"{block}-{number}")
        for absorbed in matcher.absorb_around(cluster, sig.vector):
            renamed[str(absorbed.key)] = str(cluster.key)
        labels.append(str(cluster.key))
    return [_follow(renamed, label) for label in labels]


def _follow(renamed: Mapping[str, str], label: str) -> str:
    while label in renamed:
        label = renamed[label]
    return label
