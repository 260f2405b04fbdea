"""Writing issues and the learned models: matching, officers' decisions, training.

* ``voice_analyse``: what happens to a voice as it arrives (in the background): its topic is
  suggested and it is matched into an issue of its commune.
* ``issue_confirm``, ``issue_merge``, ``issue_split``, ``voice_move``: officers' decisions, each
  with an ``IssueDecision``, labelled pairs for learning, and an audit row.
* ``issue_answer``: one answer for every voice of the issue, each through the voices' own
  ``case_answer`` (and ``case_publish``), so each citizen sees it under their own code.
* ``insight_train``: retrains the topic classifier and relearns the grouping threshold.
"""

from __future__ import annotations

import datetime
import itertools
import logging
import pickle
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.insight import matchcache
from danvan.insight.grouping import Cluster, similarity
from danvan.insight.learning import learned_threshold
from danvan.insight.models import (
    DecisionKind,
    Issue,
    IssueDecision,
    IssueStatus,
    PairLabel,
    TopicLabel,
    TopicModel,
    issue_title,
)
from danvan.insight.signatures import TextStats, features_of, signature
from danvan.insight.topics import TopicClassifier, held_out_accuracy
from danvan.insight.trained import Trained, active_trained, forget_trained
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.models import Topic, Voice, VoiceStatus
from danvan.voices.services import ALLOWED_FROM
from danvan.voices.services_answer import case_answer, case_publish

__all__ = [
    "AnswerOutcome",
    "StaleIssueError",
    "Trained",
    "active_trained",
    "commune_of",
    "forget_trained",
    "insight_train",
    "issue_answer",
    "issue_confirm",
    "issue_merge",
    "issue_split",
    "issue_title",
    "voice_analyse",
    "voice_match",
    "voice_move",
    "voice_suggest_topic",
    "voices_analyse",
]

logger = logging.getLogger(__name__)

#: Voices needed before a topic classifier is trained (fewer say too little).
MIN_TRAINING_VOICES = 50
#: The most recent voices a training reads (enough for every topic; bounded in memory).
MAX_TRAINING_VOICES = 200_000
#: Labelled pairs written per decision (a merge of two issues of 200 voices is not 40,000 pairs).
MAX_PAIRS_PER_DECISION = 60


class StaleIssueError(ValidationError):
    """Another officer changed the issue since this one loaded it."""


# --- Matching ----------------------------------------------------------------------------------


def commune_of(unit: AdministrativeUnit) -> AdministrativeUnit:
    """The commune a voice's unit belongs to (a village's parent); a province stays itself."""
    if unit.tier == UnitTier.VILLAGE and unit.parent_id is not None:
        parent = unit.parent
        assert parent is not None
        return parent
    return unit


def voice_match(*, voice: Voice, trained: Trained | None = None) -> Issue:
    """Put ``voice`` into the open issue of its commune it belongs to, or a new one.

    Then, as ``grouping.group_records`` does offline, the open issues that the voice shows to be
    the same matter are merged into one (``Matcher.absorb_around``): the largest survives, the
    others are closed as merged, with an ``IssueDecision`` that names no officer. Issues an
    officer has confirmed, merged or split are never merged automatically.

    Matching is serialised per commune (the commune's row is locked), so two voices about one
    matter arriving at the same moment do not both start an issue. The commune's matcher is kept
    between calls (``matchcache``), used only if the commune's open issues are still as it was
    built from (checked inside the lock), and put back with this call's changes only once they
    are committed.
    """
    trained = trained or active_trained()
    with transaction.atomic():
        voice = Voice.objects.select_related("unit", "unit__parent").get(pk=voice.pk)
        if voice.issue_id is not None:
            return Issue.objects.get(pk=voice.issue_id)
        commune = commune_of(voice.unit)
        AdministrativeUnit.objects.select_for_update().filter(pk=commune.pk).exists()
        entry = matchcache.take(commune.pk, matchcache.stamp_of(commune.pk))
        if entry is None:
            entry = matchcache.load(commune.pk, trained.threshold)
        return _match_into(voice, commune, entry, trained)


