"""Officers' pages of the alerts (``/alerts/``): the list, an alert with its reason and voices,
acknowledging and closing. Everything is read through ``Alert.objects.visible_to(user)``; acting
needs the ``act`` capability on the alert's commune. A stale version gets 409 and the alert as
it is now."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from danvan.alerts.forms import ACTIVE, AcknowledgeForm, AlertFilterForm, CloseForm
from danvan.alerts.models import ACTIVE_STATUSES, Alert, AlertStatus
from danvan.alerts.rules import reason_numbers
from danvan.alerts.selectors import alert_voices, alerts_for_list
from danvan.alerts.services import StaleAlertError, alert_acknowledge, alert_close
from danvan.audit.context import Actor
from danvan.audit.services import audit_export
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.xlsx import new_workbook, sheet_append, sheet_start, xlsx_response
from danvan.units.models import AdministrativeUnit

PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> tuple[AlertFilterForm, QuerySet[Alert]]:
    form = AlertFilterForm(request.GET or None)
    alerts = alerts_for_list(request.user)
    filters = form.filters()
    if filters.get("status") == ACTIVE:
        alerts = alerts.filter(status__in=ACTIVE_STATUSES)
    elif filters.get("status"):
        alerts = alerts.filter(status=filters["status"])
    if filters.get("level"):
        alerts = alerts.filter(level=filters["level"])
    if filters.get("rule"):
        alerts = alerts.filter(rule=filters["rule"])
    if filters.get("unit"):
        unit = (
            AdministrativeUnit.objects.visible_to(request.user)
            .filter(code=filters["unit"].strip())
            .first()
        )
        if unit is None:
            form.add_error("unit", _("No such unit among yours."))
        else:
            alerts = alerts.filter(unit__path__startswith=unit.path)
    return form, alerts


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    form, alerts = _filtered(request)
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alerts/list.html",
        {
            "form": form,
            "page": page,
            "alerts": list(page.object_list),
            "export_query": query.urlencode(),
        },
    )


EXPORT_MAX_ROWS = 50_000


@login_required
@require_GET
def alert_export(request: HttpRequest) -> HttpResponse:
    """The filtered list as XLSX (at most ``EXPORT_MAX_ROWS``), with the reason in words; the
    export is audited with its row count and filters."""
    _form, alerts = _filtered(request)
    columns = [
        (_("Level"), 12),
        (_("Rule"), 26),
        (_("Commune"), 26),
        (_("Province"), 20),
        (_("Topic"), 24),
        (_("Issue"), 36),
        (_("From"), 12),
        (_("To"), 12),
        (_("Raised on"), 12),
        (_("Status"), 14),
        (_("Why it was raised"), 80),
        (_("Note on closing"), 40),
    ]
    workbook = new_workbook()
    sheet = sheet_start(workbook, _("Alerts"), columns)
    rows = list(alerts[: EXPORT_MAX_ROWS + 1])
    capped = len(rows) > EXPORT_MAX_ROWS
    rows = rows[:EXPORT_MAX_ROWS]
    for alert in rows:
        sheet_append(
            sheet,
            [
                alert.get_level_display(),
                alert.get_rule_display(),
                alert.unit.name,
                alert.unit.parent.name if alert.unit.parent else "",
                alert.topic.name,
                alert.issue.title if alert.issue else "",
                alert.window_start,
                alert.window_end,
                alert.raised_on,
                alert.get_status_display(),
                alert.reason_text(),
                alert.close_note,
            ],
        )
    if capped:
        sheet_append(sheet, [_("More alerts match: narrow the filters.")])
    audit_export(
        actor=Actor.from_request(request),
        action="alert.export",
        rows=len(rows),
        filters=request.GET.urlencode(),
    )
    return xlsx_response(workbook, "canh-bao.xlsx")


def _issue_link(alert: Alert) -> str:
    if alert.issue_id is None:
        return ""
    try:
        return reverse("insight:issue", args=[alert.issue_id])
    except NoReverseMatch:
        return ""


def _visible(request: HttpRequest, pk: int) -> Alert:
    return get_object_or_404(
        Alert.objects.visible_to(request.user).select_related(
            "unit", "unit__parent", "topic", "issue", "acknowledged_by", "closed_by"
        ),
        pk=pk,
    )


def _detail(
    request: HttpRequest,
    alert: Alert,
    *,
    error: str = "",
    ack_form: AcknowledgeForm | None = None,
    close_form: CloseForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_act = can(request.user, Capability.ACT, alert.unit)
    context: dict[str, Any] = {
        "alert": alert,
        "reason_text": alert.reason_text(),
        "numbers": reason_numbers(alert.reason),
        "bodies": list(alert.bodies.select_related("unit").order_by("unit__path", "name")),
        "events": list(alert.events.select_related("actor")),
        "voices": list(alert_voices(alert, request.user)),
        "issue_link": _issue_link(alert),
        "may_act": may_act,
        "can_acknowledge": may_act and alert.status == AlertStatus.OPEN,
        "can_close": may_act and alert.is_active,
        "ack_form": ack_form or AcknowledgeForm(initial={"version": alert.version}),
        "close_form": close_form or CloseForm(initial={"version": alert.version}),
        "error": error,
    }
    return render(request, "alerts/detail.html", context, status=status)


@login_required
@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _visible(request, pk))


def _act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    alert = _visible(request, pk)
    if not can(request.user, Capability.ACT, alert.unit):
        raise PermissionDenied(_("You may not act on this alert."))
    form: AcknowledgeForm | CloseForm
    form = AcknowledgeForm(request.POST) if action == "acknowledge" else CloseForm(request.POST)
    bound = {"ack_form": form} if action == "acknowledge" else {"close_form": form}
    if not form.is_valid():
        error = (
            _("The page did not say which version of the alert you saw. Reload it and try again.")
            if "version" in form.errors
            else _("Check the form below.")
        )
        return _detail(request, alert, error=error, status=400, **bound)  # type: ignore[arg-type]
    actor = Actor.from_request(request)
    data = form.cleaned_data
    try:
        if action == "acknowledge":
            alert_acknowledge(
                actor=actor, alert=alert, expected_version=data["version"], note=data["note"]
            )
            messages.success(request, _("The alert is acknowledged."))
        else:
            alert_close(
                actor=actor, alert=alert, expected_version=data["version"], note=data["note"]
            )
            messages.success(request, _("The alert is closed."))
    except StaleAlertError as exc:
        return _detail(request, _visible(request, pk), error=" ".join(exc.messages), status=409)
    except ValidationError as exc:
        return _detail(request, _visible(request, pk), error=" ".join(exc.messages), status=400)
    return redirect("alerts:detail", pk=alert.pk)


@login_required
@require_POST
def alert_acknowledge_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "acknowledge")


@login_required
@require_POST
def alert_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(request, pk, "close")
