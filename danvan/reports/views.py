"""The reports pages (filled in by the lead)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def report_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("")