def _match_into(
    voice: Voice, commune: AdministrativeUnit, entry: matchcache.Entry, trained: Trained
) -> Issue:
    """``voice_match``'s work inside its transaction and lock, with the commune's matcher."""
    matcher = entry.matcher
    matcher.threshold = trained.threshold
    prior = entry.rows
    matcher.track()
    sig = signature(voice.text, trained.stats)
    cluster, score, created = matcher.assign(sig, new_key=None)
    absorbed = matcher.absorb_around(cluster, sig.vector)
    # The issue that carries on: the one that had the most voices (a new voice's own issue
    # only when it joined nothing).
    keys = [c.key for c in (cluster, *absorbed) if c.key is not None]
    if created or absorbed:
        score = max(score, trained.threshold) if absorbed else 1.0
    data = cluster.as_json()
    if keys:
        survivor_pk = max(keys, key=lambda k: (prior[k][2] if k in prior else 0, -k))
        # The stored signature is overwritten: not read (nor decoded).
        survivor = Issue.objects.select_for_update().defer("signature").get(pk=survivor_pk)
        # Changed since the matcher was built (an officer, between the stamp and this lock):
        # the result is written as before, but the matcher is not kept.
        keep = survivor.version == prior[survivor_pk][0]
    else:
        survivor = _issue_start(voice, commune, data, size=cluster.size)
        keep = True
    others = [k for k in keys if k != survivor.pk]
    Voice.objects.filter(pk=voice.pk).update(issue=survivor, issue_score=round(score, 4))
    dates = [voice.received_on, survivor.first_received_on, survivor.last_received_on]
    dates += _merge_into(survivor, others)
    if keys:  # (a new issue was written whole)
        _issue_grown(survivor, data, size=cluster.size, dates=dates)
    if keep:
        # The matcher as a fresh read of the database would build it, with the stored (rounded)
        # signature; put back only once this is committed.
        settled = matchcache.cluster_of(
            survivor.pk, matchcache.jsonb_order(data), survivor.is_confirmed
        )
        matcher.settle({cluster.seq: settled}, absorbed)
        for key in others:
            entry.rows.pop(key, None)
        entry.rows[survivor.pk] = (survivor.version, survivor.updated_at, survivor.voice_count)
        matchcache.put_on_commit(entry)
    return survivor


def _issue_start(
    voice: Voice, commune: AdministrativeUnit, data: dict[str, Any], *, size: int
) -> Issue:
    """The issue a voice starts when it joins none."""
    return Issue.objects.create(
        unit=commune,
        topic_id=voice.topic_id,
        title=issue_title(voice.text),
        representative=voice,
        first_received_on=voice.received_on,
        last_received_on=voice.received_on,
        signature=data,
        voice_count=size,
    )


def _merge_into(survivor: Issue, others: list[int]) -> list[datetime.date | None]:
    """Move the voices of the issues ``others`` to ``survivor``, record each merge and close
    them; returns their first and last dates of receipt."""
    if not others:
        return []
    dates: list[datetime.date | None] = []
    Voice.objects.filter(issue_id__in=others).update(issue=survivor)
    for other in Issue.objects.filter(pk__in=others).defer("signature"):
        IssueDecision.objects.create(
            issue=survivor,
            other=other,
            kind=DecisionKind.MERGE,
            actor=None,
        )
        dates += [other.first_received_on, other.last_received_on]
    Issue.objects.filter(pk__in=others).update(
        status=IssueStatus.CLOSED,
        merged_into=survivor,
        voice_count=0,
        signature={},
        version=F("version") + 1,
    )
    return dates


def _issue_grown(
    survivor: Issue, data: dict[str, Any], *, size: int, dates: list[datetime.date | None]
) -> None:
    """Save an existing issue's new signature, size and span of dates (a new version)."""
    known = [d for d in dates if d is not None]
    survivor.signature = data
    survivor.voice_count = size
    survivor.first_received_on = min(known)
    survivor.last_received_on = max(known)
    survivor.version += 1
    survivor.save(
        update_fields=[
            "signature",
            "voice_count",
            "first_received_on",
            "last_received_on",
            "version",
            "updated_at",
        ]
    )


