"""The registry's pages that follow a model under way: an indicator's value for a period,
evidence (and its file, served only through an access-checked view), and adding or correcting
an indicator while nothing is reported for it. A refusal shows the model's page again with the
form as typed (400), a colleague's change meanwhile 409."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.audit.context import Actor
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.skillful.forms_registry import EvidenceForm, IndicatorForm, ReportForm
from danvan.skillful.models import Indicator, MobilizationModel
from danvan.skillful.selectors_registry import (
    evidence_of,
    indicator_of,
    model_visible,
    reported_periods,
)
from danvan.skillful.services_common import EDITABLE
from danvan.skillful.services_editing import indicator_add, indicator_update
from danvan.skillful.services_reporting import evidence_add, indicator_report
from danvan.skillful.views_forms import posted_version, submit
from danvan.skillful.views_registry import model_page


@login_required
@require_POST
def model_report(request: HttpRequest, code: str) -> HttpResponse:
    model = model_visible(request.user, code)
    form = ReportForm(request.POST, request.FILES, indicators=model.indicators.all())
    if form.is_valid():
        data = form.cleaned_data
        indicator = data["indicator"]
        report, _status = submit(
            request,
            form,
            lambda: indicator_report(
                actor=Actor.from_request(request),
                indicator=indicator,
                period_label=data["period_label"],
                value=data["value"],
                reported_on=data["reported_on"],
                note=data["note"],
                upload=data["file"],
                caption=data["caption"],
            ),
            lambda report: (
                _("The value of “%(indicator)s” for %(period)s is recorded.")
                % {"indicator": indicator.name, "period": data["period_label"].upper()}
            ),
        )
        if report is not None:
            return redirect("skillful:detail", code=model.code)
    return model_page(request, model, report_form=form, status=400)


@login_required
@require_POST
def model_evidence(request: HttpRequest, code: str) -> HttpResponse:
    model = model_visible(request.user, code)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        evidence, _status = submit(
            request,
            form,
            lambda: evidence_add(
                actor=Actor.from_request(request),
                model=model,
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
            ),
            lambda evidence: _("The evidence is attached."),
        )
        if evidence is not None:
            return redirect("skillful:detail", code=model.code)
    return model_page(request, model, evidence_form=form, status=400)


@login_required
@require_POST
def model_indicator_add(request: HttpRequest, code: str) -> HttpResponse:
    model = model_visible(request.user, code)
    form = IndicatorForm(request.POST, prefix="new")
    status = 400
    if form.is_valid() and (item := form.as_input()) is not None:
        added, status = submit(
            request,
            form,
            lambda: indicator_add(
                actor=Actor.from_request(request),
                model=model,
                name=item.name,
                unit_of_measure=item.unit_of_measure,
                baseline=item.baseline,
                target=item.target,
                expected_version=posted_version(request),
            ),
            lambda added: _("The indicator is added."),
        )
        if added is not None:
            return redirect("skillful:detail", code=model.code)
    elif form.is_valid():
        form.add_error("name", _("Give the indicator a name."))
    return model_page(request, model, indicator_form=form, status=status)


@login_required
def indicator_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Correct an indicator while nothing has been reported for it (``indicator_update``); once
    a value is reported the page says why it cannot change and offers to add a new one."""
    model = model_visible(request.user, code)
    indicator = indicator_of(model, pk)
    if not can(request.user, Capability.ACT, model.unit):
        raise PermissionDenied(
            _("You may not change models of %(unit)s.") % {"unit": model.unit.name}
        )
    refusal = _edit_refusal(model, indicator)
    status = 200
    version = model.version
    form: IndicatorForm | None = None
    if refusal:
        status = 400 if request.method == "POST" else 200
    elif request.method == "POST":
        form = IndicatorForm(request.POST, prefix="ind")
        posted = posted_version(request)
        version = posted if posted is not None else 0
        status = 400
        if form.is_valid() and (item := form.as_input()) is not None:
            saved, status = submit(
                request,
                form,
                lambda: indicator_update(
                    actor=Actor.from_request(request),
                    indicator=indicator,
                    expected_version=version,
                    name=item.name,
                    unit_of_measure=item.unit_of_measure,
                    baseline=item.baseline,
                    target=item.target,
                ),
                lambda updated: _("The indicator is saved."),
            )
            if saved is not None:
                return redirect("skillful:detail", code=model.code)
        elif form.is_valid():
            form.add_error("name", _("Give the indicator a name."))
    else:
        form = IndicatorForm(
            prefix="ind",
            initial={
                "name": indicator.name,
                "unit_of_measure": indicator.unit_of_measure,
                "baseline": indicator.baseline,
                "target": indicator.target,
            },
        )
    return render(
        request,
        "skillful/registry/indicator_edit.html",
        {
            "model": model,
            "indicator": indicator,
            "form": form,
            "refusal": refusal,
            "version": version,
        },
        status=status,
    )


def _edit_refusal(model: MobilizationModel, indicator: Indicator) -> str:
    """Why ``indicator`` cannot change now, or "" (``indicator_update`` says the same)."""
    if model.status not in EDITABLE:
        return _("Indicators cannot change once the model is “%(status)s”.") % {
            "status": model.get_status_display()
        }
    periods = reported_periods(indicator)
    if periods:
        return _(
            "“%(name)s” already has values reported (%(periods)s): they were measured against "
            "this baseline and target, so it cannot change. Add a new indicator instead."
        ) % {"name": indicator.name, "periods": ", ".join(periods)}
    return ""


@login_required
def evidence_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """One piece of evidence of a model the user may see. Files are never served from MEDIA_ROOT."""
    model = model_visible(request.user, code)
    evidence = evidence_of(model, pk)
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The file is missing from the storage.")) from exc
    response = FileResponse(
        handle,
        content_type=evidence.content_type,
        as_attachment=False,
        filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    )
    patch_cache_control(response, no_store=True, private=True)
    return response
