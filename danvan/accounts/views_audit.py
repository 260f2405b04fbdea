from __future__ import annotations

import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from danvan.audit.actions import action_label, protected_addresses
from danvan.audit.models import AuditEntry
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.units.fields import UnitField


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor"), required=False)
    action = forms.CharField(label=_("Action"), required=False)
    unit = UnitField(label=_("Unit"), required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sensitive = forms.BooleanField(label=_("Only views of sensitive data"), required=False)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.VIEW_AUDIT):
        raise PermissionDenied(_("Your role may not browse the audit log."))
    entries = AuditEntry.objects.visible_to(request.user, Capability.VIEW_AUDIT).select_related(
        "unit"
    )
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        data = form.cleaned_data
        if data["actor"]:
            entries = entries.filter(actor_label__icontains=data["actor"])
        if data["action"]:
            entries = entries.filter(action__startswith=data["action"])
        if data["unit"]:
            entries = entries.filter(unit__code=data["unit"])
        if data["date_from"]:
            entries = entries.filter(at__date__gte=data["date_from"])
        if data["date_to"]:
            entries = entries.filter(at__date__lte=data["date_to"] or datetime.date.max)
        if data["sensitive"]:
            entries = entries.filter(is_sensitive_view=True)
    page = Paginator(entries.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    hidden = protected_addresses(request.user, page.object_list)
    rows = [
        {
            "entry": entry,
            "action": action_label(entry.action),
            "address": None if entry.pk in hidden else entry.ip_address,
            "address_hidden": entry.pk in hidden,
        }
        for entry in page.object_list
    ]
    return render(request, "audit/list.html", {"form": form, "page": page, "rows": rows})
