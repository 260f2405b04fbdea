"""Limits on anonymous writes, per client address as the audit log records it."""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from danvan.audit.context import client_ip


class AnonymousSubmissionThrottle(AnonRateThrottle):
    """20 submissions an hour from one address, through the API and Open311 together."""

    scope = "anon_submission"
    rate = "20/hour"

    def get_ident(self, request: Request) -> str:
        # The same rule as the audit log and the login throttle (``PROXY_COUNT``), not DRF's
        # ``NUM_PROXIES``, which is not configured here.
        return client_ip(request._request) or "unknown"

    def allow_request(self, request: Request, view: APIView) -> bool:
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return True
        return super().allow_request(request, view)
