"""Limits on anonymous writes, per client address as the audit log records it."""

from __future__ import annotations

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from danvan.audit.context import client_ip

#: The default of ``DANVAN_API_SUBMIT_RATE``.
API_SUBMIT_RATE = "20/hour"


def api_submit_rate() -> str:
    """Anonymous submissions accepted from one address through ``/api/v1/voices/`` and Open311
    ``POST requests`` together (``DANVAN_API_SUBMIT_RATE``: a number, a slash and second, minute,
    hour or day, e.g. "20/hour")."""
    return str(getattr(settings, "DANVAN_API_SUBMIT_RATE", API_SUBMIT_RATE))


class AnonymousSubmissionThrottle(AnonRateThrottle):
    """``DANVAN_API_SUBMIT_RATE`` (20 an hour) from one address, through the API and Open311
    together."""

    scope = "anon_submission"

    def get_rate(self) -> str:
        # Read for each request, so that tests and the benchmark can set it.
        return api_submit_rate()

    def get_ident(self, request: Request) -> str:
        # The same rule as the audit log and the login throttle (``PROXY_COUNT``), not DRF's
        # ``NUM_PROXIES``, which is not configured here.
        return client_ip(request._request) or "unknown"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
