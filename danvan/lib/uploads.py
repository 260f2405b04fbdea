"""Uploads larger than a view's limit are refused before their body is read.

Django reads a request's whole body (files past FILE_UPLOAD_MAX_MEMORY_SIZE into a temporary
file) as soon as anything touches ``request.POST``, and middleware does so before the view runs
(the CSRF check, the hostile-input cleaning). A view marked with ``upload_limit("SETTING")``
declares its largest body; ``UploadLimitMiddleware``, placed before anything that reads the body,
compares the request's Content-Length with it (Django never reads past that length) and, when it
is larger, leaves the body unread: empty form data, no CSRF check (nothing is done with the
request), and the view answers 413 with a page saying so. The reverse proxy in front should
refuse such bodies earlier still (README, "Deploying").
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict

#: Room in a request's body for the form's other fields and the multipart boundaries.
UPLOAD_MARGIN = 256 * 1024

View = Callable[..., HttpResponse]


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_large(request: HttpRequest, setting: str) -> bool:
    limit: int = getattr(settings, setting)
    return request.method == "POST" and _content_length(request) > limit + UPLOAD_MARGIN


def upload_limit(setting: str) -> Callable[[View], View]:
    """The view takes bodies up to ``settings.<setting>`` bytes (plus ``UPLOAD_MARGIN``)."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if getattr(request, "upload_refused", False) or _too_large(request, setting):
                limit: int = getattr(settings, setting)
                return render(
                    request,
                    "upload_too_large.html",
                    {"mb": limit // (1024 * 1024), "back": request.path},
                    status=413,
                )
            return view(request, *args, **kwargs)

        wrapper.upload_limit_setting = setting  # type: ignore[attr-defined]
        return wrapper

    return decorator


class UploadLimitMiddleware:
    """Leaves unread the body of a POST larger than its view's ``upload_limit``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and _content_length(request) > UPLOAD_MARGIN:
            try:
                view = resolve(request.path_info).func
            except Resolver404:
                view = None
            setting = getattr(view, "upload_limit_setting", None)
            if setting is not None and _too_large(request, setting):
                request._post = QueryDict()  # type: ignore[attr-defined]
                request._files = MultiValueDict()  # type: ignore[attr-defined]
                request.csrf_processing_done = True  # type: ignore[attr-defined]
                request.upload_refused = True  # type: ignore[attr-defined]
        return self.get_response(request)
