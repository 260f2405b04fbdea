"""Who is acting: passed explicitly to every service as ``actor=``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    from django.conf import settings

    if getattr(settings, "AXES_IPWARE_PROXY_COUNT", 0):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


@dataclass(frozen=True)
class Actor:
    user: Any | None
    ip: str | None = None
    user_agent: str = ""
    label: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> Actor:
        user = request.user if request.user.is_authenticated else None
        return cls(
            user=user,
            ip=client_ip(request),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
        )

    @classmethod
    def system(cls, label: str) -> Actor:
        """A command or background job acting without a person."""
        return cls(user=None, label=f"system:{label}")

    @classmethod
    def of_user(cls, user: Any) -> Actor:
        return cls(user=user)

    @property
    def name(self) -> str:
        if self.user is not None:
            return str(self.user.get_username())
        return self.label or "anonymous"
