from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from danvan.accounts.models import User
from danvan.notifications.selectors import unread_count


class _LazyCount:
    """Counted only if a template prints it, and then once per request."""

    def __init__(self, user: User) -> None:
        self._user = user
        self._value: int | None = None

    def __int__(self) -> int:
        if self._value is None:
            self._value = unread_count(self._user)
        return self._value

    def __str__(self) -> str:
        return str(int(self))

    def __bool__(self) -> bool:
        return int(self) > 0

    def __eq__(self, other: object) -> bool:
        return int(self) == other

    def __hash__(self) -> int:
        return hash(int(self))


def unread(request: HttpRequest) -> dict[str, Any]:
    """``unread_notifications``: how many unread notifications the user has (0 when logged out)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": _LazyCount(user)}
