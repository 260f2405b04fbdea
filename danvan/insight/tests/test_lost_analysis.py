"""A voice whose analysis could not be queued after its commit is saved, and analysed later."""

from __future__ import annotations

import datetime

import pytest
from django.db import OperationalError
from django.utils import timezone

from danvan.insight import tasks
from danvan.insight.tests.conftest import CITIZEN
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit

pytestmark = pytest.mark.django_db

TEXT = "Đường vào xóm bị sạt lở sau mưa lớn, đề nghị xã sửa gấp."


@pytest.fixture
def submit(world, django_capture_on_commit_callbacks):
    """A citizen's voice as the web form saves it: the analysis is queued after the commit."""

    def send() -> Voice:
        with django_capture_on_commit_callbacks(execute=True):
            voice = voice_submit(
                actor=CITIZEN,
                kind="reflection",
                channel="web",
                unit=world.anh_son_village,
                topic=Topic.objects.get(code="infrastructure", province=None),
                text=TEXT,
                received_on=datetime.date(2026, 11, 2),
                submitter_name="Nguyễn Văn An",
            )
        return voice

    return send


class _CutConnection:
    """A task whose queueing meets a database that has just dropped the connection."""

    def enqueue(self, *args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")


def test_a_database_error_while_queueing_loses_nothing(submit, monkeypatch, caplog):
    monkeypatch.setattr(tasks, "voice_analyse_task", _CutConnection())
    voice = submit()  # no exception reaches the citizen; the voice is saved, unanalysed
    assert Voice.objects.filter(pk=voice.pk, issue__isnull=True).exists()
    assert "Could not queue the analysis" in caplog.text


def test_the_catch_up_queues_the_voices_left_unanalysed(submit, monkeypatch):
    real = tasks.voice_analyse_task
    monkeypatch.setattr(tasks, "voice_analyse_task", _CutConnection())
    lost = submit()
    monkeypatch.setattr(tasks, "voice_analyse_task", real)
    # Too recent: its analysis may still be on its way.
    assert tasks.voices_unanalysed_requeue() == "0 voice(s) queued again for analysis"
    Voice.objects.filter(pk=lost.pk).update(
        received_at=timezone.now() - datetime.timedelta(minutes=30)
    )
    assert tasks.voices_unanalysed_requeue() == "1 voice(s) queued again for analysis"
    lost.refresh_from_db()
    assert lost.issue_id is not None
