from __future__ import annotations

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.audit.context import Actor
from danvan.audit.services import audit_export
from danvan.lib.forms import import_outcome, template_download
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.tables import TableError
from danvan.lib.uploads import upload_limit
from danvan.lib.xlsx import xlsx_response
from danvan.units.models import AdministrativeUnit
from danvan.voices.importing.files import VoiceImporter
from danvan.voices.importing.jobs import BACKGROUND_ROWS, estimate_rows, voice_import_job_start
from danvan.voices.importing.parse import VoiceImportReport
from danvan.voter_contact.forms import (
    RecommendationForm,
    SessionForm,
    SessionImportForm,
    VoiceImportForm,
)
from danvan.voter_contact.importing import SessionImporter
from danvan.voter_contact.models import VoterContactSession
from danvan.voter_contact.reports import session_report, session_report_xlsx
from danvan.voter_contact.services import (
    session_add_recommendation,
    session_create,
)


def _visible_session(request: HttpRequest, pk: int) -> VoterContactSession:
    return get_object_or_404(
        VoterContactSession.objects.visible_to(request.user).select_related(
            "unit", "organizing_body"
        ),
        pk=pk,
    )


def _province_id(session: VoterContactSession) -> int | None:
    code = session.unit.path.strip("/").split("/")[0]
    return AdministrativeUnit.objects.filter(code=code).values_list("pk", flat=True).first()


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    sessions = VoterContactSession.objects.visible_to(request.user).select_related("unit")
    return render(
        request,
        "voter_contact/session_list.html",
        {"sessions": sessions[:200], "can_act": can(request.user, Capability.ACT)},
    )


@login_required
def session_new(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.ACT):
        raise PermissionDenied(_("You may not record voter contact sessions."))
    form = SessionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_create(actor=Actor.from_request(request), **form.cleaned_data)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The session was recorded."))
            return redirect("voter_contact:detail", pk=session.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "voter_contact/session_form.html", {"form": form}, status=status)


@login_required
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    can_act = can(request.user, Capability.ACT, session.unit)
    form = (
        RecommendationForm(user=request.user, province_id=_province_id(session))
        if can_act
        else None
    )
    return _render_detail(request, session, form, can_act=can_act)


def _render_detail(
    request: HttpRequest,
    session: VoterContactSession,
    form: RecommendationForm | None,
    *,
    can_act: bool,
    status: int = 200,
) -> HttpResponse:
    recommendations = session.recommendations.select_related(
        "voice__topic", "voice__unit"
    ).order_by("id")
    return render(
        request,
        "voter_contact/session_detail.html",
        {
            "session": session,
            "recommendations": recommendations,
            "form": form,
            "can_act": can_act,
        },
        status=status,
    )


@login_required
@require_POST
def recommendation_add(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    if not can(request.user, Capability.ACT, session.unit):
        raise PermissionDenied(_("You may not record voter contact sessions."))
    form = RecommendationForm(request.POST, user=request.user, province_id=_province_id(session))
    if form.is_valid():
        data = form.cleaned_data
        try:
            session_add_recommendation(
                actor=Actor.from_request(request),
                session=session,
                text=data["text"],
                topic=data["topic"],
                unit=data["unit"] or session.unit,
                joint=data["joint"],
                submitter_name=data["submitter_name"],
                submitter_address=data["submitter_address"],
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("The recommendation was recorded."))
            return redirect("voter_contact:detail", pk=session.pk)
    return _render_detail(request, session, form, can_act=True, status=400)


@login_required
@upload_limit("DANVAN_MAX_VOICE_IMPORT_BYTES")
def import_voices(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Import voices from a spreadsheet; with ``pk``, the recommendations of one session."""
    session = _visible_session(request, pk) if pk is not None else None
    if not can(request.user, Capability.ACT, session.unit if session else None):
        raise PermissionDenied(_("You may not import voices."))
    form_class = SessionImportForm if session else VoiceImportForm
    importer = SessionImporter(session) if session is not None else VoiceImporter()
    form = form_class(request.POST, request.FILES) if request.method == "POST" else form_class()
    report: VoiceImportReport | None = None
    file_error = None
    seconds = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        actor = Actor.from_request(request)
        started = time.monotonic()
        data = upload.read()
        try:
            # Rows counted in the file, not the size an .xlsx declares (a workbook without one
            # would be parsed here); a workbook that unpacks to far too much is refused here.
            large = estimate_rows(name=upload.name, data=data) > BACKGROUND_ROWS
            if large and session is not None:
                raise TableError(
                    _("A session's file may have at most %(count)s rows.")
                    % {"count": number_format(BACKGROUND_ROWS, force_grouping=True)}
                )
            if large:
                # A large file: imported by a worker, with a progress bar on the job's page.
                job = voice_import_job_start(
                    actor=actor,
                    name=upload.name,
                    data=data,
                    only_valid=form.cleaned_data["only_valid"],
                    language=translation.get_language() or "vi",
                )
                return redirect("voices:import_job", pk=job.pk)
            rows = importer.parse(name=upload.name, data=data)
        except TableError as exc:
            file_error = str(exc)
        else:
            report = importer.commit(
                actor=actor, rows=rows, only_valid=form.cleaned_data["only_valid"]
            )
            seconds = round(time.monotonic() - started, 1)
    status = import_outcome(
        request,
        form=form,
        file_error=file_error,
        report=report,
        imported_message=_("Imported %(count)s voices."),
    )
    if session is not None and report is not None and report.imported and not report.error_rows:
        return redirect("voter_contact:detail", pk=session.pk)
    return render(
        request,
        "voter_contact/import_voices.html",
        {
            "session": session,
            "form": form,
            "report": report,
            "file_error": file_error,
            "seconds": seconds,
        },
        status=status,
    )


@login_required
def voice_template(request: HttpRequest, fmt: str) -> HttpResponse:
    importer = SessionImporter() if request.GET.get("for") == "session" else VoiceImporter()
    return template_download(
        fmt, name=importer.name, xlsx=importer.template_xlsx, csv=importer.template_csv
    )


@login_required
def session_report_view(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    return render(
        request,
        "voter_contact/session_report.html",
        {"session": session, "report": session_report(session=session)},
    )


@login_required
def session_report_export(request: HttpRequest, pk: int) -> HttpResponse:
    session = _visible_session(request, pk)
    report = session_report(session=session)
    with translation.override("vi"):
        data = session_report_xlsx(report)
    audit_export(
        actor=Actor.from_request(request),
        action="voter_contact.report_export",
        rows=len(report.rows),
        unit=session.unit,
        changes={"session": session.pk},
    )
    return xlsx_response(data, f"bao-cao-tiep-xuc-cu-tri-{session.pk}.xlsx")
