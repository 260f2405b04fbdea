"""Steps that tests share: enrolling an authenticator, reading its code, logging in."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from danvan.accounts.models import User
from danvan.accounts.services import otp_confirm, otp_pending_device
from danvan.audit.context import Actor

PASSWORD = "correct horse battery staple"
SYSTEM = Actor.system("test")


class CheapArgon2PasswordHasher(Argon2PasswordHasher):
    """Same algorithm and hash format, minimal cost: for tests only."""

    time_cost = 1
    memory_cost = 64
    parallelism = 1


def enrol(user: User) -> tuple[TOTPDevice, list[str]]:
    """Give ``user`` a confirmed authenticator; returns it and the backup codes."""
    device = otp_pending_device(user=user)
    codes = otp_confirm(actor=SYSTEM, device=device)
    return device, codes


def current_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app shows right now."""
    device.refresh_from_db()
    value = totp(
        device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift
    )
    return f"{value:0{device.digits}d}"


def log_in(client: Client, username: str, password: str = PASSWORD, ip: str = "203.0.113.7") -> Any:
    return client.post(
        reverse("accounts:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=ip,
    )


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session
