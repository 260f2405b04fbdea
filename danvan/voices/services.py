"""Writes to voices. Every action locks the case, checks the version the officer saw, records a
timeline event and an audit row in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.deadlines.engine import (
    COMPLEXITY_ORDER,
    EXTENSION,
    add_limit,
    compute_schedule,
    extension_ways,
)
from danvan.deadlines.errors import DeadlineError
from danvan.deadlines.models import Complexity, TimeLimitRule, VoiceKind
from danvan.deadlines.selectors import working_calendar
from danvan.lib.roles import Capability
from danvan.lib.scoping import can, scope_for
from danvan.notifications.services import notify
from danvan.organizations.models import Body, Membership
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.hooks import topic_corrected, voices_received
from danvan.voices.models import (
    Coordination,
    DenouncerIdentity,
    Topic,
    Voice,
    VoiceDeadline,
    VoiceEvent,
    VoiceStatus,
)
from danvan.voices.tracking import new_tracking_code

MAX_TEXT = 10_000

#: Kinds that the law does not let anyone raise anonymously (Law on Complaints Art. 8; Law on
#: Denunciations Art. 25: an anonymous denunciation is not handled as a denunciation).
NAMED_KINDS = frozenset(
    {VoiceKind.COMPLAINT_FIRST, VoiceKind.COMPLAINT_SECOND, VoiceKind.DENUNCIATION}
)


#: The statuses each case action may start from. Pages read it to offer only possible actions.
ALLOWED_FROM: dict[str, tuple[str, ...]] = {
    # A forwarded case is accepted or refused again, by the competent body.
    "accept": (VoiceStatus.RECEIVED, VoiceStatus.FORWARDED),
    "refuse": (VoiceStatus.RECEIVED, VoiceStatus.FORWARDED),
    "assign": (VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED),
    "forward": (VoiceStatus.RECEIVED, VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED),
    "coordinate": (VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED),
    "coordination_reply": (VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED, VoiceStatus.ANSWERED),
    "extend": (VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED),
    "answer": (VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED, VoiceStatus.ANSWERED),
    "publish": (VoiceStatus.ANSWERED,),
    # The issued decision on a complaint or conclusion on a denunciation answers the case, also
    # after a free-text answer was published.
    "decide": (
        VoiceStatus.ACCEPTED,
        VoiceStatus.ASSIGNED,
        VoiceStatus.ANSWERED,
        VoiceStatus.PUBLISHED,
    ),
    "close": (VoiceStatus.PUBLISHED, VoiceStatus.REFUSED, VoiceStatus.ANSWERED),
    "reopen": (VoiceStatus.CLOSED, VoiceStatus.PUBLISHED),
    "rate": (VoiceStatus.PUBLISHED, VoiceStatus.CLOSED),
    # Correcting the topic is filing, not a decision: allowed whatever the case's state.
    "set_topic": tuple(VoiceStatus.values),
    # Once decided, or while still open after its time limit has passed (checked by the service).
    "second_complaint": (
        VoiceStatus.PUBLISHED,
        VoiceStatus.CLOSED,
        VoiceStatus.ANSWERED,
        VoiceStatus.ACCEPTED,
        VoiceStatus.ASSIGNED,
    ),
}


#: Kinds answered by a document the head of the competent body signs: a decision on a complaint
#: (Law on Complaints 2011 Art. 31, 40) or a conclusion on a denunciation (Law on Denunciations
#: 2018 Art. 35). Such a case is closed only once that document is issued (``case_decide``).
DECIDED_KINDS = NAMED_KINDS


class StaleCaseError(ValidationError):
    """Another officer changed the case since this one loaded it."""


class CaseStateError(ValidationError):
    """The action cannot be taken in the case's current status (the API answers 409)."""


def _province_of(unit: AdministrativeUnit) -> str:
    return unit.path.strip("/").split("/")[0]


#: Steps whose dates are stored but that do not make the case due: forwarding applies only when
#: the body is not competent, the second complaint is the citizen's own limit, and the report to
#: the superior only arises once the case is overdue.
NOT_DRIVING_DUE = frozenset({"forward", "file_second_complaint", "superior_report"})

#: Steps that acceptance (thụ lý) completes.
DONE_BY_ACCEPTANCE = ("accept", "classify")

#: Steps that the answer completes, and that reopening the case opens again.
DONE_BY_ANSWER = ("resolve", "answer")


