from __future__ import annotations

from django.urls import reverse

from danvan.accounts.tests.helpers import current_code, enrol, log_in


def test_profile_shows_own_details_memberships_and_that_two_factor_is_off(
    client, officer, committee
):
    client.force_login(officer)

    response = client.get(reverse("accounts:profile"))

    content = response.content.decode()
    for text in ["Nguyễn Thị Lan", "lan", "lan@example.org", "0912345678"]:
        assert text in content
    for text in [committee.name, committee.unit.name, "Commune officer", "Chuyên viên"]:
        assert text in content
    assert "Off: your password alone opens your account." in content
    assert reverse("accounts:otp_setup") in content
    assert reverse("accounts:otp_disable") not in content
    assert reverse("accounts:password_change") in content


def test_profile_of_an_enrolled_officer_offers_to_turn_two_factor_off(client, officer):
    device, _codes = enrol(officer)
    log_in(client, "lan")
    client.post(reverse("accounts:otp_verify"), {"token": current_code(device)})

    content = client.get(reverse("accounts:profile")).content.decode()

    assert "On: each login asks for a code" in content
    assert reverse("accounts:otp_disable") in content


def test_profile_of_an_account_without_body_says_so(client, newcomer):
    client.force_login(newcomer)

    response = client.get(reverse("accounts:profile"))

    assert "You are not a member of any body." in response.content.decode()
