from __future__ import annotations

from django.conf import settings
from django.test import Client
from django.urls import reverse

from danvan.accounts.tests.helpers import PASSWORD, is_logged_in, log_in
from danvan.audit.models import AuditEntry

WRONG = "not the password"


def _locked_status() -> int:
    return settings.AXES_HTTP_RESPONSE_CODE  # type: ignore[misc]  # added to settings by axes.conf


def test_login_page_has_username_password_and_a_forgotten_password_link(client):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="username"' in content
    assert 'name="password"' in content
    assert 'autocomplete="current-password"' in content
    assert reverse("accounts:password_reset") in content
    assert "csrfmiddlewaretoken" in content


def test_login_page_speaks_vietnamese_unless_asked_otherwise(db):
    response = Client().get(reverse("accounts:login"))

    assert '<html lang="vi">' in response.content.decode()


def test_wrong_password_shows_a_clear_error_and_is_audited(client, officer):
    response = log_in(client, "lan", WRONG, ip="203.0.113.7")

    assert response.status_code == 200
    assert not is_logged_in(client)
    assert "The username or password is wrong" in response.content.decode()
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.changes == {"username": "lan"}
    assert entry.ip_address == "203.0.113.7"
    assert entry.actor is None


def test_correct_password_logs_in_and_is_audited(client, officer):
    response = log_in(client, "lan", ip="203.0.113.7")

    assert response.status_code == 302
    assert response.url == reverse("web:home")
    assert is_logged_in(client)
    entry = AuditEntry.objects.get(action="auth.login")
    assert entry.actor == officer
    assert entry.ip_address == "203.0.113.7"


def test_login_goes_on_to_the_page_asked_for_but_never_to_another_site(client, officer):
    safe = client.post(
        reverse("accounts:login"),
        {"username": "lan", "password": PASSWORD, "next": reverse("units:list")},
    )
    assert safe.url == reverse("units:list")

    client.post(reverse("accounts:logout"))
    unsafe = client.post(
        reverse("accounts:login"),
        {"username": "lan", "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert unsafe.url == reverse("web:home")


def test_five_failures_lock_the_username_from_that_address_even_with_the_right_password(
    client, officer
):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "lan", WRONG).status_code == 200

    locked = log_in(client, "lan", WRONG)
    assert locked.status_code == _locked_status()
    assert "accounts/locked_out.html" in [t.name for t in locked.templates]
    assert "locked for 15 minutes" in locked.content.decode()

    refused = log_in(client, "lan", PASSWORD)
    assert refused.status_code == _locked_status()
    assert not is_logged_in(client)
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_the_lock_holds_whatever_forwarded_address_the_client_claims(client, officer):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "lan", WRONG, ip="203.0.113.7")

    response = client.post(
        reverse("accounts:login"),
        {"username": "lan", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )

    assert response.status_code == _locked_status()
    assert not is_logged_in(client)


def test_the_lock_is_for_one_username_from_one_address(client, officer, newcomer):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "lan", WRONG, ip="203.0.113.7")

    assert log_in(Client(), "minh", ip="203.0.113.7").status_code == 302
    assert log_in(Client(), "lan", ip="198.51.100.20").status_code == 302


def test_a_forged_login_without_csrf_token_is_refused(csrf_client, officer):
    response = csrf_client.post(
        reverse("accounts:login"), {"username": "lan", "password": PASSWORD}
    )

    assert response.status_code == 403
    assert not is_logged_in(csrf_client)


def test_a_forged_request_to_turn_two_factor_off_is_refused(csrf_client, officer):
    csrf_client.force_login(officer)

    response = csrf_client.post(reverse("accounts:otp_disable"), {"password": PASSWORD})

    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="account.2fa_disabled").exists()


def test_logging_out_ends_the_session(client, officer):
    log_in(client, "lan")

    response = client.post(reverse("accounts:logout"))

    assert response.url == reverse("accounts:login")
    assert not is_logged_in(client)