def _refresh_due_on(voice: Voice) -> None:
    """The earliest due date among the steps the body still has to do."""
    pending = [
        d.due_on
        for d in voice.deadlines.all()
        if d.due_on is not None and d.done_on is None and d.step not in NOT_DRIVING_DUE
    ]
    voice.due_on = min(pending) if pending else None


def _store_schedule(voice: Voice, *, extensions: dict[str, int] | None = None) -> None:
    """Compute every step's due date with the rules in force on the day of receipt; store them.

    ``extensions`` overrides the extensions stored on the steps (to grant one more)."""
    existing = {d.step: d for d in voice.deadlines.all()}
    granted = {d.step: d.extensions for d in existing.values() if d.extensions}
    granted.update(extensions or {})
    schedule = compute_schedule(
        kind=voice.kind,
        received=voice.received_on,
        accepted=voice.accepted_on,
        decided=voice.decided_on,
        remote=voice.is_remote,
        complexity=voice.complexity,
        joint=voice.is_joint,
        extensions=granted,
        rule_set=voice.rule_set,
    )
    voice.rule_set_id = schedule.rule_set_id
    for step in schedule.steps:
        row = existing.get(step.step)
        if row is None:
            VoiceDeadline.objects.create(
                voice=voice,
                step=step.step,
                due_on=step.due,
                counts_from=step.counts_from,
                citation=step.citation[:255],
            )
        elif row.due_on != step.due or row.extensions != step.extensions_granted:
            row.due_on = step.due
            row.extensions = step.extensions_granted
            row.save(update_fields=["due_on", "extensions"])
    _refresh_due_on(voice)


