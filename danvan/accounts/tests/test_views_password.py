from __future__ import annotations

import re

from django.urls import reverse

from danvan.accounts.tests.helpers import PASSWORD, is_logged_in, log_in

NEW_PASSWORD = "a quite different passphrase"


def _link_in(message) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_sends_an_email_whose_link_sets_a_new_password(client, officer, mailoutbox):
    response = client.post(reverse("accounts:password_reset"), {"email": "lan@example.org"})

    assert response.url == reverse("accounts:password_reset_done")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["lan@example.org"]
    assert "\n" not in message.subject and message.subject.strip() == message.subject
    assert "Reset your password" in message.subject

    form_page = client.get(_link_in(message), follow=True)
    assert form_page.context["validlink"] is True
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.url == reverse("accounts:password_reset_complete")

    assert log_in(client, "lan", PASSWORD).status_code == 200
    assert not is_logged_in(client)
    assert log_in(client, "lan", NEW_PASSWORD).status_code == 302
    assert is_logged_in(client)


def test_a_reset_link_works_only_once(client, officer, mailoutbox):
    client.post(reverse("accounts:password_reset"), {"email": "lan@example.org"})
    link = _link_in(mailoutbox[0])
    form_page = client.get(link, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    again = client.get(link, follow=True)

    assert again.context["validlink"] is False
    assert "This link does not work" in again.content.decode()


def test_asking_a_reset_for_an_unknown_address_sends_nothing_and_says_nothing(
    client, officer, mailoutbox
):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})

    assert response.url == reverse("accounts:password_reset_done")
    assert mailoutbox == []


def test_a_weak_new_password_is_refused_with_a_reason(client, officer, mailoutbox):
    client.post(reverse("accounts:password_reset"), {"email": "lan@example.org"})
    form_page = client.get(_link_in(mailoutbox[0]), follow=True)

    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "12345", "new_password2": "12345"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["new_password2"]
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_changing_the_password_needs_the_old_one(client, officer):
    client.force_login(officer)
    url = reverse("accounts:password_change")

    refused = client.post(
        url,
        {"old_password": "not it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert refused.status_code == 200
    assert refused.context["form"].errors["old_password"]

    response = client.post(
        url,
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.url == reverse("accounts:password_change_done")
    assert client.get(response.url).status_code == 200
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
