"""Officers' decisions on issues: confirming, merging, splitting, moving a voice, answering.

* ``issue_confirm``, ``issue_merge``, ``issue_split``, ``voice_move``: officers' decisions, each
  with an ``IssueDecision``, labelled pairs for learning, and an audit row.
* ``issue_answer``: one answer for every voice of the issue, each through the voices' own
  ``case_answer`` (and ``case_publish``), so each citizen sees it under their own code.

Matching a voice as it arrives is in ``services_matching.py``; training the model in
``services_training.py``; the active model in ``trained.py``.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.insight.grouping import Cluster, similarity
from danvan.insight.models import (
    DecisionKind,
    Issue,
    IssueDecision,
    IssueStatus,
    PairLabel,
    issue_title,
)
from danvan.insight.signatures import TextStats, signature
from danvan.insight.trained import active_trained
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.voices.models import Voice, VoiceStatus
from danvan.voices.services import ALLOWED_FROM
from danvan.voices.services_answer import case_answer, case_publish

__all__ = [
    "AnswerOutcome",
    "StaleIssueError",
    "issue_answer",
    "issue_confirm",
    "issue_merge",
    "issue_split",
    "voice_move",
]

#: Labelled pairs written per decision (a merge of two issues of 200 voices is not 40,000 pairs).
MAX_PAIRS_PER_DECISION = 60


class StaleIssueError(ValidationError):
    """Another officer changed the issue since this one loaded it."""


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