@transaction.atomic
def voice_submit(
    *,
    actor: Actor,
    kind: str,
    channel: str,
    unit: AdministrativeUnit,
    topic: Topic,
    text: str,
    received_on: datetime.date | None = None,
    is_anonymous: bool = False,
    submitter_name: str = "",
    submitter_contact: str = "",
    submitter_address: str = "",
    submitter_id_number: str = "",
    receiving_body: Body | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    complexity: str = Complexity.NORMAL,
    joint: bool = False,
    previous: Voice | None = None,
    submission_key: str | None = None,
    import_fingerprint: str | None = None,
) -> Voice:
    """Take in a voice from any channel.

    ``submission_key`` is a key the server made (the citizens' form's one-time token, the demo
    data): a retried call with the same key returns the first voice, with ``replayed`` set.
    Clients' keys never come here: the API keeps them per client (``danvan.api.idempotency``). ``import_fingerprint``: a spreadsheet
    row's (``fingerprint.py``); a row imported before is refused.
    """
    if submission_key:
        existing = Voice.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            existing.replayed = True
            return existing
    today = timezone.localdate()
    received_on = received_on or today
    text = text.strip()
    errors: list[str] = []
    if kind not in VoiceKind.values:
        errors.append(_("Unknown kind of voice."))
    if not text:
        errors.append(_("The content is empty."))
    elif len(text) > MAX_TEXT:
        errors.append(_("The content is longer than %(max)s characters.") % {"max": MAX_TEXT})
    if received_on > today:
        errors.append(_("The date of receipt cannot be in the future."))
    if not unit.is_current or unit.tier not in (UnitTier.COMMUNE, UnitTier.VILLAGE):
        errors.append(_("Choose a current commune, ward, village or residential group."))
    if topic.province is not None and topic.province.code != _province_of(unit):
        errors.append(_("This topic belongs to another province."))
    if kind in NAMED_KINDS and (is_anonymous or not submitter_name.strip()):
        errors.append(
            _(
                "A complaint or denunciation needs the name of the person who makes it. "
                "Without a name, send it as a reflection."
            )
        )
    if joint and kind != VoiceKind.VOTER_RECOMMENDATION:
        errors.append(_("Only a voter recommendation can have a joint answer."))
    if (latitude is None) != (longitude is None):
        errors.append(_("Give both latitude and longitude, or neither."))
    elif (
        latitude is not None
        and longitude is not None
        and not (
            Decimal(-90) <= latitude <= Decimal(90) and Decimal(-180) <= longitude <= Decimal(180)
        )
    ):
        errors.append(_("The coordinates are outside the Earth."))
    if errors:
        raise ValidationError(errors)

    is_denunciation = kind == VoiceKind.DENUNCIATION
    # The remote flag as stored now, not as the caller's copy of the unit remembers it.
    fresh = AdministrativeUnit.objects.select_related("parent").get(pk=unit.pk)
    remote = fresh.is_remote or bool(
        fresh.tier == UnitTier.VILLAGE and fresh.parent is not None and fresh.parent.is_remote
    )
    # Every step's due date is known before the row is written: one INSERT, no UPDATE after.
    try:
        schedule = compute_schedule(
            kind=kind, received=received_on, remote=remote, complexity=complexity, joint=joint
        )
    except DeadlineError as exc:
        raise ValidationError(str(exc)) from exc
    driving = [
        step.due
        for step in schedule.steps
        if step.due is not None and step.step not in NOT_DRIVING_DUE
    ]
    voice = Voice(
        tracking_code=new_tracking_code(),
        kind=kind,
        channel=channel,
        unit=unit,
        topic=topic,
        text=text,
        received_on=received_on,
        is_anonymous=is_anonymous,
        # A denouncer's identity never sits on the case itself.
        submitter_name="" if (is_anonymous or is_denunciation) else submitter_name.strip(),
        submitter_contact="" if (is_anonymous or is_denunciation) else submitter_contact.strip(),
        submitter_address="" if (is_anonymous or is_denunciation) else submitter_address.strip(),
        latitude=latitude,
        longitude=longitude,
        receiving_body=receiving_body,
        is_remote=remote,
        complexity=complexity,
        is_joint=joint,
        previous=previous,
        submission_key=submission_key or None,
        import_fingerprint=import_fingerprint or None,
        created_by=actor.user,
        rule_set_id=schedule.rule_set_id,
        due_on=min(driving) if driving else None,
    )
    for attempt in range(3):
        try:
            with transaction.atomic():
                voice.save()
            break
        except IntegrityError:
            if submission_key:
                # Two retries of one submission raced; the other one won.
                raced = Voice.objects.filter(submission_key=submission_key).first()
                if raced is not None:
                    raced.replayed = True
                    return raced
            if (
                import_fingerprint
                and Voice.objects.filter(import_fingerprint=import_fingerprint).exists()
            ):
                # A concurrent import of the same row won. Its tracking code is not given: it
                # may be a denunciation's.
                raise ValidationError(
                    _("Already imported: the same as a voice received earlier.")
                ) from None
            if attempt == 2 or not Voice.objects.filter(tracking_code=voice.tracking_code).exists():
                raise
            voice.tracking_code = new_tracking_code()  # the rare collision of random codes
    if is_denunciation:
        DenouncerIdentity.objects.create(
            voice=voice,
            name=submitter_name.strip(),
            contact=submitter_contact.strip(),
            address=submitter_address.strip(),
            id_number=submitter_id_number.strip(),
        )
    VoiceDeadline.objects.bulk_create(
        VoiceDeadline(
            voice=voice,
            step=step.step,
            due_on=step.due,
            counts_from=step.counts_from,
            citation=step.citation[:255],
        )
        for step in schedule.steps
    )
    VoiceEvent.objects.create(
        voice=voice, actor=actor.user, action="submit", to_status=voice.status, is_public=True
    )
    audit_record(
        actor=actor,
        action="voice.submit",
        obj=voice,
        unit=unit,
        changes={"kind": kind, "channel": channel},
    )
    analyse_on_commit([voice.pk])
    return voice


def analyse_on_commit(voice_ids: list[int]) -> None:
    """Once the voices are saved, suggest their topic and match them into issues (background):
    the apps registered in ``voices.hooks`` (insight) do it on commit."""
    voices_received(voice_ids)


def _transition(
    *,
    actor: Actor,
    voice: Voice,
    expected_version: int,
    action: str,
    to_status: str | None,
    change: Callable[[Voice], dict[str, Any]],
    note: str = "",
    body: Body | None = None,
    is_public: bool = False,
) -> Voice:
    locked = Voice.objects.select_for_update().select_related("unit").get(pk=voice.pk)
    if actor.user is not None and not can(actor.user, Capability.ACT, locked.unit):
        raise PermissionDenied(_("You may not act on this case."))
    if locked.version != expected_version:
        raise StaleCaseError(
            _(
                "Someone else changed this case while you were looking at it. Reload it and try again."
            )
        )
    if locked.status not in ALLOWED_FROM[action]:
        raise CaseStateError(
            _("This cannot be done while the case is “%(status)s”.")
            % {"status": locked.get_status_display()}
        )
    from_status = locked.status
    before = {f.attname: getattr(locked, f.attname) for f in locked._meta.concrete_fields}
    details = change(locked)
    if to_status is not None:
        locked.status = to_status
    locked.version += 1
    changed = [name for name, value in before.items() if getattr(locked, name) != value]
    locked.save(update_fields=[*changed, "updated_at"])
    VoiceEvent.objects.create(
        voice=locked,
        actor=actor.user,
        action=action,
        from_status=from_status,
        to_status=locked.status,
        body=body,
        note=note,
        is_public=is_public,
    )
    audit_record(
        actor=actor,
        action=f"voice.{action}",
        obj=locked,
        unit=locked.unit,
        changes={"status": [from_status, locked.status], **details},
    )
    return locked


