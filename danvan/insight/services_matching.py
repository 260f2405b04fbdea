"""Matching a voice into an issue as it arrives (in the background, after submit or import).

* ``voice_analyse``: a voice's topic is suggested (``voice_suggest_topic``) and it is matched
  into an issue of its commune (``voice_match``), with the active model (``trained.py``).
* ``voice_match``: joins the open issue of the commune the voice belongs to, or starts one, then
  merges the open issues the voice shows to be one matter (no officer's name on those merges).

The officers' decisions on issues are in ``services.py``; training in ``services_training.py``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from danvan.insight import matchcache
from danvan.insight.models import DecisionKind, Issue, IssueDecision, IssueStatus, issue_title
from danvan.insight.signatures import signature
from danvan.insight.trained import Trained, active_trained
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.models import Topic, Voice

__all__ = [
    "commune_of",
    "voice_analyse",
    "voice_match",
    "voice_suggest_topic",
    "voices_analyse",
]


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
