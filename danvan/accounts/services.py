"""Account changes that must be audited: two-factor enrolment and removal."""

from __future__ import annotations

import secrets

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.audit.services import audit_record

BACKUP_CODE_COUNT = 10


def otp_pending_device(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one per user, reused on reload)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@transaction.atomic
def otp_confirm(*, actor: Actor, device: TOTPDevice) -> list[str]:
    """Confirm an authenticator and issue fresh backup codes, returned once in clear."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=device.user).delete()
    static = StaticDevice.objects.create(user=device.user, name="backup", confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    audit_record(actor=actor, action="account.2fa_enabled", obj=device.user)
    return codes


@transaction.atomic
def otp_disable(*, actor: Actor, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(actor=actor, action="account.2fa_disabled", obj=user)
