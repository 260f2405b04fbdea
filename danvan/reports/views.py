"""Officers' pages of the reports (``/reports/``): the list and the form that drafts a report, a
report with its figures, its editable sections and the actions of its path, and the DOCX.

Everything is read through ``Report.objects.visible_to(user)``. Drafting, editing and submitting
need ``act`` on the report's unit; approving, returning and issuing need ``approve``. A stale
version gets 409 and the report as it is now; a refused action keeps what was typed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.organizations.models import Body
from danvan.reports.forms import (
    EditForm,
    GenerateForm,
    IssueForm,
    ReturnForm,
    VersionForm,
)
from danvan.reports.models import Report, ReportStatus
from danvan.reports.services import (
    EDITABLE_FIELDS,
    report_approve,
    report_document,
    report_edit,
    report_generate,
    report_issue,
    report_refresh,
    report_return,
    report_submit,
)
from danvan.reports.snapshot import Snapshot
from danvan.reports.workflow_views import act_on, docx_download
from danvan.voices.models import Channel, VoiceKind

PAGE_SIZE = 30


def issuing_bodies(user: User | AnonymousUser) -> QuerySet[Body]:
    """Bodies the user may draft reports for: active, with a symbol, in their ``act`` scope."""
    return (
        Body.objects.visible_to(user, Capability.ACT)
        .active()
        .exclude(short_name="")
        .exclude(unit__tier="village")
        .select_related("unit", "parent")
        .order_by("unit__path", "kind", "name")
    )


def _list(
    request: HttpRequest, *, form: GenerateForm | None = None, status: int = 200
) -> HttpResponse:
    reports = Report.objects.visible_to(request.user).select_related("unit", "body")
    wanted = request.GET.get("status", "")
    if wanted in ReportStatus.values:
        reports = reports.filter(status=wanted)
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    bodies = issuing_bodies(request.user)
    if form is None and bodies.exists():
        form = GenerateForm(bodies=bodies)
    return render(
        request,
        "reports/list.html",
        {
            "page": page,
            "reports": list(page.object_list),
            "form": form,
            "statuses": ReportStatus.choices,
            "wanted": wanted,
        },
        status=status,
    )


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    return _list(request)


@login_required
@require_POST
def report_new(request: HttpRequest) -> HttpResponse:
    bodies = issuing_bodies(request.user)
    if not bodies.exists():
        raise PermissionDenied(_("You may not draft reports."))
    form = GenerateForm(request.POST, bodies=bodies)
    if not form.is_valid():
        return _list(request, form=form, status=400)
    try:
        report = report_generate(
            actor=Actor.from_request(request),
            body=form.cleaned_data["body"],
            period=form.cleaned_data["report_period"],
            fmt=form.cleaned_data["format"] or None,
        )
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return _list(request, form=form, status=400)
    messages.success(request, _("The draft is ready. Check the figures and write the proposals."))
    return redirect("reports:detail", pk=report.pk)


def _visible(request: HttpRequest, pk: int) -> Report:
    return get_object_or_404(
        Report.objects.visible_to(request.user).select_related(
            "unit", "unit__parent", "body", "created_by"
        ),
        pk=pk,
    )


def _in_reader_language(snapshot: Snapshot) -> Snapshot:
    """Kinds and channels named in the reader's language on the page (the document stays in
    Vietnamese); topics and units are names, shown as written."""
    for rows, choices in ((snapshot.by_kind, VoiceKind), (snapshot.by_channel, Channel)):
        for row in rows:
            if row.key in choices.values:
                row.label = str(choices(row.key).label)
    return snapshot


def _detail(
    request: HttpRequest,
    report: Report,
    *,
    error: str = "",
    edit_form: EditForm | None = None,
    return_form: ReturnForm | None = None,
    issue_form: IssueForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_act = can(request.user, Capability.ACT, report.unit)
    may_approve = can(request.user, Capability.APPROVE, report.unit)
    version = {"version": report.version}
    if edit_form is None:
        edit_form = EditForm(
            initial={**version, **{name: getattr(report, name) for name in EDITABLE_FIELDS}}
        )
    draft = report.status == ReportStatus.DRAFT
    context: dict[str, Any] = {
        "report": report,
        "snapshot": _in_reader_language(Snapshot.from_json(report.figures))
        if report.figures
        else None,
        "events": list(report.events.select_related("actor")),
        "edit_form": edit_form,
        "return_form": return_form or ReturnForm(initial=version),
        "issue_form": issue_form or IssueForm(initial=version),
        "version_form": VersionForm(initial=version),
        "can_edit": may_act and draft,
        "can_submit": may_act and draft,
        "can_approve": may_approve and report.status == ReportStatus.SUBMITTED,
        "can_return": may_approve
        and report.status in (ReportStatus.SUBMITTED, ReportStatus.APPROVED),
        "can_issue": may_approve and report.status == ReportStatus.APPROVED,
        "error": error,
    }
    return render(request, "reports/detail.html", context, status=status)


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


_ACTIONS = {
    "edit": (EditForm, Capability.ACT),
    "refresh": (VersionForm, Capability.ACT),
    "submit": (VersionForm, Capability.ACT),
    "approve": (VersionForm, Capability.APPROVE),
    "return": (ReturnForm, Capability.APPROVE),
    "issue": (IssueForm, Capability.APPROVE),
}

_DONE = {
    "edit": gettext_lazy("Saved."),
    "refresh": gettext_lazy("The figures were read again from the data."),
    "submit": gettext_lazy("Submitted to the leader for approval."),
    "approve": gettext_lazy("Approved. It can now be issued."),
    "return": gettext_lazy("Returned to draft with your note."),
    "issue": gettext_lazy("Issued. The number and the date are fixed and the file is stored."),
}


def _bound_name(action: str) -> str:
    return {"edit": "edit_form", "return": "return_form", "issue": "issue_form"}.get(action, "")


@login_required
@require_POST
def report_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    if action not in _ACTIONS:
        raise PermissionDenied
    report = _visible(request, pk)
    form_class, capability = _ACTIONS[action]
    if not can(request.user, capability, report.unit):
        raise PermissionDenied(_("You may not do this with this report."))
    form = form_class(request.POST)
    bound: dict[str, Any] = {_bound_name(action): form} if _bound_name(action) else {}

    def run(data: dict[str, Any]) -> None:
        common = {
            "actor": Actor.from_request(request),
            "report": report,
            "expected_version": data["version"],
        }
        if action == "edit":
            report_edit(**common, **{name: data[name] for name in EDITABLE_FIELDS})
        elif action == "refresh":
            report_refresh(**common)
        elif action == "submit":
            report_submit(**common)
        elif action == "approve":
            report_approve(**common)
        elif action == "return":
            report_return(**common, note=data["note"])
        else:
            report_issue(**common, issued_on=data["issued_on"])

    return act_on(
        request,
        form=form,
        run=run,
        detail=lambda **answer: _detail(request, report, **answer, **bound),
        fresh=lambda **answer: _detail(request, _visible(request, pk), **answer, **bound),
        version_error=_(
            "The page did not say which version of the report you saw. Reload it and try again."
        ),
        done=str(_DONE[action]),
        then=reverse("reports:detail", args=[pk]),
    )


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The issued DOCX as stored, or the draft as it stands now (marked "DỰ THẢO")."""
    report = _visible(request, pk)
    content = report_document(report)
    name = report.symbol or f"du-thao-{report.period_code}"
    return docx_download(
        request,
        document=report,
        content=content,
        filename=f"bao-cao-{slugify(name.replace('/', '-'))}-{slugify(report.unit.name)}.docx",
        action="report.download",
        unit=report.unit,
    )
