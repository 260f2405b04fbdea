"""Reads of notifications. (The overdue cases of each body are voices' ``overdue_by_body``.)"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from danvan.accounts.models import User
from danvan.notifications.models import Notification


def unread_count(user: User | AnonymousUser) -> int:
    return Notification.objects.visible_to(user).unread().count()
