"""The inbox as a spreadsheet: the cases the officer sees, with the inbox's filters.

A denouncer's identity is never exported (it is not on the case). The sender's name and contacts
are written row by row, only on the rows whose unit the officer's role may see personal data of
(``selectors.may_see_submitter``, the case page's rule): an officer with that right in one
commune does not export another commune's names and phones.

Up to ``EXPORT_IMMEDIATE_ROWS`` cases the file is written while the officer waits. Beyond, the
officer confirms and the file is written in the background (``VoiceExportJob``, the
``voice_export_job_run`` task), with a progress bar like a large import; the request is frozen
when it is made (filters, day, the officer's scopes), and the file is kept for the requester
alone for ``EXPORT_KEPT``, then deleted. Every download, immediate or background, is written to
the audit log with the filters, the row count and whether personal data was included.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_tasks import task

from danvan.audit.context import Actor
from danvan.audit.services import audit_export, audit_record
from danvan.deadlines.models import VoiceKind
from danvan.lib.forms import XLSX_CONTENT_TYPE
from danvan.lib.roles import Capability
from danvan.lib.routers import heavy_reads
from danvan.lib.scoping import Scope, can, scope_for, scope_pin
from danvan.lib.users import Requester
from danvan.lib.worker import PEOPLE_PRIORITY, PEOPLE_QUEUE
from danvan.lib.xlsx import new_workbook, sheet_append, sheet_start, workbook_bytes, xlsx_response
from danvan.voices.forms import InboxFilterForm
from danvan.voices.models import Channel, ImportJobStatus, Voice, VoiceExportJob, VoiceStatus
from danvan.voices.selectors import (
    InboxFilters,
    due_soon_until,
    inbox_for,
    may_see_submitter,
    topics_for,
    urgency_of,
)

logger = logging.getLogger(__name__)

#: More rows than this are not exported at once: narrow the filters (a month, a commune).
EXPORT_MAX_ROWS = 50_000
#: Up to this many cases the file is written while the officer waits (a few seconds at most).
EXPORT_IMMEDIATE_ROWS = 2_000
#: How long a background export's file is kept for its requester.
EXPORT_KEPT = datetime.timedelta(hours=24)
#: The background job writes its progress every this many rows.
PROGRESS_EVERY = 500
WAITING_TOO_LONG = datetime.timedelta(minutes=2)
#: A running export older than this has lost its worker (50,000 rows take about a minute): it is
#: failed, so that its page says so instead of waiting for ever. Nothing is lost: an export
#: changes no data and can be asked again.
RUNNING_TOO_LONG = datetime.timedelta(minutes=15)


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
    labels: dict[str, str],
    names: dict[str, dict[str, str]],
) -> list[Any]:
    urgency = urgency_of(voice, today=today, due_soon_until_day=until)
    unit = voice.unit
    commune = unit.parent if unit.parent is not None and unit.tier == "village" else unit
    return [
        voice.tracking_code,
        voice.received_on,
        names["kind"].get(voice.kind, voice.kind),
        voice.topic.name,
        names["channel"].get(voice.channel, voice.channel),
        unit.name,
        commune.name,
        voice.text,
        names["status"].get(voice.status, voice.status),
        voice.assignee.name if voice.assignee else "",
        voice.due_on,
        labels.get(urgency, ""),
        voice.answered_at,
        voice.satisfaction,
    ]


@dataclass(frozen=True)
class CasesWorkbook:
    data: bytes
    rows: int
    #: Rows written with the sender's name and contacts.
    personal_rows: int
    truncated: bool


def filters_from(query: str, user: Requester) -> InboxFilters:
    """The inbox's filters from a query string, as the inbox reads them (bad values ignored)."""
    form = InboxFilterForm(QueryDict(query) or None, topics=topics_for(user))
    if form.is_bound:
        form.is_valid()
    return form.filters()


