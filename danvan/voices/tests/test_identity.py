"""Denouncer protection: who may read the identity, and that every read is logged."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.voices.identity import denouncer_identity
from danvan.voices.models import Topic
from danvan.voices.services import voice_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def denunciation(world):
    return voice_submit(
        actor=Actor(user=None, label="citizen"),
        kind="denunciation",
        channel="web",
        unit=world.anh_son_village,
        topic=Topic.objects.get(code="officials_conduct", province=None),
        text="Cán bộ địa chính xã nhận tiền để hợp thức hóa đất lấn chiếm.",
        received_on=datetime.date(2026, 11, 2),
        submitter_name="Trần Văn Bảo",
        submitter_contact="0987654321",
        submitter_id_number="040123456789",
    )


REASON = "Xác minh nội dung tố cáo theo kế hoạch số 12"


def test_a_leader_reads_the_identity_and_the_read_is_logged(denunciation, leader):
    identity = denouncer_identity(actor=Actor.of_user(leader), voice=denunciation, reason=REASON)

    assert identity is not None
    assert identity.name == "Trần Văn Bảo"
    assert identity.id_number == "040123456789"
    entry = AuditEntry.objects.get(action="voice.identity_reveal", object_id=str(denunciation.pk))
    assert entry.is_sensitive_view
    assert entry.actor_label == leader.username
    assert entry.changes["reason"] == REASON
    assert not AuditEntry.objects.filter(action="sensitive.view").exists()


@pytest.mark.parametrize("reason", ["", "   ", "xem"])
def test_the_identity_is_not_read_without_a_reason(denunciation, leader, reason):
    with pytest.raises(ValidationError):
        denouncer_identity(actor=Actor.of_user(leader), voice=denunciation, reason=reason)
    assert not AuditEntry.objects.filter(action="voice.identity_reveal").exists()


@pytest.mark.parametrize(
    "role",
    ["system_admin", "provincial_staff", "commune_officer", "village_member", "observer", "nobody"],
)
def test_everyone_else_is_refused_even_the_system_administrator(denunciation, role, request):
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        denouncer_identity(actor=Actor.of_user(user), voice=denunciation, reason=REASON)
    assert not AuditEntry.objects.filter(is_sensitive_view=True).exists()


def test_the_refusal_message_does_not_reveal_the_identity(denunciation, commune_officer):
    with pytest.raises(PermissionDenied) as caught:
        denouncer_identity(actor=Actor.of_user(commune_officer), voice=denunciation, reason=REASON)
    assert "Bảo" not in str(caught.value)


def test_the_case_itself_carries_no_trace_of_the_denouncer(denunciation):
    values = [str(getattr(denunciation, f.attname)) for f in denunciation._meta.concrete_fields]
    assert not any("Bảo" in v or "0987654321" in v for v in values)