def may_accept(user: Any, voice: Voice) -> bool:
    """Whether ``user`` may accept or refuse the case (thụ lý). Once forwarded, the case is the
    competent body's to accept or refuse: only that body's officers (and a system administrator)
    may, not the body that forwarded it. ``user`` None is the system itself (imports, the demo)."""
    if voice.status != VoiceStatus.FORWARDED or voice.assignee_id is None or user is None:
        return True
    # A global role (not a path in the scope) may accept anywhere; others through the body.
    if scope_for(user, Capability.ACT).is_global:
        return True
    return (
        Membership.objects.active()
        .holding(Capability.ACT)
        .filter(user=user, body_id=voice.assignee_id)
        .exists()
    )


def _check_may_accept(actor: Actor, voice: Voice) -> None:
    if not may_accept(actor.user, voice):
        raise PermissionDenied(
            _("This case was forwarded to %(body)s: its officers accept or refuse it.")
            % {"body": voice.assignee}
        )


@transaction.atomic
def case_accept(
    *, actor: Actor, voice: Voice, expected_version: int, accepted_on: datetime.date | None = None
) -> Voice:
    """Accept the case for handling (thụ lý); the steps counted from acceptance get their dates."""
    day = accepted_on or timezone.localdate()

    def change(v: Voice) -> dict[str, Any]:
        _check_may_accept(actor, v)
        if day < v.received_on:
            raise ValidationError(_("The acceptance date cannot be before the date of receipt."))
        if day > timezone.localdate():
            raise ValidationError(_("The acceptance date cannot be in the future."))
        v.accepted_on = day
        _store_schedule(v)
        v.deadlines.filter(step__in=DONE_BY_ACCEPTANCE).update(done_on=day)
        _refresh_due_on(v)
        return {"accepted_on": day.isoformat()}

    return _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="accept",
        to_status=VoiceStatus.ACCEPTED,
        change=change,
        is_public=True,
    )


@transaction.atomic
def case_refuse(*, actor: Actor, voice: Voice, expected_version: int, reason: str) -> Voice:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the case is refused: the citizen will read it."))

    def change(v: Voice) -> dict[str, Any]:
        _check_may_accept(actor, v)
        v.refusal_reason = reason
        v.due_on = None
        return {}

    return _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="refuse",
        to_status=VoiceStatus.REFUSED,
        change=change,
        note=reason,
        is_public=True,
    )


@transaction.atomic
def case_assign(*, actor: Actor, voice: Voice, expected_version: int, body: Body) -> Voice:
    """Give the case to the body responsible for acting on it."""
    if not body.is_active:
        raise ValidationError(_("This body is no longer active."))

    def change(v: Voice) -> dict[str, Any]:
        if not v.unit.path.startswith(body.unit.path):
            raise ValidationError(_("The responsible body must be at the case's unit or above it."))
        previous = v.assignee_id
        v.assignee = body
        return {"assignee": [previous, body.pk]}

    assigned = _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="assign",
        to_status=VoiceStatus.ASSIGNED,
        change=change,
        body=body,
        is_public=True,
    )
    _tell_body(
        actor=actor,
        voice=assigned,
        body=body,
        kind="case_received",
        title=_("Case %(code)s is assigned to %(body)s")
        % {"code": assigned.tracking_code, "body": body.name},
        body_text=_("Due on %(due)s.") % {"due": assigned.due_on.strftime("%d/%m/%Y")}
        if assigned.due_on
        else "",
    )
    return assigned


@transaction.atomic
def case_answer(*, actor: Actor, voice: Voice, expected_version: int, text: str) -> Voice:
    """Record the answer. The citizen sees it only once it is published."""
    text = text.strip()
    if not text:
        raise ValidationError(_("The answer is empty."))

    def change(v: Voice) -> dict[str, Any]:
        v.answer_text = text
        v.answered_at = timezone.now()
        today = timezone.localdate()
        v.deadlines.filter(done_on__isnull=True, step__in=DONE_BY_ANSWER).update(done_on=today)
        v.due_on = None
        return {}

    return _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="answer",
        to_status=VoiceStatus.ANSWERED,
        change=change,
    )


