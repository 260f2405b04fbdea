"""What the audit codes of cases, imports and topics mean (read by ``danvan.audit.actions``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from danvan.audit.models import AuditEntry
from danvan.deadlines.models import VoiceKind
from danvan.lib.users import Requester
from danvan.voices.identity import may_see_denouncer
from danvan.voices.models import Voice

ACTIONS = {
    "voice.submit": _("Case received"),
    "voice.submit_batch": _("Cases received in a batch"),
    "voice.attachment_add": _("Attachment added"),
    "voice.export": _("Cases exported"),
    "voice.export_queued": _("Case export queued in the background"),
    "voice.import": _("Cases imported from a spreadsheet"),
    "voice.import_queued": _("Spreadsheet import queued"),
    "voice.superior_report_requested": _("Superior asked for a report"),
    "voice.identity_reveal": _("Denouncer's identity shown, with a reason"),
    "voice.accept": _("Case accepted"),
    "voice.refuse": _("Case refused"),
    "voice.assign": _("Case assigned"),
    "voice.answer": _("Case answered"),
    "voice.publish": _("Answer published"),
    "voice.decide": _("Case answered by an issued decision or conclusion"),
    "voice.close": _("Case closed"),
    "voice.reopen": _("Case reopened"),
    "voice.forward": _("Case forwarded to the competent body"),
    "voice.coordinate": _("Bodies asked to coordinate"),
    "voice.coordination_reply": _("Coordinating body replied"),
    "voice.extend": _("Time limit extended"),
    "voice.rate": _("Answer rated by the citizen"),
    "voice.second_complaint": _("Second complaint filed"),
    "voice.set_topic": _("Case topic changed"),
    "topic.create": _("Topic created"),
    "topic.update": _("Topic changed"),
    "topic.change": _("Topic changed"),
}


def protected_addresses(user: Requester | None, entries: Iterable[AuditEntry]) -> set[int]:
    """Entries written by a citizen about a denunciation: their address and browser identify the
    denouncer, so only those who may see the identity see them (Law on Denunciations Art. 9.1.b)."""
    by_voice: dict[int, list[AuditEntry]] = {}
    for entry in entries:
        if (
            entry.actor_id is None
            and entry.object_type == "voices.voice"
            and entry.object_id.isdigit()
            and (entry.ip_address or entry.user_agent)
        ):
            by_voice.setdefault(int(entry.object_id), []).append(entry)
    if not by_voice:
        return set()
    hidden: set[int] = set()
    denunciations = Voice.objects.filter(
        pk__in=by_voice, kind=VoiceKind.DENUNCIATION
    ).select_related("unit")
    for voice in denunciations:
        if not may_see_denouncer(user=user, voice=voice):
            hidden.update(entry.pk for entry in by_voice[voice.pk])
    return hidden
