"""Forms several apps share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, *, others_on_top: bool = True
) -> None:
    """Put a service's refusal on ``form``: each message by its field where the form has that
    field; the others at the top of the form, or nowhere when ``others_on_top`` is False (the page
    shows all of the messages by itself)."""
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            if name in form.fields:
                form.add_error(name, errors)
            elif others_on_top:
                form.add_error(None, errors)
    elif others_on_top:
        form.add_error(None, error.messages)


class SpreadsheetImportForm(forms.Form):
    """Upload a CSV/XLSX file to import, size-checked; subclasses say which columns it holds."""

    #: The help text under the file field: the columns the file must have.
    columns_help: Any = ""

    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    only_valid = forms.BooleanField(label=_("Import only the rows without errors"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = self.columns_help

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > settings.DANVAN_MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.DANVAN_MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload


def import_outcome(
    request: HttpRequest,
    *,
    form: forms.Form,
    file_error: str | None,
    report: Any,
    imported_message: str,
) -> int:
    """Tell the officer what an import did; the HTTP status of the page that shows it.

    ``report`` has ``imported`` (rows written) and ``error_rows``; ``imported_message`` has a
    ``%(count)s``. Nothing written because of errors, an unreadable file or an invalid form answer
    400; anything else 200.
    """
    if report is not None:
        if report.imported:
            messages.success(request, imported_message % {"count": report.imported})
        elif report.error_rows:
            messages.error(
                request,
                gettext(
                    "Nothing was imported: %(count)s rows have errors. Fix them, or choose to import only the valid rows."
                )
                % {"count": len(report.error_rows)},
            )
    refused = (
        (request.method == "POST" and not form.is_valid())
        or file_error
        or (report is not None and report.error_rows and not report.imported)
    )
    return 400 if refused else 200


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_download(
    fmt: str, *, name: str, xlsx: Callable[[], bytes], csv: Callable[[], bytes]
) -> HttpResponse:
    """An import template as a download, ``.xlsx`` or ``.csv`` (404 for any other ``fmt``)."""
    if fmt == "xlsx":
        response = HttpResponse(xlsx(), content_type=XLSX_CONTENT_TYPE)
    elif fmt == "csv":
        response = HttpResponse(csv(), content_type="text/csv; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
