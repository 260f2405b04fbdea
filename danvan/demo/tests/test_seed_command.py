"""The demo's seeding as a command and as a commit: each test seeds for itself (``test_seed.py``
shares one seeding among the tests that only read it)."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from danvan.demo.seed import seed_demo

pytestmark = pytest.mark.django_db

PASSWORD = "demo-mat-khau-2025"


def test_the_seed_demo_command_prints_the_new_accounts_once(capsys):
    call_command("seed_demo", password=PASSWORD, voices=0)
    first = capsys.readouterr().out
    call_command("seed_demo", password=PASSWORD, voices=0)
    second = capsys.readouterr().out

    assert "quantri" in first and PASSWORD in first
    assert PASSWORD not in second
    assert "already exist" in second


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("reference_data", "reference_data_left_in_place")
def test_seeding_sends_no_email_when_it_commits(mailoutbox):
    # Committed for real (no test transaction around it): the notifications' emails are sent
    # on commit, which must still be inside the demo's dummy mail backend.
    from danvan.notifications.models import Notification

    seed_demo(password=PASSWORD, voices=40)
    assert Notification.objects.exists()
    assert mailoutbox == []