@heavy_reads()
def cases_workbook(
    user: Requester,
    filters: InboxFilters,
    *,
    today: datetime.date,
    progress: Callable[[int], None] | None = None,
) -> CasesWorkbook:
    """The cases ``user`` sees with ``filters`` as XLSX, most urgent first, as on the screen; the
    personal-data columns when the role holds that right anywhere, filled on the rows of the units
    where it holds it."""
    until = due_soon_until(today, filters.due_soon_days)
    voices = inbox_for(user, filters, today=today, due_soon_until_day=until)[: EXPORT_MAX_ROWS + 1]
    with_personal_columns = can(user, Capability.VIEW_PERSONAL_DATA)
    labels = {"overdue": _("Overdue"), "due_soon": _("Due soon")}
    # The choices' labels translated once, not per row (get_FOO_display hashes lazy labels).
    names = {
        field: {str(key): str(label) for key, label in choices}
        for field, choices in (
            ("kind", VoiceKind.choices),
            ("channel", Channel.choices),
            ("status", VoiceStatus.choices),
        )
    }

    workbook = new_workbook()
    sheet = sheet_start(workbook, _("Cases"), _columns(with_personal_columns))
    written = personal = 0
    truncated = False
    for voice in voices.iterator(chunk_size=2000):
        if written == EXPORT_MAX_ROWS:
            truncated = True
            break
        values = _row(voice, today=today, until=until, labels=labels, names=names)
        if with_personal_columns:
            hidden = voice.is_anonymous or voice.kind == VoiceKind.DENUNCIATION
            if not hidden and may_see_submitter(user, voice):
                values += [voice.submitter_name, voice.submitter_contact, voice.submitter_address]
                personal += 1
            else:
                values += ["", "", ""]
        sheet_append(sheet, values)
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written)
    if truncated:
        sheet_append(sheet, [])
        sheet_append(
            sheet,
            [
                _("Only the first %(count)s cases are exported: narrow the filters.")
                % {"count": f"{EXPORT_MAX_ROWS:,}".replace(",", ".")}
            ],
        )
    return CasesWorkbook(
        data=workbook_bytes(workbook), rows=written, personal_rows=personal, truncated=truncated
    )


def _filename(at: datetime.datetime) -> str:
    return f"ho-so-y-kien-{timezone.localtime(at).strftime('%Y%m%d-%H%M')}.xlsx"


@login_required
@require_http_methods(["GET", "POST"])
def inbox_export(request: HttpRequest) -> HttpResponse:
    """The filtered inbox as XLSX at once; above ``EXPORT_IMMEDIATE_ROWS`` cases, a page that
    offers to prepare it in the background (GET), and the job started (POST)."""
    query = request.GET.urlencode()
    filters = filters_from(query, request.user)
    today = timezone.localdate()
    if request.method == "POST":
        job = voice_export_job_start(
            actor=Actor.from_request(request),
            query=query,
            today=today,
            language=translation.get_language() or "vi",
        )
        return redirect("voices:export_job", pk=job.pk)
    until = due_soon_until(today, filters.due_soon_days)
    voices = inbox_for(request.user, filters, today=today, due_soon_until_day=until)
    if voices[: EXPORT_IMMEDIATE_ROWS + 1].count() > EXPORT_IMMEDIATE_ROWS:
        return render(
            request,
            "voices/export/start.html",
            {"query": query, "limit": EXPORT_IMMEDIATE_ROWS, "max_rows": EXPORT_MAX_ROWS},
        )
    result = cases_workbook(request.user, filters, today=today)
    audit_export(
        actor=Actor.from_request(request),
        action="voice.export",
        rows=result.rows,
        filters=query,
        personal_data=result.personal_rows > 0,
        changes={"personal_rows": result.personal_rows},
    )
    return xlsx_response(result.data, _filename(timezone.now()))


# --- In the background ---------------------------------------------------------------------------


def _scope_json(scope: Scope) -> dict[str, Any]:
    return {"global": scope.is_global, "prefixes": list(scope.prefixes)}


def _scope_from(data: Any) -> Scope:
    if not isinstance(data, dict):
        return Scope()
    return Scope(is_global=bool(data.get("global")), prefixes=tuple(data.get("prefixes") or ()))


#: The scopes an export reads, frozen on the job when it is requested.
_FROZEN = {"view": Capability.VIEW, "personal_data": Capability.VIEW_PERSONAL_DATA}


def voice_export_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of the exports past their time; the number deleted."""
    now = now or timezone.now()
    count = 0
    for job in VoiceExportJob.objects.filter(expires_at__lte=now).exclude(file=""):
        job.file.delete(save=False)
        VoiceExportJob.objects.filter(pk=job.pk).update(file="")
        count += 1
    return count


def voice_export_job_start(
    *, actor: Actor, query: str, today: datetime.date, language: str = "vi"
) -> VoiceExportJob:
    """Record the export with the requester's scopes of now, and queue it."""
    user = actor.user
    voice_export_jobs_purge()
    job = VoiceExportJob(
        created_by=user,
        query=query[:2000],
        as_of=today,
        # The scopes themselves, kept for the worker (``scope_pin``): not a filter.
        scopes={key: _scope_json(scope_for(user, cap)) for key, cap in _FROZEN.items()},
        language=language,
        ip_address=actor.ip,
        user_agent=actor.user_agent[:255],
    )
    with transaction.atomic():
        job.save()
        audit_record(
            actor=actor, action="voice.export_queued", obj=job, changes={"filters": job.query}
        )
    # Committed first, so that a worker always finds the job.
    voice_export_job_run.enqueue(job.pk)
    return job