@transaction.atomic
def case_set_topic(*, actor: Actor, voice: Voice, expected_version: int, topic: Topic) -> Voice:
    """File the case under another topic. The correction is kept for the topic classifier to
    learn from (insight keeps it as a ``TopicLabel``, through ``voices.hooks``), with the topic it
    had suggested."""
    if topic.province is not None and topic.province.code != _province_of(voice.unit):
        raise ValidationError(_("This topic belongs to another province."))
    if not topic.is_active:
        raise ValidationError(_("This topic is no longer in use."))

    def change(v: Voice) -> dict[str, Any]:
        before = v.topic_id
        v.topic = topic
        topic_corrected(v, topic, actor.user)
        return {"topic": [before, topic.pk]}

    return _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="set_topic",
        to_status=None,
        change=change,
    )


@transaction.atomic
def case_publish(*, actor: Actor, voice: Voice, expected_version: int) -> Voice:
    def change(v: Voice) -> dict[str, Any]:
        v.published_at = timezone.now()
        # The decision reaches the citizen today: the time for a second complaint runs from it.
        v.decided_on = max(timezone.localdate(), v.accepted_on or v.received_on)
        _store_schedule(v)
        v.due_on = None
        return {"decided_on": v.decided_on.isoformat()}

    return _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="publish",
        to_status=VoiceStatus.PUBLISHED,
        change=change,
        is_public=True,
    )


@transaction.atomic
def case_close(*, actor: Actor, voice: Voice, expected_version: int, note: str = "") -> Voice:
    def change(v: Voice) -> dict[str, Any]:
        if (
            v.kind in DECIDED_KINDS
            and v.status != VoiceStatus.REFUSED
            and not decided_since_reopening(v)
        ):
            raise ValidationError(
                _(
                    "A complaint or denunciation is closed only once the decision or conclusion "
                    "on it, approved by the head of the body, is issued."
                )
            )
        v.closed_at = timezone.now()
        v.due_on = None
        return {}

    return _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="close",
        to_status=VoiceStatus.CLOSED,
        change=change,
        note=note,
        is_public=True,
    )


def decided_since_reopening(voice: Voice) -> bool:
    """Whether an issued decision answered the case after it was last reopened."""
    last: dict[str, int] = {}
    for action, pk in voice.events.filter(action__in=["decide", "reopen"]).values_list(
        "action", "pk"
    ):
        last[action] = max(pk, last.get(action, 0))
    return last.get("decide", 0) > last.get("reopen", 0)


@transaction.atomic
def case_decide(
    *,
    actor: Actor,
    voice: Voice,
    expected_version: int,
    text: str,
    decided_on: datetime.date,
    reference: str,
) -> Voice:
    """The issued decision or conclusion answers the case and is published to the citizen.

    Called by the app that keeps the documents (``danvan.decisions``) when the head issues one:
    ``text`` is its public content (never a denouncer's identity), ``reference`` its number and
    symbol. The time for a second complaint runs from ``decided_on`` (Law on Complaints Art. 33).
    """
    text = text.strip()
    if voice.kind not in DECIDED_KINDS:
        raise ValidationError(_("Only complaints and denunciations are answered by a decision."))
    if not text:
        raise ValidationError(_("The answer is empty."))

    def change(v: Voice) -> dict[str, Any]:
        v.answer_text = text
        now = timezone.now()
        v.answered_at = v.answered_at or now
        v.published_at = now
        v.deadlines.filter(done_on__isnull=True, step__in=["resolve", "answer"]).update(
            done_on=decided_on
        )
        v.decided_on = max(decided_on, v.accepted_on or v.received_on)
        _store_schedule(v)
        v.due_on = None
        return {"decided_on": v.decided_on.isoformat(), "reference": reference}

    return _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="decide",
        to_status=VoiceStatus.PUBLISHED,
        change=change,
        note=reference,
        is_public=True,
    )


