"""The citizens' form sent again after an error: the one-time token finds the voice already made."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from danvan.voices import views_public
from danvan.voices.models import Voice
from danvan.voices.tests.test_public import SUBMIT, form_data

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def citizen() -> Client:
    return Client(REMOTE_ADDR="198.51.100.7")


def token_of(client) -> str:
    match = re.search(
        r'name="submission_token" value="([^"]+)"', client.get(SUBMIT).content.decode()
    )
    assert match is not None
    return match.group(1)


def test_each_empty_form_carries_its_own_token(citizen):
    assert token_of(citizen) != token_of(citizen)


def test_a_form_sent_again_after_the_page_failed_shows_the_first_voice(world, citizen, monkeypatch):
    data = form_data(world, submission_token=token_of(citizen))

    def connection_dropped(*args, **kwargs):
        raise RuntimeError("the database connection dropped after the commit")

    with monkeypatch.context() as patch:
        patch.setattr(views_public, "_rate_hit", connection_dropped)
        with pytest.raises(RuntimeError):
            citizen.post(SUBMIT, data)
    voice = Voice.objects.get()  # saved, but the citizen never saw its code

    again = citizen.post(SUBMIT, data, follow=True)

    assert again.status_code == 200
    assert voice.tracking_code in again.content.decode()
    assert Voice.objects.count() == 1


def test_the_same_token_with_another_content_is_a_new_voice(world, citizen):
    token = token_of(citizen)
    citizen.post(SUBMIT, form_data(world, submission_token=token))
    other = citizen.post(
        SUBMIT,
        form_data(world, submission_token=token, text="Cống thoát nước bị tắc."),
        follow=True,
    )

    assert Voice.objects.count() == 2
    assert Voice.objects.get(text="Cống thoát nước bị tắc.").tracking_code in other.content.decode()


def test_a_form_without_a_token_still_works(world, citizen):
    citizen.post(SUBMIT, form_data(world))
    citizen.post(SUBMIT, form_data(world, submission_token="short"))
    assert Voice.objects.count() == 2


def test_long_after_the_same_form_says_it_was_sent_without_showing_the_code(world, citizen):
    """On a shared phone or computer the next person's "Back" and "Send" must not show the
    previous sender's code: past the window the form says it was sent, and saves nothing."""
    import datetime

    from django.utils import timezone

    data = form_data(world, submission_token=token_of(citizen))
    citizen.post(SUBMIT, data)
    voice = Voice.objects.get()
    Voice.objects.filter(pk=voice.pk).update(
        received_at=timezone.now() - views_public.RESUBMIT_RECEIPT_WINDOW - datetime.timedelta(1)
    )
    from django.conf import settings

    other = Client(REMOTE_ADDR="198.51.100.7")
    other.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    later = other.post(SUBMIT, data, follow=True)
    page = later.content.decode()
    assert later.status_code == 200
    assert voice.tracking_code not in page
    assert "This form was already sent" in page
    assert Voice.objects.count() == 1
