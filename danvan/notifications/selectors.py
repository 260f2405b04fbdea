"""Reads of notifications. (The overdue cases of each body are voices' ``overdue_by_body``.)"""

from __future__ import annotations

from typing import Any


def unread_count(user: Any) -> int:
    from danvan.notifications.models import Notification

    return Notification.objects.visible_to(user).unread().count()