@transaction.atomic
def case_reopen(*, actor: Actor, voice: Voice, expected_version: int, reason: str) -> Voice:
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the case is reopened."))

    def change(v: Voice) -> dict[str, Any]:
        v.closed_at = None
        # Decided on the locked row, not on the caller's copy, which may be stale.
        if v.accepted_on is None:
            v.status = VoiceStatus.RECEIVED  # a refused case is accepted or refused anew
        else:
            v.status = VoiceStatus.ASSIGNED if v.assignee_id else VoiceStatus.ACCEPTED
        # The answer is to be given again: its step is open once more, with the limit the law
        # set from acceptance (reopening does not start a new one), so the case is due again.
        v.deadlines.filter(step__in=DONE_BY_ANSWER).update(done_on=None)
        _store_schedule(v)
        return {"due_on": v.due_on.isoformat() if v.due_on else None}

    return _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="reopen",
        to_status=None,
        change=change,
        note=reason,
        is_public=True,
    )


def _tell_body(
    *, actor: Actor, voice: Voice, body: Body, kind: str, title: str, body_text: str
) -> None:
    """Notify the officers of ``body`` who may act (in the app, and by email after the commit)."""
    from danvan.voices.urging import case_link  # urging builds on these services

    members = (
        Membership.objects.active()
        .holding(Capability.ACT)
        .filter(body=body)
        .select_related("user")
        .order_by("user_id")
    )
    notify(
        actor=actor,
        recipients=[
            m.user for m in members if m.user_id != (actor.user.pk if actor.user else None)
        ],
        kind=kind,
        title=title,
        body=body_text,
        link=case_link(voice),
        obj=voice,
        unit=voice.unit,
    )


def _active_body_above(voice: Voice, body: Body) -> None:
    if not body.is_active:
        raise ValidationError(_("This body is no longer active."))
    if not voice.unit.path.startswith(body.unit.path):
        raise ValidationError(_("The body must be at the case's unit or above it."))


@transaction.atomic
def case_forward(
    *, actor: Actor, voice: Voice, expected_version: int, body: Body, reason: str
) -> Voice:
    """Hand the case to the competent body when this one is not competent.

    The competent body accepts or refuses it anew; the steps counted from acceptance wait for
    that. A denouncer's identity is never part of what is handed over: it stays in
    ``DenouncerIdentity``, which only the roles the law permits can open (Law on Denunciations
    Art. 9.1.b).
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the case goes to another body."))

    def change(v: Voice) -> dict[str, Any]:
        _active_body_above(v, body)
        if v.assignee_id == body.pk:
            raise ValidationError(_("The case is already with this body."))
        previous = v.assignee_id
        v.assignee = body
        v.accepted_on = None
        today = timezone.localdate()
        v.deadlines.filter(step="forward", done_on__isnull=True).update(done_on=today)
        v.deadlines.filter(step__in=DONE_BY_ACCEPTANCE).update(done_on=None)
        _store_schedule(v)
        return {"assignee": [previous, body.pk]}

    forwarded = _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="forward",
        to_status=VoiceStatus.FORWARDED,
        change=change,
        note=reason,
        body=body,
        is_public=True,
    )
    _tell_body(
        actor=actor,
        voice=forwarded,
        body=body,
        kind="case_received",
        title=_("Case %(code)s is forwarded to %(body)s, to accept or refuse")
        % {"code": forwarded.tracking_code, "body": body.name},
        body_text=reason,
    )
    return forwarded


def _coordination_reply_due(voice: Voice, asked_on: datetime.date) -> datetime.date | None:
    """The coordinating body's reply is due 15 days after it is asked (Decision 33/2017/QĐ-TTg
    Art. 12), as the case's rule set says; None where the rule set has no such limit."""
    rules = TimeLimitRule.objects.filter(rule_set_id=voice.rule_set_id, step="coordination_reply")
    rule = rules.filter(kind=voice.kind).first() or rules.first()
    if rule is None:
        return None
    amount = rule.amount_for(remote=voice.is_remote, complexity=voice.complexity)
    return add_limit(working_calendar(), asked_on, amount, rule.unit)


