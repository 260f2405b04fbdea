from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from danvan.audit.models import AuditEntry
from danvan.demo.seed import ACCOUNTS, SeedReport, seed_demo
from danvan.lib.roles import Capability, Role
from danvan.lib.scoping import scope_for
from danvan.organizations.models import Body, Membership
from danvan.units.models import AdministrativeUnit, UnitSuccession
from danvan.voices.models import Voice, VoiceStatus

pytestmark = pytest.mark.django_db

PASSWORD = "demo-mat-khau-2025"


def counts() -> dict[str, int]:
    return {
        "units": AdministrativeUnit.objects.count(),
        "successions": UnitSuccession.objects.count(),
        "bodies": Body.objects.count(),
        "memberships": Membership.objects.count(),
        "users": get_user_model().objects.count(),
        "remote": AdministrativeUnit.objects.filter(is_remote=True).count(),
        "voices": Voice.objects.count(),
    }


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: Any) -> Iterator[SeedReport]:
    """The demo, seeded once for the module (it takes 12-15 s) in a transaction rolled back after
    its last test. Each test runs inside it, in its own savepoint (pytest-django's ``db``), so
    what a test changes is undone before the next one, and the next module starts without it.
    Tests that must seed for themselves are in ``test_seed_command.py``."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed_demo(password=PASSWORD, voices=40)
        transaction.set_rollback(True)


def test_seeding_twice_duplicates_nothing(seeded):
    first = counts()
    audit_rows = AuditEntry.objects.count()

    again = seed_demo(password=PASSWORD, voices=40)

    assert counts() == first
    assert again.created_accounts == []
    assert AuditEntry.objects.count() == audit_rows  # a second run changes nothing to record


def test_seeding_creates_one_account_per_role(seeded):
    roles = dict(Membership.objects.values_list("user__username", "role"))

    assert sorted(roles.values()) == sorted(Role.values)
    assert {u for u, _r, _p in seeded.created_accounts} == {a[0] for a in ACCOUNTS}


def test_the_demo_accounts_log_in_with_the_given_password(seeded):
    for username, *_rest in ACCOUNTS:
        assert get_user_model().objects.get(username=username).check_password(PASSWORD)


def test_the_demo_system_administrator_is_a_superuser(seeded):
    admin = get_user_model().objects.get(username="quantri")

    assert admin.is_superuser and admin.is_staff
    assert scope_for(admin, Capability.VIEW).is_global


def test_the_demo_commune_officer_sees_the_own_commune_and_the_district_it_replaced(seeded):
    officer = get_user_model().objects.get(username="xa")

    visible = AdministrativeUnit.objects.visible_to(officer)
    assert visible.filter(code="17329").exists()
    assert visible.filter(code="424").exists()  # the former district of Anh Sơn
    assert not visible.filter(code="16813").exists()
    assert visible.filter(parent__code="17329").count() == 12


def test_the_demo_builds_bodies_at_province_commune_and_village_level(seeded):
    tiers = set(Body.objects.values_list("unit__tier", flat=True))

    assert tiers == {"province", "commune", "village"}


def test_the_demo_voices_span_kinds_and_stages_with_real_due_dates(seeded):
    voices = Voice.objects.all()

    # 40 voices, and the second complaints some of their complainants filed (and the voices
    # planted for the flooded road and the land surge, tested below).
    assert voices.filter(submission_key__regex=r"^demo-[0-9]+$").count() == 40
    assert (
        not voices.filter(submission_key__startswith="demo-second-")
        .exclude(kind="complaint_second")
        .exists()
    )
    assert voices.values("kind").distinct().count() >= 4
    assert voices.filter(status__in=[VoiceStatus.PUBLISHED, VoiceStatus.CLOSED]).exists()
    assert voices.filter(status__in=[VoiceStatus.ACCEPTED, VoiceStatus.ASSIGNED]).exists()
    # Every voice of a kind with legal time limits has its steps' due dates stored.
    for voice in voices.exclude(kind="opinion"):
        assert voice.deadlines.exists(), voice.kind
    # The demo lives in Nghệ An only.
    assert not voices.exclude(unit__path__startswith="/40/").exists()


def test_the_demo_shows_the_flooded_road_as_one_issue_and_a_land_alert(seeded):
    from danvan.alerts.models import Alert
    from danvan.insight.demo import FLOOD_VOICES
    from danvan.insight.models import Issue

    flood = Voice.objects.filter(submission_key__startswith="demo-flood-").exclude(
        submission_key__startswith="demo-flood-other-"
    )
    assert flood.count() == len(FLOOD_VOICES)
    assert flood.values("issue").distinct().count() == 1
    issue = Issue.objects.get(voices=flood[0])
    assert issue.voice_count >= len(FLOOD_VOICES)
    other = Voice.objects.filter(submission_key__startswith="demo-flood-other-")
    assert not other.filter(issue=issue).exists()  # another commune, another issue
    assert not Voice.objects.filter(issue__isnull=True).exists()
    assert Alert.objects.filter(rule="surge", topic__code="land").exists()


def test_the_demo_communes_have_issued_last_quarters_report_for_the_province_to_draft(seeded):
    from django.utils import timezone

    from danvan.reports.figures import report_figures
    from danvan.reports.models import Report
    from danvan.reports.periods import period_containing

    last = period_containing("quarter", timezone.localdate()).previous()
    communes = Report.objects.filter(period_code=last.code, status="issued", unit__tier="commune")
    assert communes.count() == 5
    assert set(communes.values_list("number", flat=True)) == {1}
    assert all(r.symbol == "01-BC/BXDĐ" and r.document for r in communes)
    # The province has issued the quarter before (its number 01), not yet this one.
    province = Report.objects.get(unit__code="40")
    assert (province.period_code, province.symbol) == (last.previous().code, "01-BC/BTGDVTU")
    snapshot = report_figures(unit=province.unit, period=last)
    assert len(snapshot.children_reports) == 5
    assert all(child.proposals for child in snapshot.children_reports)
