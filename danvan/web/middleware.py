from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class VietnameseFirstMiddleware:
    """Vietnamese unless the person chose another language with the switcher.

    Officers' machines often run an English browser; the browser's Accept-Language must not turn
    the interface English. The language cookie set by the switcher still wins.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


def tile_source(url: str) -> str:
    """The Content-Security-Policy source that lets the map load tiles from ``url``.

    ``https://{s}.tile.example.vn/{z}/{x}/{y}.png`` gives ``https://*.tile.example.vn``; a host
    the policy cannot name (a placeholder inside it) falls back to its scheme alone; a relative
    URL is served by this site and needs nothing.
    """
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return ""
    host = parts.netloc.replace("{s}", "*")
    if "{" in host or "*" in host[1:]:
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{host}"


def content_security_policy() -> str:
    """The header value from ``settings.SECURE_CSP``, with the map's tile server in img-src."""
    directives = {name: list(sources) for name, sources in settings.SECURE_CSP.items()}
    tiles = tile_source(getattr(settings, "DANVAN_MAP_TILE_URL", ""))
    if tiles:
        directives.setdefault("img-src", []).append(tiles)
    return "; ".join(" ".join([name, *sources]) for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    """Sends ``settings.SECURE_CSP`` as the Content-Security-Policy of every HTML response.

    A response that already has its own policy (attachments are served with a stricter one)
    keeps it. The setting has the shape of Django 6.0's ``SECURE_CSP``, so that release's own
    middleware can take over from this one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response and response.get(
            "Content-Type", ""
        ).startswith("text/html"):
            response["Content-Security-Policy"] = content_security_policy()
        return response
