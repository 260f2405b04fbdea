"""Errors as RFC 9457 problem documents (``application/problem+json``).

The services raise Django's ``ValidationError`` / ``PermissionDenied`` with messages already in
the request's language (Vietnamese by default); they are passed through unchanged:

    {"type": "about:blank", "title": "...", "status": 409, "detail": "...", "errors": ["..."]}

Serializer errors add ``fields``: {"field": ["message", ...]}.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from danvan.voices.services import CaseStateError, StaleCaseError


class ProblemJSONRenderer(JSONRenderer):
    media_type = "application/problem+json"


def problem(
    status_code: int,
    title: str,
    messages: list[str],
    *,
    fields: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status_code,
        "detail": " ".join(messages) if messages else title,
        "errors": messages,
    }
    if fields:
        body["fields"] = fields
    response = Response(body, status=status_code, headers=headers)
    response.content_type = "application/problem+json; charset=utf-8"
    return response


def not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any other address under ``/api/``: a problem document too, not the site's HTML page."""
    body = {
        "type": "about:blank",
        "title": _("Not found"),
        "status": 404,
        "detail": _("Not found."),
        "errors": [_("Not found.")],
    }
    return JsonResponse(
        body,
        status=404,
        content_type="application/problem+json; charset=utf-8",
        json_dumps_params={"ensure_ascii": False},
    )


def _flatten(detail: Any) -> list[str]:
    if isinstance(detail, dict):
        return [m for value in detail.values() for m in _flatten(value)]
    if isinstance(detail, list):
        return [m for value in detail for m in _flatten(value)]
    return [str(detail)]


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF ``EXCEPTION_HANDLER`` for the API views (set on the views, not in settings)."""
    if isinstance(exc, (StaleCaseError, CaseStateError)):
        # Both are about the case as it is now, not about the request: reloading it tells why.
        return problem(status.HTTP_409_CONFLICT, _("Conflict"), exc.messages)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else None
        return problem(
            status.HTTP_400_BAD_REQUEST, _("Invalid request"), exc.messages, fields=fields
        )
    if isinstance(exc, DjangoPermissionDenied):
        messages = [str(m) for m in exc.args if m] or [_("You may not do this.")]
        return problem(status.HTTP_403_FORBIDDEN, _("Forbidden"), messages)
    if isinstance(exc, Http404):
        return problem(status.HTTP_404_NOT_FOUND, _("Not found"), [_("Not found.")])
    if isinstance(exc, exceptions.APIException):
        headers: dict[str, str] = {}
        if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
            headers["Retry-After"] = str(int(exc.wait))
        auth_header = getattr(exc, "auth_header", None)
        if auth_header:
            headers["WWW-Authenticate"] = auth_header
        fields = exc.detail if isinstance(exc.detail, dict) else None
        return problem(
            exc.status_code,
            str(getattr(exc, "default_detail", "")) or _("Error"),
            _flatten(exc.detail),
            fields=fields,
            headers=headers,
        )
    return None
