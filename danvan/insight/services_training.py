"""Training the active model: the topic classifier, the text statistics and the grouping threshold.

* ``insight_train``: retrains the topic classifier on every voice's topic (officers' corrections
  win) and relearns the grouping threshold from the officers' labelled pairs; scheduled nightly.
  The model it stores is read back by ``trained.active_trained``.
* ``topic_label_keep``: keeps an officer's correction of a voice's topic for the next training.
"""

from __future__ import annotations

import logging
import pickle

from django.db import transaction

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.insight.learning import learned_threshold
from danvan.insight.models import PairLabel, TopicLabel, TopicModel
from danvan.insight.signatures import TextStats, features_of
from danvan.insight.topics import TopicClassifier, held_out_accuracy
from danvan.insight.trained import forget_trained
from danvan.voices.models import Topic, Voice

__all__ = ["insight_train", "topic_label_keep"]

logger = logging.getLogger(__name__)

#: Voices needed before a topic classifier is trained (fewer say too little).
MIN_TRAINING_VOICES = 50
#: The most recent voices a training reads (enough for every topic; bounded in memory).
MAX_TRAINING_VOICES = 200_000


def _training_examples() -> tuple[list[str], list[str]]:
    corrected = dict(TopicLabel.objects.values_list("voice_id", "topic_id"))
    rows = (
        Voice.objects.order_by("-id")
        .values_list("id", "text", "topic_id")[:MAX_TRAINING_VOICES]
        .iterator(chunk_size=5000)
    )
    texts: list[str] = []
    labels: list[str] = []
    for voice_id, text, topic_id in rows:
        texts.append(text)
        labels.append(str(corrected.get(voice_id, topic_id)))
    return texts, labels


def insight_train(*, actor: Actor | None = None, keep: int = 3) -> TopicModel | None:
    """Retrain the topic classifier on every voice's topic (officers' corrections win) and
    relearn the grouping threshold from officers' decisions. Scheduled nightly."""
    texts, labels = _training_examples()
    classifier = None
    accuracy = None
    if len(texts) >= MIN_TRAINING_VOICES and len(set(labels)) >= 2:
        accuracy = held_out_accuracy(texts, labels)
        classifier = TopicClassifier.train(texts, labels)
    stats = TextStats()
    for text in texts:
        stats.add(features_of(text))
    threshold = learned_threshold(list(PairLabel.objects.values_list("score", "same")))
    payload = pickle.dumps(
        {
            "classifier": classifier.dumps() if classifier else None,
            "stats": stats.as_json() if texts else None,
            "threshold": threshold,
        },
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    with transaction.atomic():
        model = TopicModel.objects.create(
            payload=payload, samples=len(texts), accuracy=accuracy, is_active=True
        )
        TopicModel.objects.exclude(pk=model.pk).update(is_active=False)
        stale = TopicModel.objects.order_by("-id").values_list("id", flat=True)[keep:]
        TopicModel.objects.filter(pk__in=list(stale)).delete()
        if actor is not None:
            audit_record(
                actor=actor,
                action="insight.train",
                obj=model,
                changes={"samples": len(texts), "accuracy": accuracy, "threshold": threshold},
            )
    forget_trained()
    logger.info(
        "insight model %s: %s voices, accuracy %s, threshold %s",
        model.pk,
        len(texts),
        accuracy,
        threshold,
    )
    return model


def topic_label_keep(voice: Voice, topic: Topic, user: User | None) -> None:
    """Keep an officer's correction of a voice's topic for the next training (``TopicLabel``),
    with the topic the classifier had suggested. Registered in ``voices.hooks``."""
    TopicLabel.objects.update_or_create(
        voice=voice,
        defaults={"topic": topic, "suggested_id": voice.suggested_topic_id, "actor": user},
    )
