"""Two-factor enforcement: who must pass a code or enrol before reaching any page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

from danvan.accounts.tests.helpers import PASSWORD, enrol, is_logged_in, log_in

SETUP = reverse("accounts:otp_setup")
VERIFY = reverse("accounts:otp_verify")

ANY_PAGES = [
    reverse("web:home"),
    reverse("units:list"),
    reverse("organizations:list"),
    reverse("audit:list"),
    reverse("accounts:profile"),
    reverse("accounts:password_change"),
    reverse("accounts:otp_disable"),
    reverse("accounts:otp_verify"),
]


def _verify_url(next_url: str) -> str:
    return f"{VERIFY}?{urlencode({'next': next_url})}"


@pytest.mark.parametrize("url", ANY_PAGES)
def test_system_administrator_without_authenticator_is_sent_to_setup_from_any_page(
    client, admin_officer, url
):
    client.force_login(admin_officer)

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == SETUP


def test_a_superuser_is_held_to_two_factor_like_a_system_administrator(client, make_user):
    root = make_user("root", is_superuser=True, is_staff=True)
    client.force_login(root)

    assert client.get(reverse("web:home")).url == SETUP
    assert client.get("/admin/").url == SETUP


def test_an_officer_whose_role_does_not_require_two_factor_is_not_forced_to_enrol(client, officer):
    client.force_login(officer)

    assert client.get(reverse("web:home")).status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_pages_open_to_anyone_stay_open_before_the_second_step(client, admin_officer):
    client.force_login(admin_officer)

    assert client.get(reverse("accounts:password_reset")).status_code == 200
    assert client.get(reverse("web:health")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("accounts:logout")).url == reverse("accounts:login")


@pytest.mark.parametrize("url", ANY_PAGES[:-1])
def test_enrolled_user_is_asked_for_a_code_on_any_page_after_password_login(client, officer, url):
    enrol(officer)
    log_in(client, "lan")

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == _verify_url(url)


def test_enrolled_user_lands_on_the_code_page_right_after_password_login(client, officer):
    enrol(officer)

    response = log_in(client, "lan")
    landing = client.get(response.url)

    assert landing.url == _verify_url(reverse("web:home"))
    assert client.get(landing.url).status_code == 200


def test_the_page_asked_for_is_kept_whole_through_the_code_step(client, officer):
    enrol(officer)
    log_in(client, "lan")
    wanted = f"{reverse('units:list')}?q=Nghe&code=40"

    response = client.get(wanted)

    assert response.url == _verify_url(wanted)


def test_a_password_alone_cannot_turn_two_factor_off(client, officer):
    enrol(officer)
    log_in(client, "lan")

    response = client.post(reverse("accounts:otp_disable"), {"password": PASSWORD})

    assert response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


def test_a_password_alone_cannot_enrol_a_new_authenticator_over_the_old_one(client, officer):
    device, _codes = enrol(officer)
    log_in(client, "lan")

    assert client.get(SETUP).url.startswith(VERIFY)
    assert client.post(SETUP, {"token": "123456"}).url.startswith(VERIFY)
    assert list(TOTPDevice.objects.filter(user=officer)) == [device]


def test_a_password_alone_cannot_change_the_password(client, officer):
    enrol(officer)
    log_in(client, "lan")

    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a quite different passphrase",
            "new_password2": "a quite different passphrase",
        },
    )

    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert is_logged_in(client)
