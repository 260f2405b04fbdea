"""The registry's pages: the list of models, registering one, its page with indicators, reports
and evidence, adopting an honored model, and the spreadsheet import.

What an officer may see is decided only by ``MobilizationModel.objects.visible_to``; what they
may do by the services. Refusals become answers: 400 for bad input (the form comes back with
what was typed), 403 for a missing permission, 409 for a stale version.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.lib.forms import template_download
from danvan.lib.importing import import_page
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.uploads import upload_limit
from danvan.skillful.forms_registry import (
    AdoptForm,
    EvidenceForm,
    IndicatorForm,
    IndicatorFormSet,
    ModelFilterForm,
    ModelImportForm,
    RegistrationForm,
    ReportForm,
)
from danvan.skillful.importing import ModelImporter
from danvan.skillful.models import (
    Level,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.selectors_registry import (
    adoption_choices,
    adoption_unit,
    honored_model,
    model_for_page,
    model_period,
    model_visible,
    models_filtered,
    models_for_list,
    origin_visible,
    partner_body_ids,
    register_unit,
    replications_seen_by,
    status_counts,
    units_where,
)
from danvan.skillful.services_common import EDITABLE
from danvan.skillful.services_editing import model_update
from danvan.skillful.services_registry import (
    LEVEL_OF_TIER,
    bodies_for,
    model_adopt,
    model_register,
    periods_for,
)
from danvan.skillful.views_forms import posted_version, submit

PAGE_SIZE = 25


# --- The list -------------------------------------------------------------------------------------


@login_required
def model_list(request: HttpRequest) -> HttpResponse:
    form = ModelFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else None
    models = models_filtered(request.user, filters)
    counts = status_counts(models)
    page = Paginator(models_for_list(models), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "skillful/registry/list.html",
        {
            "form": form,
            "page": page,
            "total": sum(counts.values()),
            "status_counts": [(s.label, counts.get(s.value, 0)) for s in ModelStatus],
            "can_register": can(request.user, Capability.ACT),
        },
    )


# --- Registering ----------------------------------------------------------------------------------


@login_required
def model_register_view(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.ACT):
        raise PermissionDenied(_("Your role may not register models."))
    code = (request.GET.get("unit") or request.POST.get("unit") or "").strip()
    unit = register_unit(request.user, code)
    if unit is None or unit.tier not in LEVEL_OF_TIER:
        return render(
            request,
            "skillful/registry/register.html",
            {
                "unit": None,
                "form": None,
                "indicators": None,
                "unit_code": request.GET.get("unit", ""),
            },
            status=400 if request.GET.get("unit") else 200,
        )
    bodies = bodies_for(unit)
    periods = periods_for(unit)
    if request.method == "POST":
        form = RegistrationForm(request.POST, periods=periods, bodies=bodies)
        indicators = IndicatorFormSet(request.POST, prefix="ind")
        if form.is_valid() and indicators.is_valid():
            data = form.cleaned_data
            model, _status = submit(
                request,
                form,
                lambda: model_register(
                    actor=Actor.from_request(request),
                    unit=unit,
                    level=LEVEL_OF_TIER[unit.tier],
                    indicators=[i for f in indicators.forms if (i := f.as_input()) is not None],
                    **data,
                ),
                lambda model: (
                    _("The model is registered with code %(code)s.") % {"code": model.code}
                ),
            )
            if model is not None:
                return redirect("skillful:detail", code=model.code)
        status = 400
    else:
        form = RegistrationForm(periods=periods, bodies=bodies)
        indicators = IndicatorFormSet(prefix="ind")
        status = 200
    return render(
        request,
        "skillful/registry/register.html",
        {
            "unit": unit,
            "unit_code": unit.code,
            "level_label": Level(LEVEL_OF_TIER[unit.tier]).label,
            "form": form,
            "indicators": indicators,
        },
        status=status,
    )


# --- The model's page -----------------------------------------------------------------------------


def _indicator_rows(model: MobilizationModel) -> list[dict[str, Any]]:
    rows = []
    for indicator in model.indicators.all():
        reports = list(indicator.reports.all())
        latest = reports[-1].value if reports else None
        span = indicator.target - indicator.baseline
        progress = 0
        if latest is not None and span:
            progress = int(
                max(Decimal(0), min(Decimal(100), (latest - indicator.baseline) * 100 / span))
            )
        rows.append(
            {"indicator": indicator, "reports": reports, "latest": latest, "progress": progress}
        )
    return rows


def model_page(
    request: HttpRequest,
    model: MobilizationModel,
    *,
    report_form: ReportForm | None = None,
    evidence_form: EvidenceForm | None = None,
    indicator_form: IndicatorForm | None = None,
    status: int = 200,
) -> HttpResponse:
    """The model's page, with the forms of a refused action as they were typed (``status``)."""
    model = model_for_page(model)
    can_act = can(request.user, Capability.ACT, model.unit)
    return render(
        request,
        "skillful/registry/detail.html",
        {
            "model": model,
            "indicator_rows": _indicator_rows(model),
            "replications": replications_seen_by(request.user, model),
            "origin_visible": origin_visible(request.user, model),
            "can_act": can_act,
            "report_form": report_form
            or (ReportForm(indicators=model.indicators.all()) if can_act else None),
            "evidence_form": evidence_form or (EvidenceForm() if can_act else None),
            "may_adopt": model.status == ModelStatus.HONORED and can(request.user, Capability.ACT),
            "may_edit": can_act and model.status in EDITABLE,
            "version": model.version,
            "indicator_form": indicator_form
            or (IndicatorForm(prefix="new") if can_act and model.status in EDITABLE else None),
        },
        status=status,
    )