def voice_suggest_topic(*, voice: Voice, trained: Trained | None = None) -> None:
    """Store the classifier's suggested topic for ``voice`` (among its province's topics)."""
    trained = trained or active_trained()
    if trained.classifier is None:
        return
    province_code = voice.unit.path.strip("/").split("/")[0]
    allowed = _allowed_topics(province_code)
    ((label, confidence),) = trained.classifier.predict([voice.text], allowed=allowed)
    if not label:
        return
    Voice.objects.filter(pk=voice.pk).update(
        suggested_topic_id=int(label), topic_confidence=round(confidence, 4)
    )


def _allowed_topics(province_code: str) -> set[str]:
    return {
        str(pk)
        for pk in Topic.objects.filter(is_active=True)
        .filter(Q(province__isnull=True) | Q(province__code=province_code))
        .values_list("pk", flat=True)
    }


def voice_analyse(*, voice_id: int) -> None:
    """Suggest the topic and match the issue of one voice (the background step after submit)."""
    voice = Voice.objects.select_related("unit", "unit__parent").filter(pk=voice_id).first()
    if voice is None:
        return
    trained = active_trained()
    voice_suggest_topic(voice=voice, trained=trained)
    voice_match(voice=voice, trained=trained)


def voices_analyse(voice_ids: Iterable[int]) -> int:
    done = 0
    for voice_id in voice_ids:
        voice_analyse(voice_id=voice_id)
        done += 1
    return done


# --- Officers' decisions -----------------------------------------------------------------------


def _lock_issue(issue: Issue, expected_version: int | None, actor: Actor) -> Issue:
    locked = Issue.objects.select_for_update().select_related("unit").get(pk=issue.pk)
    if actor.user is not None and not can(actor.user, Capability.ACT, locked.unit):
        raise PermissionDenied(_("You may not act on this issue."))
    if expected_version is not None and locked.version != expected_version:
        raise StaleIssueError(
            _(
                "Someone else changed this issue while you were looking at it. Reload it and try again."
            )
        )
    return locked


def _rebuild(issue: Issue, stats: TextStats | None) -> None:
    """Recompute the issue's signature, counts, dates and topic from the voices it has now."""
    voices = list(
        Voice.objects.filter(issue=issue)
        .order_by("received_on", "id")
        .values_list("id", "text", "received_on", "topic_id")
    )
    cluster = Cluster(key=issue.pk)
    for _id, text, _received, _topic in voices:
        cluster.add(signature(text, stats))
    issue.signature = cluster.as_json()
    issue.voice_count = len(voices)
    issue.first_received_on = voices[0][2] if voices else None
    issue.last_received_on = voices[-1][2] if voices else None
    if voices:
        issue.topic_id = Counter(v[3] for v in voices).most_common(1)[0][0]
        if issue.representative_id not in {v[0] for v in voices}:
            issue.representative_id = voices[0][0]
            issue.title = issue_title(voices[0][1])
    issue.version += 1
    issue.save()


def _label_pairs(
    decision: IssueDecision,
    pairs: Iterable[tuple[Voice, Voice]],
    *,
    same: bool,
    stats: TextStats | None,
) -> None:
    rows = []
    for first, second in itertools.islice(pairs, MAX_PAIRS_PER_DECISION):
        if first.pk == second.pk:
            continue
        a, b = (first, second) if first.pk < second.pk else (second, first)
        sig_a, sig_b = signature(a.text, stats), signature(b.text, stats)
        score = similarity(sig_a, sig_b)
        rows.append(
            PairLabel(first=a, second=b, same=same, score=round(score, 4), decision=decision)
        )
    # A later decision about the same pair replaces the earlier one: officers change their minds.
    for row in rows:
        PairLabel.objects.update_or_create(
            first=row.first,
            second=row.second,
            defaults={"same": row.same, "score": row.score, "decision": decision},
        )


