"""Enrolling an authenticator, the code step at login, backup codes, turning two-factor off."""

from __future__ import annotations

import re
from base64 import b32decode

from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from danvan.accounts.tests.helpers import PASSWORD, current_code, enrol, is_logged_in, log_in
from danvan.accounts.views import OTP_FAILURE_LIMIT
from danvan.audit.models import AuditEntry

SETUP = reverse("accounts:otp_setup")
VERIFY = reverse("accounts:otp_verify")
HOME = reverse("web:home")


def _wrong(code: str) -> str:
    return f"{(int(code) + 500_000) % 1_000_000:06d}"


def _pass_second_step(client, device) -> None:
    response = client.post(VERIFY, {"token": current_code(device), "next": HOME})
    assert response.url == HOME


# Enrolment


def test_setup_page_shows_a_qr_code_and_the_key_to_type_by_hand(client, admin_officer):
    client.force_login(admin_officer)

    response = client.get(SETUP)

    assert response.status_code == 200
    content = response.content.decode()
    assert re.search(r'<div class="qr"><svg[^>]*>.*</svg></div>', content, re.S)
    device = TOTPDevice.objects.get(user=admin_officer, confirmed=False)
    secret = response.context["secret"]
    assert '<code class="secret"' in content and secret in content
    assert b32decode(secret + "=" * (-len(secret) % 8)) == device.bin_key
    assert response.context["required"] is True
    assert "Your role requires two-factor authentication" in content


def test_system_administrator_who_confirms_a_real_code_reaches_home_with_ten_backup_codes(
    client, admin_officer
):
    client.force_login(admin_officer)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=admin_officer, confirmed=False)

    response = client.post(SETUP, {"token": current_code(device)})

    assert response.status_code == 200
    assert "accounts/otp_backup_codes.html" in [t.name for t in response.templates]
    codes = response.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    content = response.content.decode()
    assert all(code in content for code in codes)
    assert "shown only this once" in content
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200
    assert AuditEntry.objects.filter(action="account.2fa_enabled", actor=admin_officer).exists()


def test_a_wrong_code_at_setup_is_refused_and_nothing_is_enrolled(client, admin_officer):
    client.force_login(admin_officer)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=admin_officer, confirmed=False)

    response = client.post(SETUP, {"token": _wrong(current_code(device))})

    assert response.status_code == 200
    assert "This code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=admin_officer, confirmed=True).exists()
    assert client.get(HOME).url == SETUP


def test_an_officer_may_enrol_by_choice(client, officer):
    client.force_login(officer)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=officer, confirmed=False)

    response = client.post(SETUP, {"token": current_code(device)})

    assert len(response.context["codes"]) == 10
    assert response.context["user"].is_verified()


# The code step at login


def test_a_wrong_code_is_refused_and_audited(client, officer):
    device, _codes = enrol(officer)
    log_in(client, "lan")

    response = client.post(VERIFY, {"token": _wrong(current_code(device)), "next": HOME})

    assert response.status_code == 200
    assert "This code is not right or has expired" in response.content.decode()
    assert client.get(HOME).url.startswith(VERIFY)
    assert AuditEntry.objects.filter(action="auth.2fa_failed", actor=officer).exists()


def test_the_right_code_passes_and_goes_on_to_the_page_asked_for(client, officer):
    device, _codes = enrol(officer)
    log_in(client, "lan")

    response = client.post(VERIFY, {"token": current_code(device), "next": reverse("units:list")})

    assert response.url == reverse("units:list")
    assert client.get(HOME).status_code == 200
    assert AuditEntry.objects.filter(action="auth.2fa_passed", actor=officer).exists()


def test_the_code_page_keeps_the_page_asked_for_in_a_hidden_field(client, officer):
    enrol(officer)
    log_in(client, "lan")

    response = client.get(VERIFY, {"next": reverse("units:list")})

    assert f'name="next" value="{reverse("units:list")}"' in response.content.decode()


def test_the_code_step_never_sends_the_user_to_another_site(client, officer):
    device, _codes = enrol(officer)
    log_in(client, "lan")

    response = client.post(VERIFY, {"token": current_code(device), "next": "https://evil.example/"})

    assert response.url == HOME


def test_a_backup_code_works_once(client, officer):
    _device, codes = enrol(officer)
    log_in(client, "lan")

    first = client.post(VERIFY, {"token": codes[0], "next": HOME})
    assert first.url == HOME
    assert client.get(HOME).status_code == 200
    assert StaticToken.objects.filter(device__user=officer).count() == 9

    client.post(reverse("accounts:logout"))
    log_in(client, "lan")
    second = client.post(VERIFY, {"token": codes[0], "next": HOME})

    assert second.status_code == 200
    assert client.get(HOME).url.startswith(VERIFY)


def test_too_many_wrong_codes_log_the_user_out(client, officer):
    device, _codes = enrol(officer)
    log_in(client, "lan")
    wrong = _wrong(current_code(device))

    for _attempt in range(OTP_FAILURE_LIMIT - 1):
        assert client.post(VERIFY, {"token": wrong}).status_code == 200
    response = client.post(VERIFY, {"token": wrong})

    assert response.url == reverse("accounts:login")
    assert not is_logged_in(client)


def test_a_user_without_authenticator_is_sent_from_the_code_page_to_setup(client, officer):
    client.force_login(officer)

    assert client.get(VERIFY).url == SETUP


# Turning two-factor off


def test_an_officer_may_turn_two_factor_off_with_the_password(client, officer):
    device, _codes = enrol(officer)
    log_in(client, "lan")
    _pass_second_step(client, device)

    refused = client.post(reverse("accounts:otp_disable"), {"password": "not the password"})
    assert refused.status_code == 200
    assert "The password is wrong" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=officer).exists()

    response = client.post(reverse("accounts:otp_disable"), {"password": PASSWORD})

    assert response.url == reverse("accounts:profile")
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticToken.objects.filter(device__user=officer).exists()
    assert AuditEntry.objects.filter(action="account.2fa_disabled", actor=officer).exists()


def test_a_system_administrator_cannot_turn_two_factor_off(client, admin_officer):
    device, _codes = enrol(admin_officer)
    log_in(client, "hung")
    _pass_second_step(client, device)

    page = client.get(reverse("accounts:otp_disable"), follow=True)
    response = client.post(reverse("accounts:otp_disable"), {"password": PASSWORD})

    assert response.url == reverse("accounts:profile")
    assert "it cannot be turned off" in page.content.decode()
    assert TOTPDevice.objects.filter(user=admin_officer, confirmed=True).exists()
    assert reverse("accounts:otp_disable") not in page.content.decode()


def test_a_verified_user_may_replace_the_authenticator(client, officer):
    old_device, _codes = enrol(officer)
    log_in(client, "lan")
    _pass_second_step(client, old_device)

    client.get(SETUP)
    new_device = TOTPDevice.objects.get(user=officer, confirmed=False)
    response = client.post(SETUP, {"token": current_code(new_device)})

    assert len(response.context["codes"]) == 10
    assert list(TOTPDevice.objects.filter(user=officer)) == [new_device]
