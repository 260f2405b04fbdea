"""The types of the people behind a request, for every layer.

``danvan.accounts.models.User`` is the project's account model, but ``accounts`` sits above
``lib``, ``audit``, ``units`` and ``organizations``: code there names a user by these types
instead (``User`` is an ``AbstractUser``). Apps above ``accounts`` may use either.

They are for annotations only: Django's auth models cannot be imported before the app registry
is ready, and ``lib`` is imported earlier (by the apps' configs).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

#: A signed-in officer's account (``accounts.models.User`` is one).
Account: TypeAlias = "AbstractUser"

#: Whoever makes a request: an account, or an anonymous visitor (``request.user``).
Requester: TypeAlias = "AbstractUser | AnonymousUser"