def _decide(
    *,
    actor: Actor,
    issue: Issue,
    kind: str,
    other: Issue | None = None,
    voice_ids: Sequence[int] = (),
    note: str = "",
) -> IssueDecision:
    decision = IssueDecision.objects.create(
        issue=issue,
        other=other,
        kind=kind,
        voice_ids=list(voice_ids),
        note=note,
        actor=actor.user,
    )
    audit_record(
        actor=actor,
        action=f"issue.{kind}",
        obj=issue,
        unit=issue.unit,
        changes={"other": other.pk if other else None, "voices": list(voice_ids)},
    )
    return decision


@transaction.atomic
def issue_confirm(*, actor: Actor, issue: Issue, expected_version: int) -> Issue:
    """An officer agrees that the voices of ``issue`` are one matter."""
    issue = _lock_issue(issue, expected_version, actor)
    decision = _decide(actor=actor, issue=issue, kind=DecisionKind.CONFIRM)
    voices = list(Voice.objects.filter(issue=issue).only("id", "text")[:12])
    _label_pairs(
        decision,
        itertools.combinations(voices, 2),
        same=True,
        stats=active_trained().stats,
    )
    issue.is_confirmed = True
    issue.version += 1
    issue.save(update_fields=["is_confirmed", "version", "updated_at"])
    return issue


@transaction.atomic
def issue_merge(
    *, actor: Actor, issue: Issue, into: Issue, expected_version: int, note: str = ""
) -> Issue:
    """Move every voice of ``issue`` into ``into``; ``issue`` is closed as merged."""
    if issue.pk == into.pk:
        raise ValidationError(_("An issue cannot be merged into itself."))
    first, second = sorted([issue, into], key=lambda i: i.pk)
    # Lock both in one order so that two officers merging them crosswise cannot deadlock.
    locked = {i.pk: _lock_issue(i, None, actor) for i in (first, second)}
    source, target = locked[issue.pk], locked[into.pk]
    if source.version != expected_version:
        raise StaleIssueError(
            _(
                "Someone else changed this issue while you were looking at it. Reload it and try again."
            )
        )
    if source.status != IssueStatus.OPEN or target.status != IssueStatus.OPEN:
        raise ValidationError(_("Only open issues can be merged."))
    stats = active_trained().stats
    moved = list(Voice.objects.filter(issue=source).only("id", "text"))
    kept = list(Voice.objects.filter(issue=target).only("id", "text")[:10])
    decision = _decide(
        actor=actor,
        issue=target,
        kind=DecisionKind.MERGE,
        other=source,
        voice_ids=[v.pk for v in moved],
        note=note,
    )
    Voice.objects.filter(issue=source).update(issue=target, issue_score=1.0)
    _label_pairs(decision, itertools.product(moved[:10], kept), same=True, stats=stats)
    source.status = IssueStatus.CLOSED
    source.merged_into = target
    source.voice_count = 0
    source.signature = {}
    source.version += 1
    source.save()
    target.is_confirmed = True
    _rebuild(target, stats)
    return target


@transaction.atomic
def issue_split(
    *,
    actor: Actor,
    issue: Issue,
    voice_ids: Sequence[int],
    expected_version: int,
    note: str = "",
) -> Issue:
    """Take ``voice_ids`` out of ``issue`` into a new issue of their own (a wrong grouping)."""
    issue = _lock_issue(issue, expected_version, actor)
    chosen = list(Voice.objects.filter(issue=issue, pk__in=list(voice_ids)).only("id", "text"))
    if not chosen:
        raise ValidationError(_("Choose the voices that are a different matter."))
    remaining = list(Voice.objects.filter(issue=issue).exclude(pk__in=[v.pk for v in chosen])[:10])
    if not remaining:
        raise ValidationError(
            _("These are all the issue's voices: there is nothing to split them from.")
        )
    stats = active_trained().stats
    new = Issue.objects.create(
        unit=issue.unit,
        topic_id=issue.topic_id,
        title=issue_title(chosen[0].text),
        representative=chosen[0],
        is_confirmed=True,
    )
    decision = _decide(
        actor=actor,
        issue=issue,
        kind=DecisionKind.SPLIT,
        other=new,
        voice_ids=[v.pk for v in chosen],
        note=note,
    )
    Voice.objects.filter(pk__in=[v.pk for v in chosen]).update(issue=new, issue_score=1.0)
    _label_pairs(decision, itertools.product(chosen[:10], remaining), same=False, stats=stats)
    _label_pairs(decision, itertools.combinations(chosen[:10], 2), same=True, stats=stats)
    issue.is_confirmed = True
    _rebuild(issue, stats)
    _rebuild(new, stats)
    return new