@transaction.atomic
def case_coordinate(
    *, actor: Actor, voice: Voice, expected_version: int, bodies: list[Body], request: str
) -> Voice:
    """Ask other bodies to coordinate; each reply gets its due date."""
    request = request.strip()
    if not request:
        raise ValidationError(_("Say what the other bodies are asked to do."))
    if not bodies:
        raise ValidationError(_("Choose at least one body."))

    def change(v: Voice) -> dict[str, Any]:
        today = timezone.localdate()
        for body in bodies:
            if not body.is_active:
                raise ValidationError(_("%(body)s is no longer active.") % {"body": body.name})
            if not v.unit.path.startswith(body.unit.path):
                # Its officers must be able to see the case to reply.
                raise ValidationError(
                    _("%(body)s is not at the case's unit or above it.") % {"body": body.name}
                )
            if body.pk == v.assignee_id:
                raise ValidationError(
                    _("%(body)s is the responsible body itself.") % {"body": body.name}
                )
            if Coordination.objects.filter(voice=v, body=body, replied_at__isnull=True).exists():
                raise ValidationError(
                    _("%(body)s has already been asked and has not replied yet.")
                    % {"body": body.name}
                )
        due = _coordination_reply_due(v, today)
        Coordination.objects.bulk_create(
            Coordination(voice=v, body=b, request=request, requested_by=actor.user, due_on=due)
            for b in bodies
        )
        v.deadlines.filter(step="coordinate", done_on__isnull=True).update(done_on=today)
        _refresh_due_on(v)
        return {"bodies": [b.pk for b in bodies], "reply_due": due.isoformat() if due else None}

    asked = _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="coordinate",
        to_status=None,
        change=change,
        note=request,
    )
    for body in bodies:
        _tell_body(
            actor=actor,
            voice=asked,
            body=body,
            kind="coordination",
            title=_("%(body)s is asked to coordinate on case %(code)s")
            % {"body": body.name, "code": asked.tracking_code},
            body_text=request,
        )
    return asked


@transaction.atomic
def coordination_reply(
    *, actor: Actor, coordination: Coordination, expected_version: int, reply: str
) -> Voice:
    """Record a coordinating body's reply. Whoever may act on the case may record it; the
    coordinating bodies are at the case's unit or above, so their officers can."""
    reply = reply.strip()
    if not reply:
        raise ValidationError(_("The reply is empty."))
    locked = (
        Coordination.objects.select_for_update()
        .select_related("body__unit")
        .get(pk=coordination.pk)
    )
    if locked.replied_at is not None:
        raise ValidationError(_("This body has already replied."))

    def change(v: Voice) -> dict[str, Any]:
        locked.reply = reply
        locked.replied_at = timezone.now()
        locked.save(update_fields=["reply", "replied_at"])
        return {"coordination": locked.pk}

    return _transition(
        actor=actor,
        voice=coordination.voice,
        expected_version=expected_version,
        action="coordination_reply",
        to_status=None,
        change=change,
        note=reply,
        body=locked.body,
    )


@transaction.atomic
def case_extend(
    *,
    actor: Actor,
    voice: Voice,
    expected_version: int,
    step: str,
    reason: str,
    complexity: str | None = None,
) -> Voice:
    """Give one step more time, only as far as the case's rule set allows.

    A denunciation may be extended once when complex and twice when especially complex (Law on
    Denunciations Art. 30); a first complaint found complex gets the longer limit of Art. 28 (45
    days instead of 30; 60 instead of 45 in remote areas), which is not an extension. The
    officer states the complexity with the extension; it can only be raised.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the time limit is extended."))
    if complexity is not None and complexity not in Complexity.values:
        raise ValidationError(_("Unknown complexity."))

    def change(v: Voice) -> dict[str, Any]:
        row = v.deadlines.filter(step=step).first()
        if row is None or row.due_on is None:
            raise ValidationError(_("This case has no due date for that step to extend."))
        if row.done_on is not None:
            raise ValidationError(_("That step is already done."))
        before = row.due_on
        level = complexity or v.complexity
        if COMPLEXITY_ORDER.index(Complexity(level)) < COMPLEXITY_ORDER.index(
            Complexity(v.complexity)
        ):
            raise ValidationError(
                _("The case is already “%(complexity)s”: an extension cannot lower it.")
                % {"complexity": Complexity(v.complexity).label}
            )
        ways = extension_ways_of(v).get(step, {})
        way = ways.get(level)
        if way is None:
            raise ValidationError(
                _("The law allows no further extension of this step: %(reason)s")
                % {"reason": _no_extension_reason(ways, row.extensions)}
            )
        v.complexity = level
        _store_schedule(v, extensions={step: row.extensions + 1} if way == EXTENSION else None)
        row.refresh_from_db()
        return {
            "step": step,
            "due_on": [before.isoformat(), row.due_on.isoformat() if row.due_on else None],
            "extensions": row.extensions,
            "reason": reason,
        }

    return _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="extend",
        to_status=None,
        change=change,
        note=reason,
        is_public=True,
    )


def extension_ways_of(voice: Voice) -> dict[str, dict[str, str]]:
    """The open steps of the case that can get more time, each with the complexities that give
    it and how (``deadlines.engine.extension_ways``). The case page offers exactly these."""
    if voice.rule_set_id is None:
        return {}
    open_steps = {
        d.step: d.extensions
        for d in voice.deadlines.all()
        if d.due_on is not None and d.done_on is None and d.step not in NOT_DRIVING_DUE
    }
    ways = extension_ways(
        rule_set=voice.rule_set_id,
        kind=voice.kind,
        remote=voice.is_remote,
        complexity=voice.complexity,
        joint=voice.is_joint,
        granted=open_steps,
    )
    return {step: found for step, found in ways.items() if step in open_steps}


def _no_extension_reason(ways: dict[str, str], extensions: int) -> str:
    if ways:
        labels = ", ".join(f"“{Complexity(level).label}”" for level in ways)
        return _("not for a case of this complexity; a case found %(levels)s gets more time.") % {
            "levels": labels
        }
    if extensions:
        return _("it has already been extended %(count)s time(s), as often as the law allows.") % {
            "count": extensions
        }
    return _("the law gives this step no extension.")


#: Scores of the citizen's satisfaction with the answer.
SATISFACTION_SCORES = range(1, 6)


@transaction.atomic
def voice_rate(
    *, actor: Actor, voice: Voice, expected_version: int, score: int, comment: str = ""
) -> Voice:
    """The citizen's rating of the published answer (1 to 5), given once, with the tracking code."""
    if score not in SATISFACTION_SCORES:
        raise ValidationError(_("Give a score from 1 to 5."))
    comment = comment.strip()
    if len(comment) > 2000:
        raise ValidationError(_("The comment is longer than 2000 characters."))

    def change(v: Voice) -> dict[str, Any]:
        if v.satisfaction is not None:
            raise ValidationError(_("This answer has already been rated."))
        v.satisfaction = score
        v.satisfaction_comment = comment
        return {"satisfaction": score}

    return _transition(
        actor=actor,
        voice=voice,
        expected_version=expected_version,
        action="rate",
        to_status=None,
        change=change,
        note=comment,
    )