def _job_update(job: VoiceExportJob, **changes: Any) -> None:
    for key, value in changes.items():
        setattr(job, key, value)
    VoiceExportJob.objects.filter(pk=job.pk).update(**changes)


@task(queue_name=PEOPLE_QUEUE, priority=PEOPLE_PRIORITY)  # an officer is waiting for it
def voice_export_job_run(job_id: int) -> None:
    """Write a queued export's file within the scopes frozen at the request; the job ends done
    (with its file) or failed."""
    job = VoiceExportJob.objects.select_related("created_by").filter(pk=job_id).first()
    if job is None or job.status != ImportJobStatus.QUEUED:
        return  # already taken by another worker, or gone
    _job_update(job, status=ImportJobStatus.RUNNING)
    user = job.created_by
    scopes = job.scopes if isinstance(job.scopes, dict) else {}
    for key, capability in _FROZEN.items():
        scope_pin(user, capability, _scope_from(scopes.get(key)))
    with translation.override(job.language):
        try:
            filters = filters_from(job.query, user)
            until = due_soon_until(job.as_of, filters.due_soon_days)
            total = inbox_for(user, filters, today=job.as_of, due_soon_until_day=until)[
                :EXPORT_MAX_ROWS
            ].count()
            _job_update(job, rows_total=total)
            result = cases_workbook(
                user,
                filters,
                today=job.as_of,
                progress=lambda done: _job_update(job, rows_done=done),
            )
            job.file.save(f"{uuid.uuid4().hex}.xlsx", ContentFile(result.data), save=False)
            now = timezone.now()
            _job_update(
                job,
                file=job.file.name,
                status=ImportJobStatus.DONE,
                rows_total=result.rows,
                rows_done=result.rows,
                personal_rows=result.personal_rows,
                finished_at=now,
                expires_at=now + EXPORT_KEPT,
            )
        except Exception:
            logger.exception("voice export job %s failed", job.pk)
            _job_update(
                job,
                status=ImportJobStatus.FAILED,
                error=_(
                    "The export stopped because of an error in the system. Try again later, or "
                    "tell the system administrator."
                ),
                finished_at=timezone.now(),
            )


def _own_job(request: HttpRequest, pk: int) -> VoiceExportJob:
    """The requester's own export; anyone else's is "not found", whoever asks. One whose worker
    stopped is failed first (``RUNNING_TOO_LONG``)."""
    job = get_object_or_404(VoiceExportJob, pk=pk, created_by_id=request.user.pk)
    if job.status == ImportJobStatus.RUNNING and timezone.now() - job.created_at > RUNNING_TOO_LONG:
        with translation.override(job.language):
            error = _(
                "The export was interrupted (the background worker stopped). Export the cases "
                "again."
            )
        changed = VoiceExportJob.objects.filter(pk=job.pk, status=ImportJobStatus.RUNNING).update(
            status=ImportJobStatus.FAILED, error=error, finished_at=timezone.now()
        )
        if changed:
            logger.warning("voice export job %s: its worker stopped, failed", job.pk)
        job.refresh_from_db()
    return job


def _context(job: VoiceExportJob) -> dict[str, Any]:
    now = timezone.now()
    return {
        "job": job,
        "waiting_long": job.status == ImportJobStatus.QUEUED
        and now - job.created_at > WAITING_TOO_LONG,
        "expired": job.expires_at is not None and job.expires_at <= now,
    }


@login_required
@require_GET
def export_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _own_job(request, pk)
    return render(request, "voices/export/job.html", _context(job))


@login_required
@require_GET
def export_job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The fragment the page swaps in every second; once finished it stops asking."""
    job = _own_job(request, pk)
    response = render(request, "voices/export/_job_progress.html", _context(job))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def export_job_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The file of a finished export, to its requester only, until it expires; each download is
    written to the audit log."""
    job = _own_job(request, pk)
    if job.status != ImportJobStatus.DONE or not job.file:
        raise Http404(_("This export has no file (any more)."))
    if job.expires_at is not None and job.expires_at <= timezone.now():
        voice_export_jobs_purge()
        raise Http404(_("This export has no file (any more)."))
    audit_export(
        actor=Actor.from_request(request),
        action="voice.export",
        rows=job.rows_done,
        filters=job.query,
        personal_data=job.personal_rows > 0,
        changes={"personal_rows": job.personal_rows, "job": job.pk},
    )
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=_filename(job.created_at),
        content_type=XLSX_CONTENT_TYPE,
    )
    patch_cache_control(response, no_store=True, private=True)
    return response
