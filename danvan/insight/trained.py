"""The active learned model: the topic classifier, the text statistics and the grouping threshold
of the last training (``services_training.insight_train`` writes it as a ``TopicModel``).

Read once per process and again only when a newer one is trained; live matching
(``services_matching.voice_match``) and the offline regrouping (``regroup``) both use it.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass

from danvan.insight.grouping import DEFAULT_THRESHOLD
from danvan.insight.models import TopicModel
from danvan.insight.signatures import TextStats
from danvan.insight.topics import TopicClassifier


@dataclass
class Trained:
    """What the last training produced (or the defaults before any)."""

    classifier: TopicClassifier | None
    stats: TextStats | None
    threshold: float
    model_id: int | None = None


_cache: dict[str, Trained] = {}


def active_trained() -> Trained:
    """The active model, read once per process and again only when a newer one is trained."""
    latest = TopicModel.objects.filter(is_active=True).order_by("-id").values_list("id", flat=True)
    model_id = latest.first()
    cached = _cache.get("active")
    if cached is not None and cached.model_id == model_id:
        return cached
    if model_id is None:
        trained = Trained(classifier=None, stats=None, threshold=DEFAULT_THRESHOLD)
    else:
        row = TopicModel.objects.get(pk=model_id)
        data = pickle.loads(bytes(row.payload))  # noqa: S301
        classifier = TopicClassifier.loads(data["classifier"]) if data.get("classifier") else None
        trained = Trained(
            classifier=classifier,
            stats=TextStats.from_json(data["stats"]) if data.get("stats") else None,
            threshold=float(data.get("threshold", DEFAULT_THRESHOLD)),
            model_id=model_id,
        )
    _cache["active"] = trained
    return trained


def forget_trained() -> None:
    _cache.clear()