def second_complaint_deadline(first: Voice) -> datetime.date | None:
    """The last day to file a second complaint against ``first`` (Law on Complaints Art. 33)."""
    row = first.deadlines.filter(step="file_second_complaint").first()
    return row.due_on if row is not None else None


@transaction.atomic
def complaint_file_second(
    *,
    actor: Actor,
    first: Voice,
    expected_version: int,
    text: str,
    channel: str,
    received_on: datetime.date | None = None,
    receiving_body: Body | None = None,
    submission_key: str | None = None,
) -> Voice:
    """File a second complaint against the first-time decision (Law on Complaints Art. 33).

    The second complaint is a new case of kind ``complaint_second`` linked to the first, made by
    the same complainant; the first case gets an event pointing to it.
    """
    if first.kind != VoiceKind.COMPLAINT_FIRST:
        raise ValidationError(_("Only a first complaint can be followed by a second complaint."))
    day = received_on or timezone.localdate()
    last_day = second_complaint_deadline(first)
    if last_day is not None and day > last_day:
        raise ValidationError(
            _("The time to file a second complaint ended on %(day)s (Law on Complaints Art. 33).")
            % {"day": last_day.strftime("%d/%m/%Y")}
        )
    if first.is_open:
        resolve = first.deadlines.filter(step="resolve").first()
        if resolve is None or resolve.due_on is None or resolve.due_on >= day:
            raise ValidationError(
                _(
                    "A second complaint can be filed once the first is decided, or once its time "
                    "limit has passed without a decision."
                )
            )
    if Voice.objects.filter(previous=first, kind=VoiceKind.COMPLAINT_SECOND).exists():
        raise ValidationError(_("A second complaint has already been filed against this decision."))

    created: dict[str, Voice] = {}

    def change(v: Voice) -> dict[str, Any]:
        second = voice_submit(
            actor=actor,
            kind=VoiceKind.COMPLAINT_SECOND,
            channel=channel,
            unit=v.unit,
            topic=v.topic,
            text=text,
            received_on=day,
            submitter_name=v.submitter_name,
            submitter_contact=v.submitter_contact,
            submitter_address=v.submitter_address,
            receiving_body=receiving_body,
            previous=v,
            submission_key=submission_key,
        )
        created["second"] = second
        return {"second_complaint": second.tracking_code}

    _transition(
        actor=actor,
        voice=first,
        expected_version=expected_version,
        action="second_complaint",
        to_status=None,
        change=change,
        is_public=True,
    )
    return created["second"]
