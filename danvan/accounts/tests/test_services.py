from __future__ import annotations

from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from danvan.accounts.services import BACKUP_CODE_COUNT, otp_disable, otp_pending_device
from danvan.accounts.tests.helpers import SYSTEM, enrol
from danvan.audit.models import AuditEntry


def test_a_pending_authenticator_is_reused_until_confirmed(newcomer):
    first = otp_pending_device(user=newcomer)
    again = otp_pending_device(user=newcomer)

    assert first.pk == again.pk
    assert not first.confirmed


def test_confirming_issues_ten_distinct_backup_codes_and_audits_it(newcomer):
    device, codes = enrol(newcomer)

    device.refresh_from_db()
    assert device.confirmed
    assert len(codes) == BACKUP_CODE_COUNT == 10
    assert len(set(codes)) == 10
    assert sorted(
        StaticToken.objects.filter(device__user=newcomer).values_list("token", flat=True)
    ) == sorted(codes)
    assert (
        AuditEntry.objects.filter(action="account.2fa_enabled", object_id=str(newcomer.pk)).count()
        == 1
    )


def test_enrolling_again_replaces_the_old_authenticator_and_backup_codes(newcomer):
    enrol(newcomer)
    new_device, new_codes = enrol(newcomer)

    assert list(TOTPDevice.objects.filter(user=newcomer, confirmed=True)) == [new_device]
    assert StaticDevice.objects.filter(user=newcomer).count() == 1
    remaining = set(
        StaticToken.objects.filter(device__user=newcomer).values_list("token", flat=True)
    )
    assert remaining == set(new_codes)


def test_disabling_removes_the_authenticator_and_backup_codes_and_audits_it(newcomer):
    enrol(newcomer)

    otp_disable(actor=SYSTEM, user=newcomer)

    assert not TOTPDevice.objects.filter(user=newcomer).exists()
    assert not StaticDevice.objects.filter(user=newcomer).exists()
    assert AuditEntry.objects.filter(
        action="account.2fa_disabled", object_id=str(newcomer.pk)
    ).exists()