@transaction.atomic
def voice_move(
    *, actor: Actor, voice: Voice, to: Issue | None, expected_version: int, note: str = ""
) -> Issue:
    """Move one voice to another open issue of its commune, or to a new issue (``to=None``)."""
    if voice.issue_id is None:
        raise ValidationError(_("This voice is not in an issue yet."))
    issue = _lock_issue(Issue.objects.get(pk=voice.issue_id), expected_version, actor)
    if to is not None:
        to = _lock_issue(to, None, actor)
        if to.pk == issue.pk:
            raise ValidationError(_("The voice is already in this issue."))
        if to.unit_id != issue.unit_id or to.status != IssueStatus.OPEN:
            raise ValidationError(_("A voice can only move to an open issue of the same commune."))
    stats = active_trained().stats
    others = list(Voice.objects.filter(issue=issue).exclude(pk=voice.pk)[:10])
    if to is None:
        if not others:
            raise ValidationError(_("The voice is alone in its issue already."))
        to = Issue.objects.create(
            unit=issue.unit,
            topic_id=voice.topic_id,
            title=issue_title(voice.text),
            representative=voice,
            is_confirmed=True,
        )
    decision = _decide(
        actor=actor, issue=issue, kind=DecisionKind.MOVE, other=to, voice_ids=[voice.pk], note=note
    )
    Voice.objects.filter(pk=voice.pk).update(issue=to, issue_score=1.0)
    _label_pairs(decision, ((voice, o) for o in others), same=False, stats=stats)
    joined = list(Voice.objects.filter(issue=to).exclude(pk=voice.pk)[:10])
    _label_pairs(decision, ((voice, o) for o in joined), same=True, stats=stats)
    _rebuild(to, stats)
    if others:
        _rebuild(issue, stats)
    else:
        issue.status = IssueStatus.CLOSED
        issue.merged_into = to
        _rebuild(issue, stats)
    return to


@dataclass
class AnswerOutcome:
    issue: Issue
    answered: int
    published: int
    #: Voices that could not take the answer yet (not accepted, refused...): their codes.
    skipped: list[str]


@transaction.atomic
def issue_answer(
    *, actor: Actor, issue: Issue, expected_version: int, text: str, publish: bool = False
) -> AnswerOutcome:
    """Answer every voice of the issue with one text, each through its own case.

    Voices not yet accepted (or refused) cannot be answered by law before a decision to accept:
    they are listed, and left as they are.
    """
    text = text.strip()
    if not text:
        raise ValidationError(_("The answer is empty."))
    issue = _lock_issue(issue, expected_version, actor)
    answered = published = 0
    skipped: list[str] = []
    for voice in Voice.objects.filter(issue=issue).select_related("unit").order_by("id"):
        if voice.status not in ALLOWED_FROM["answer"]:
            if voice.status not in (VoiceStatus.PUBLISHED, VoiceStatus.CLOSED):
                skipped.append(voice.tracking_code)
            continue
        voice = case_answer(actor=actor, voice=voice, expected_version=voice.version, text=text)
        answered += 1
        if publish:
            case_publish(actor=actor, voice=voice, expected_version=voice.version)
            published += 1
    _decide(actor=actor, issue=issue, kind=DecisionKind.ANSWER, note=text)
    issue.answer_text = text
    issue.answered_at = timezone.now()
    if not skipped:
        issue.status = IssueStatus.ANSWERED
    issue.version += 1
    issue.save()
    return AnswerOutcome(issue=issue, answered=answered, published=published, skipped=skipped)


# --- Training ----------------------------------------------------------------------------------


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
