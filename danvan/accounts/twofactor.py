from __future__ import annotations

from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from danvan.accounts.models import User
from danvan.lib.roles import Role
from danvan.organizations.models import Membership


def user_roles(user: User) -> set[str]:
    roles = set(Membership.objects.active().filter(user=user).values_list("role", flat=True))
    if user.is_superuser:
        roles.add(Role.SYSTEM_ADMIN)
    return roles


def two_factor_required(user: User) -> bool:
    """Whether one of the user's roles is in ``TWO_FACTOR_REQUIRED_ROLES``."""
    required = set(settings.TWO_FACTOR_REQUIRED_ROLES)
    return bool(required & user_roles(user))


def has_confirmed_device(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()
