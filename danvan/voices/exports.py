"""The inbox as a spreadsheet: the cases the officer sees, with the inbox's filters.

A denouncer's identity is never exported (it is not on the case). Other submitters' names and
contacts are exported only to roles that may see personal data, and the export is then written
to the audit log as a view of personal data, with the number of rows.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from danvan.accounts.roles import Capability
from danvan.accounts.scope import can
from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.deadlines.models import VoiceKind
from danvan.lib.xlsx import new_workbook, sheet_start, xlsx_response
from danvan.voices.forms import InboxFilterForm
from danvan.voices.models import Voice
from danvan.voices.selectors import due_soon_until, inbox_for, topics_for, urgency_of

#: More rows than this are not exported at once: narrow the filters (a month, a commune).
EXPORT_MAX_ROWS = 50_000


def _columns(with_personal_data: bool) -> list[tuple[str, int]]:
    columns = [
        (_("Tracking code"), 18),
        (_("Received on"), 12),
        (_("Kind"), 20),
        (_("Topic"), 22),
        (_("Channel"), 16),
        (_("Where it arose"), 24),
        (_("Commune or ward"), 24),
        (_("Content"), 60),
        (_("Status"), 18),
        (_("Responsible body"), 30),
        (_("Due"), 12),
        (_("Due date"), 12),
        (_("Answered at"), 14),
        (_("Citizen's satisfaction"), 10),
    ]
    if with_personal_data:
        columns += [(_("Name"), 24), (_("Phone or email"), 18), (_("Address"), 30)]
    return columns


def _row(
    voice: Voice,
    *,
    today: datetime.date,
    until: datetime.date,
    with_personal_data: bool,
    labels: dict[str, str],
) -> list[Any]:
    urgency = urgency_of(voice, today=today, due_soon_until_day=until)
    unit = voice.unit
    commune = unit.parent if unit.parent is not None and unit.tier == "village" else unit
    row: list[Any] = [
        voice.tracking_code,
        voice.received_on,
        voice.get_kind_display(),
        voice.topic.name,
        voice.get_channel_display(),
        unit.name,
        commune.name,
        voice.text,
        voice.get_status_display(),
        voice.assignee.name if voice.assignee else "",
        voice.due_on,
        labels.get(urgency, ""),
        timezone.localtime(voice.answered_at).replace(tzinfo=None) if voice.answered_at else None,
        voice.satisfaction,
    ]
    if with_personal_data:
        hidden = voice.is_anonymous or voice.kind == VoiceKind.DENUNCIATION
        row += (
            ["", "", ""]
            if hidden
            else [voice.submitter_name, voice.submitter_contact, voice.submitter_address]
        )
    return row


@login_required
@require_GET
def inbox_export(request: HttpRequest) -> HttpResponse:
    """The filtered inbox as XLSX, most urgent first, as on the screen."""
    from openpyxl.cell import WriteOnlyCell

    form = InboxFilterForm(request.GET or None, topics=topics_for(request.user))
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    today = timezone.localdate()
    until = due_soon_until(today, filters.due_soon_days)
    voices = list(
        inbox_for(request.user, filters, today=today, due_soon_until_day=until)[
            : EXPORT_MAX_ROWS + 1
        ]
    )
    truncated = len(voices) > EXPORT_MAX_ROWS
    voices = voices[:EXPORT_MAX_ROWS]
    # Personal data only for the roles that may see it everywhere the export reaches.
    with_personal_data = can(request.user, Capability.VIEW_PERSONAL_DATA)
    labels = {"overdue": _("Overdue"), "due_soon": _("Due soon")}

    workbook = new_workbook()
    sheet = sheet_start(workbook, _("Cases"), _columns(with_personal_data))
    for voice in voices:
        values = _row(
            voice,
            today=today,
            until=until,
            with_personal_data=with_personal_data,
            labels=labels,
        )
        cells = []
        for value in values:
            cell = WriteOnlyCell(sheet, value=value)
            if hasattr(value, "year"):
                cell.number_format = "DD/MM/YYYY HH:MM" if hasattr(value, "hour") else "DD/MM/YYYY"
            cells.append(cell)
        sheet.append(cells)
    if truncated:
        sheet.append([])
        sheet.append(
            [
                _("Only the first %(count)s cases are exported: narrow the filters.")
                % {"count": f"{EXPORT_MAX_ROWS:,}".replace(",", ".")}
            ]
        )
    audit_record(
        actor=Actor.from_request(request),
        action="voice.export",
        changes={
            "rows": len(voices),
            "filters": request.GET.urlencode()[:500],
            "personal_data": with_personal_data,
        },
        sensitive_view=with_personal_data,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(workbook, f"ho-so-y-kien-{stamp}.xlsx")