@login_required
def model_detail(request: HttpRequest, code: str) -> HttpResponse:
    return model_page(request, model_visible(request.user, code))


@login_required
def model_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change the registration (an adopted model is adapted here) while registered or under way.
    The version the page showed goes with the form: a colleague's change meanwhile answers 409."""
    model = model_visible(request.user, code)
    if not can(request.user, Capability.ACT, model.unit):
        raise PermissionDenied(
            _("You may not change models of %(unit)s.") % {"unit": model.unit.name}
        )
    if model.status not in EDITABLE:
        messages.error(
            request,
            _("The registration cannot change once the model is “%(status)s”.")
            % {"status": model.get_status_display()},
        )
        return redirect("skillful:detail", code=model.code)
    kwargs: dict[str, Any] = {
        "periods": model_period(model),
        "bodies": bodies_for(model.unit),
    }
    status = 200
    version = model.version
    if request.method == "POST":
        form = RegistrationForm(request.POST, **kwargs)
        form.fields["period"].disabled = True
        form.fields["period"].initial = model.period_id
        posted = posted_version(request)
        version = posted if posted is not None else 0
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("period")
            partners = data.pop("partner_bodies")
            saved, status = submit(
                request,
                form,
                lambda: model_update(
                    actor=Actor.from_request(request),
                    model=model,
                    expected_version=version,
                    partner_bodies=list(partners),
                    **data,
                ),
                lambda saved: _("The registration is saved."),
            )
            if saved is not None:
                return redirect("skillful:detail", code=model.code)
        status = status if status == 409 else 400
    else:
        initial = {name: getattr(model, name) for name in RegistrationForm.base_fields}
        initial["period"] = model.period_id
        initial["lead_body"] = model.lead_body_id
        initial["partner_bodies"] = partner_body_ids(model)
        form = RegistrationForm(initial=initial, **kwargs)
        form.fields["period"].disabled = True
    return render(
        request,
        "skillful/registry/edit.html",
        {"model": model, "form": form, "version": version},
        status=status,
    )


# --- Adopting -------------------------------------------------------------------------------------


@login_required
def model_adopt_view(request: HttpRequest, code: str) -> HttpResponse:
    """Adopt an honored model: any officer who may act somewhere, for a unit of theirs. An honored
    model is public on the showcase, so it may come from anywhere, even outside their scope."""
    origin = honored_model(code)
    if not can(request.user, Capability.ACT):
        raise PermissionDenied(_("Your role may not adopt models."))
    units = units_where(request.user, Capability.ACT)
    unit = adoption_unit(units, request.POST.get("unit") or request.GET.get("unit"), origin)
    bodies, periods = adoption_choices(unit)
    kwargs: dict[str, Any] = {"units": units, "bodies": bodies, "periods": periods}
    status = 200
    if request.method == "POST":
        form = AdoptForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            adopted, _status = submit(
                request,
                form,
                lambda: model_adopt(
                    actor=Actor.from_request(request),
                    origin=origin,
                    unit=data["unit"],
                    lead_body=data["lead_body"],
                    period=data["period"],
                    starts_on=data["starts_on"],
                ),
                lambda adopted: (
                    _("The model is adopted as %(code)s. Adapt its parts to your unit.")
                    % {"code": adopted.code}
                ),
            )
            if adopted is not None:
                return redirect("skillful:detail", code=adopted.code)
        status = 400
    else:
        form = AdoptForm(initial={"unit": unit}, **kwargs)
    return render(
        request,
        "skillful/registry/adopt.html",
        {"origin": origin, "form": form, "unit": unit},
        status=status,
    )


# --- Import ---------------------------------------------------------------------------------------


@login_required
@upload_limit("DANVAN_MAX_IMPORT_BYTES")
def model_import_view(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.ACT):
        raise PermissionDenied(_("Your role may not import models."))
    return import_page(
        request,
        ModelImporter(),
        actor=Actor.from_request(request),
        form_class=ModelImportForm,
        template_name="skillful/registry/import.html",
        imported_message=_("Imported %(count)s models."),
        context={
            "back_url": reverse("skillful:list"),
            "template_xlsx_url": reverse("skillful:import_template", args=["xlsx"]),
            "template_csv_url": reverse("skillful:import_template", args=["csv"]),
        },
    )


@login_required
def model_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    importer = ModelImporter()
    return template_download(
        fmt, name=importer.name, xlsx=importer.template_xlsx, csv=importer.template_csv
    )
