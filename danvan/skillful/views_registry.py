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
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from danvan.audit.context import Actor
from danvan.lib.forms import add_service_errors, import_outcome, template_download
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.tables import TableError
from danvan.lib.text import fold
from danvan.lib.uploads import upload_limit
from danvan.organizations.models import Body, Membership
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
from danvan.skillful.importing import (
    models_import,
    parse_model_file,
    template_csv,
    template_xlsx,
)
from danvan.skillful.models import (
    EmulationPeriod,
    Indicator,
    IndicatorReport,
    Level,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.services_registry import (
    EDITABLE,
    LEVEL_OF_TIER,
    StaleModelError,
    bodies_for,
    evidence_add,
    indicator_add,
    indicator_report,
    indicator_update,
    model_adopt,
    model_register,
    model_update,
    periods_for,
)
from danvan.units.models import AdministrativeUnit, UnitTier

PAGE_SIZE = 25


def _visible_model(request: HttpRequest, code: str) -> MobilizationModel:
    return get_object_or_404(
        MobilizationModel.objects.visible_to(request.user).select_related(
            "unit__parent", "period", "lead_body__unit", "origin__unit"
        ),
        code=code,
    )


# --- The list -------------------------------------------------------------------------------------


@login_required
def model_list(request: HttpRequest) -> HttpResponse:
    form = ModelFilterForm(request.GET or None)
    models = MobilizationModel.objects.visible_to(request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        for name in ("field", "level", "status"):
            if data[name]:
                models = models.filter(**{name: data[name]})
        if data["period"]:
            models = models.filter(period=data["period"])
        if data["unit"]:
            unit = AdministrativeUnit.objects.filter(code=data["unit"].strip()).first()
            models = models.filter(unit__path__startswith=unit.path) if unit else models.none()
        if data["q"]:
            text = data["q"].strip()
            models = models.filter(
                Q(name__icontains=text)
                | Q(code__iexact=text)
                | Q(unit__name_folded__contains=fold(text))
            )
    counts = {
        row["status"]: row["n"]
        for row in models.values("status").annotate(n=Count("id")).order_by()
    }
    page = Paginator(
        models.select_related("unit", "unit__parent", "period", "lead_body").order_by(
            "-created_at", "-id"
        ),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
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


def _register_unit(request: HttpRequest) -> AdministrativeUnit | None:
    """The unit named in ``?unit=``, else the first unit where the officer may act."""
    code = (request.GET.get("unit") or request.POST.get("unit") or "").strip()
    if code:
        unit = AdministrativeUnit.objects.current().filter(code=code).first()
        if unit is None or not can(request.user, Capability.ACT, unit):
            return None
        return unit
    paths = (
        Membership.objects.active()
        .filter(user=request.user)
        .order_by("body__unit__path")
        .values_list("body__unit__path", flat=True)
    )
    for path in paths:
        unit = AdministrativeUnit.objects.current().filter(path=path).first()
        if unit and can(request.user, Capability.ACT, unit) and unit.tier in LEVEL_OF_TIER:
            return unit
    return None


@login_required
def model_register_view(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.ACT):
        raise PermissionDenied(_("Your role may not register models."))
    unit = _register_unit(request)
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
            try:
                model = model_register(
                    actor=Actor.from_request(request),
                    unit=unit,
                    level=LEVEL_OF_TIER[unit.tier],
                    indicators=[i for f in indicators.forms if (i := f.as_input()) is not None],
                    **data,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("The model is registered with code %(code)s.") % {"code": model.code}
                )
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


def _detail(
    request: HttpRequest,
    model: MobilizationModel,
    *,
    report_form: ReportForm | None = None,
    evidence_form: EvidenceForm | None = None,
    indicator_form: IndicatorForm | None = None,
    status: int = 200,
) -> HttpResponse:
    model = (
        MobilizationModel.objects.select_related(
            "unit__parent", "period", "lead_body__unit", "origin__unit"
        )
        .prefetch_related(
            Prefetch(
                "indicators",
                queryset=Indicator.objects.prefetch_related(
                    Prefetch(
                        "reports", queryset=IndicatorReport.objects.order_by("period_label", "id")
                    )
                ),
            ),
            "partner_bodies__unit",
            "evidence__report__indicator",
            "commendations",
        )
        .get(pk=model.pk)
    )
    can_act = can(request.user, Capability.ACT, model.unit)
    replications = MobilizationModel.objects.filter(origin=model).select_related("unit__parent")
    visible_ids = set(
        MobilizationModel.objects.visible_to(request.user)
        .filter(origin=model)
        .values_list("id", flat=True)
    )
    return render(
        request,
        "skillful/registry/detail.html",
        {
            "model": model,
            "indicator_rows": _indicator_rows(model),
            "replications": [(r, r.pk in visible_ids) for r in replications],
            "origin_visible": model.origin_id is not None
            and MobilizationModel.objects.visible_to(request.user)
            .filter(pk=model.origin_id)
            .exists(),
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
    return _detail(request, _visible_model(request, code))


@login_required
@require_POST
def model_report(request: HttpRequest, code: str) -> HttpResponse:
    model = _visible_model(request, code)
    form = ReportForm(request.POST, request.FILES, indicators=model.indicators.all())
    if form.is_valid():
        data = form.cleaned_data
        indicator = data["indicator"]
        try:
            indicator_report(
                actor=Actor.from_request(request),
                indicator=indicator,
                period_label=data["period_label"],
                value=data["value"],
                reported_on=data["reported_on"],
                note=data["note"],
                upload=data["file"],
                caption=data["caption"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The value of “%(indicator)s” for %(period)s is recorded.")
                % {"indicator": indicator.name, "period": data["period_label"].upper()},
            )
            return redirect("skillful:detail", code=model.code)
    return _detail(request, model, report_form=form, status=400)


@login_required
@require_POST
def model_evidence(request: HttpRequest, code: str) -> HttpResponse:
    model = _visible_model(request, code)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            evidence_add(
                actor=Actor.from_request(request),
                model=model,
                upload=form.cleaned_data["file"],
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The evidence is attached."))
            return redirect("skillful:detail", code=model.code)
    return _detail(request, model, evidence_form=form, status=400)


@login_required
@require_POST
def model_indicator_add(request: HttpRequest, code: str) -> HttpResponse:
    model = _visible_model(request, code)
    form = IndicatorForm(request.POST, prefix="new")
    status = 400
    if form.is_valid() and (item := form.as_input()) is not None:
        try:
            indicator_add(
                actor=Actor.from_request(request),
                model=model,
                name=item.name,
                unit_of_measure=item.unit_of_measure,
                baseline=item.baseline,
                target=item.target,
                expected_version=_posted_version(request),
            )
        except StaleModelError as exc:
            form.add_error(None, exc.messages)
            status = 409
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The indicator is added."))
            return redirect("skillful:detail", code=model.code)
    elif form.is_valid():
        form.add_error("name", _("Give the indicator a name."))
    return _detail(request, model, indicator_form=form, status=status)


def _posted_version(request: HttpRequest) -> int | None:
    """The model's version the page showed; None from an older page without it."""
    posted = request.POST.get("version", "")
    return int(posted) if posted.isdigit() else None


@login_required
def indicator_edit(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """Correct an indicator while nothing has been reported for it (``indicator_update``); once
    a value is reported the page says why it cannot change and offers to add a new one."""
    model = _visible_model(request, code)
    indicator = get_object_or_404(model.indicators.all(), pk=pk)
    if not can(request.user, Capability.ACT, model.unit):
        raise PermissionDenied(
            _("You may not change models of %(unit)s.") % {"unit": model.unit.name}
        )
    periods = list(
        indicator.reports.order_by("period_label").values_list("period_label", flat=True)
    )
    refusal = ""
    if model.status not in EDITABLE:
        refusal = _("Indicators cannot change once the model is “%(status)s”.") % {
            "status": model.get_status_display()
        }
    elif periods:
        refusal = _(
            "“%(name)s” already has values reported (%(periods)s): they were measured against "
            "this baseline and target, so it cannot change. Add a new indicator instead."
        ) % {"name": indicator.name, "periods": ", ".join(periods)}
    status = 200
    version = model.version
    form: IndicatorForm | None = None
    if refusal:
        status = 400 if request.method == "POST" else 200
    elif request.method == "POST":
        form = IndicatorForm(request.POST, prefix="ind")
        posted = _posted_version(request)
        version = posted if posted is not None else 0
        status = 400
        if form.is_valid() and (item := form.as_input()) is not None:
            try:
                indicator_update(
                    actor=Actor.from_request(request),
                    indicator=indicator,
                    expected_version=version,
                    name=item.name,
                    unit_of_measure=item.unit_of_measure,
                    baseline=item.baseline,
                    target=item.target,
                )
            except StaleModelError as exc:
                form.add_error(None, exc.messages)
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The indicator is saved."))
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


@login_required
def evidence_file(request: HttpRequest, code: str, pk: int) -> FileResponse:
    """One piece of evidence of a model the user may see. Files are never served from MEDIA_ROOT."""
    model = _visible_model(request, code)
    evidence = get_object_or_404(model.evidence, pk=pk)
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


@login_required
def model_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Change the registration (an adopted model is adapted here) while registered or under way.
    The version the page showed goes with the form: a colleague's change meanwhile answers 409."""
    model = _visible_model(request, code)
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
        "periods": EmulationPeriod.objects.filter(pk=model.period_id),
        "bodies": bodies_for(model.unit),
    }
    status = 200
    version = model.version
    if request.method == "POST":
        form = RegistrationForm(request.POST, **kwargs)
        form.fields["period"].disabled = True
        form.fields["period"].initial = model.period_id
        posted = request.POST.get("version", "")
        version = int(posted) if posted.isdigit() else 0
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("period")
            partners = data.pop("partner_bodies")
            try:
                model_update(
                    actor=Actor.from_request(request),
                    model=model,
                    expected_version=version,
                    partner_bodies=list(partners),
                    **data,
                )
            except StaleModelError as exc:
                form.add_error(None, exc.messages)
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The registration is saved."))
                return redirect("skillful:detail", code=model.code)
        status = status if status == 409 else 400
    else:
        initial = {name: getattr(model, name) for name in RegistrationForm.base_fields}
        initial["period"] = model.period_id
        initial["lead_body"] = model.lead_body_id
        initial["partner_bodies"] = list(model.partner_bodies.values_list("pk", flat=True))
        form = RegistrationForm(initial=initial, **kwargs)
        form.fields["period"].disabled = True
    return render(
        request,
        "skillful/registry/edit.html",
        {"model": model, "form": form, "version": version},
        status=status,
    )


# --- Adopting -------------------------------------------------------------------------------------


def _act_units(request: HttpRequest) -> QuerySet[AdministrativeUnit]:
    """Current provinces, communes and villages where the user may act, nearest first."""
    units = AdministrativeUnit.objects.visible_to(request.user, Capability.ACT).current()
    units = units.filter(tier__in=[UnitTier.PROVINCE, UnitTier.COMMUNE, UnitTier.VILLAGE])
    return units.order_by("path")


@login_required
def model_adopt_view(request: HttpRequest, code: str) -> HttpResponse:
    """Adopt an honored model: any officer who may act somewhere, for a unit of theirs. An honored
    model is public on the showcase, so it may come from anywhere, even outside their scope."""
    origin = get_object_or_404(
        MobilizationModel.objects.select_related("unit", "period"),
        code=code,
        status=ModelStatus.HONORED,
    )
    if not can(request.user, Capability.ACT):
        raise PermissionDenied(_("Your role may not adopt models."))
    units = _act_units(request)
    unit = None
    unit_pk = request.POST.get("unit") or request.GET.get("unit")
    if unit_pk and str(unit_pk).isdigit():
        unit = units.filter(pk=unit_pk).first()
    if unit is None:
        unit = (
            units.exclude(pk=origin.unit_id).filter(tier=UnitTier.COMMUNE).first() or units.first()
        )
    bodies = bodies_for(unit) if unit else Body.objects.none()
    periods = periods_for(unit) if unit else EmulationPeriod.objects.none()
    kwargs: dict[str, Any] = {"units": units, "bodies": bodies, "periods": periods}
    status = 200
    if request.method == "POST":
        form = AdoptForm(request.POST, **kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    adopted = model_adopt(
                        actor=Actor.from_request(request),
                        origin=origin,
                        unit=data["unit"],
                        lead_body=data["lead_body"],
                        period=data["period"],
                        starts_on=data["starts_on"],
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("The model is adopted as %(code)s. Adapt its parts to your unit.")
                    % {"code": adopted.code},
                )
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
    form = (
        ModelImportForm(request.POST, request.FILES)
        if request.method == "POST"
        else ModelImportForm()
    )
    report = None
    file_error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = parse_model_file(name=upload.name, data=upload.read())
        except TableError as exc:
            file_error = str(exc)
        else:
            report = models_import(
                actor=Actor.from_request(request),
                rows=rows,
                only_valid=form.cleaned_data["only_valid"],
            )
    status = import_outcome(
        request,
        form=form,
        file_error=file_error,
        report=report,
        imported_message=_("Imported %(count)s models."),
    )
    return render(
        request,
        "skillful/registry/import.html",
        {"form": form, "report": report, "file_error": file_error},
        status=status,
    )


@login_required
def model_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    return template_download(
        fmt, name="mau-mo-hinh-dan-van-kheo", xlsx=template_xlsx, csv=template_csv
    )
