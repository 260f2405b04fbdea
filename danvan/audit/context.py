"""Who is acting: passed explicitly to every service as ``actor=``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from danvan.lib.users import Account


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind ``PROXY_COUNT`` trusted proxies it is that many entries from
    the right of X-Forwarded-For: entries further left are whatever the client sent, and can be
    forged. Also used by the login throttle (``AXES_CLIENT_IP_CALLABLE``)."""
    from django.conf import settings

    proxies = getattr(settings, "PROXY_COUNT", 0)
    if proxies:
        hops = [
            h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()
        ]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


@dataclass(frozen=True)
class Actor:
    #: The account acting (``accounts.models.User``), or None for a system job or a visitor.
    #: Typed ``Any``: the services of the apps above ``accounts`` store it in foreign keys to
    #: ``User``, which ``audit`` may not name and ``Account`` (an ``AbstractUser``) does not match.
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
    def of_user(cls, user: Account) -> Actor:
        return cls(user=user)

    @property
    def name(self) -> str:
        if self.user is not None:
            return str(self.user.get_username())
        return self.label or "anonymous"
