"""The pages' side of the path of an issued document (``reports.workflow``), shared by the
reports' and the decisions' pages: running one action of the path from its form, and serving the
DOCX. The detail templates show the action forms and the history with the fragments in
``reports/templates/reports/document/``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from danvan.audit.context import Actor
from danvan.audit.services import audit_record
from danvan.lib.forms import add_service_errors
from danvan.reports.models import IssuedDocument
from danvan.reports.workflow import StaleDocumentError
from danvan.units.models import AdministrativeUnit

__all__ = ["DOCX_CONTENT_TYPE", "DetailPage", "act_on", "docx_download"]

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DetailPage(Protocol):
    """The document's page again, with an error and the status of the answer."""

    def __call__(self, *, error: str, status: int) -> HttpResponse: ...


def act_on(
    request: HttpRequest,
    *,
    form: forms.Form,
    run: Callable[[dict[str, Any]], object],
    detail: DetailPage,
    fresh: DetailPage,
    version_error: str,
    done: str,
    then: str,
) -> HttpResponse:
    """Run one action of the path (``run`` with the form's cleaned data) and redirect to
    ``then`` with ``done``. A form that does not validate gets the page again (400: ``detail``,
    which shows the form as bound); a stale version gets the document as it is now (409:
    ``fresh``); an action the service refuses keeps what was typed (400)."""
    if not form.is_valid():
        error = version_error if "version" in form.errors else _("Check the form below.")
        return detail(error=error, status=400)
    try:
        run(form.cleaned_data)
    except StaleDocumentError as stale:
        return fresh(error=" ".join(stale.messages), status=409)
    except ValidationError as refused:
        add_service_errors(form, refused, others_on_top=False)
        return detail(error=" ".join(refused.messages), status=400)
    messages.success(request, done)
    return redirect(then)


def docx_download(
    request: HttpRequest,
    *,
    document: IssuedDocument,
    content: bytes,
    filename: str,
    action: str,
    unit: AdministrativeUnit,
) -> HttpResponse:
    """The DOCX as an attachment, never cached, its download written in the audit log."""
    audit_record(
        actor=Actor.from_request(request),
        action=action,
        obj=document,
        unit=unit,
        changes={"status": document.status},
    )
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
