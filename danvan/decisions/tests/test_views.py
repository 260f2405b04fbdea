"""The pages: the case page's panel, drafting, editing, submitting, the head's issue, download."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from danvan.decisions.models import Decision, DecisionStatus
from danvan.decisions.tests.helpers import COMPLAINT_TEXTS
from danvan.voices.models import VoiceStatus

pytestmark = pytest.mark.django_db


def _form(decision: Decision, **values: str) -> dict[str, str]:
    from danvan.decisions.forms import fields_for

    data = {name: str(getattr(decision, name) or "") for name in fields_for(decision.kind)}
    data.update(values)
    data["version"] = str(decision.version)
    return data


def test_an_officer_drafts_and_the_head_issues_from_the_case_page(
    complaint, commune_officer, leader, login, django_capture_on_commit_callbacks
):
    officer = login(commune_officer)
    case_url = reverse("voices:case", args=[complaint.tracking_code])
    page = officer.get(case_url).content.decode()
    assert 'id="decision-panel"' in page and 'id="draft-decision"' in page
    response = officer.post(reverse("decisions:new", args=[complaint.tracking_code]))
    decision = Decision.objects.get(voice=complaint)
    assert response.status_code == 302 and response.url == reverse(
        "decisions:detail", args=[decision.pk]
    )
    page = officer.get(response.url).content.decode()
    assert "Nguyễn Văn An" in page and 'id="edit-form"' in page and 'id="issue-form"' not in page
    act = reverse("decisions:act", args=[decision.pk, "edit"])
    assert officer.post(act, _form(decision, **COMPLAINT_TEXTS)).status_code == 302
    decision.refresh_from_db()
    # A stale page is answered 409 and keeps what was typed.
    stale = officer.post(
        act, _form(decision, conclusion="Khác hẳn", version="1") | {"version": "1"}
    )
    assert stale.status_code == 409
    submit = reverse("decisions:act", args=[decision.pk, "submit"])
    assert officer.post(submit, {"version": decision.version}).status_code == 302
    decision.refresh_from_db()
    # The officer cannot issue; the head can.
    issue = reverse("decisions:act", args=[decision.pk, "issue"])
    assert officer.post(issue, {"version": decision.version}).status_code == 403
    head = login(leader)
    assert (
        'id="issue-form"'
        in head.get(reverse("decisions:detail", args=[decision.pk])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert head.post(issue, {"version": decision.version}).status_code == 302
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.ISSUED and decision.symbol.endswith("/QĐ-UBND")
    complaint.refresh_from_db()
    assert complaint.status == VoiceStatus.PUBLISHED
    # The complainant who gave an email address receives the public content.
    to_complainant = [m for m in mail.outbox if m.to == ["an@example.org"]]
    assert len(to_complainant) == 1 and decision.symbol in to_complainant[0].body
    download = head.get(reverse("decisions:download", args=[decision.pk]))
    assert download.status_code == 200 and download.content == bytes(decision.document or b"")
    panel = officer.get(case_url).content.decode()
    assert decision.symbol in panel and 'id="draft-decision"' not in panel


def test_a_reflection_has_no_decision_panel(world, commune_officer, committee, login):
    from danvan.decisions.tests.conftest import accepted_case

    voice = accepted_case(world, commune_officer, committee, kind="reflection")
    page = login(commune_officer).get(reverse("voices:case", args=[voice.tracking_code]))
    assert 'id="decision-panel"' not in page.content.decode()
    response = login(commune_officer).post(reverse("decisions:new", args=[voice.tracking_code]))
    assert response.status_code == 302 and not Decision.objects.exists()


def test_someone_outside_the_unit_sees_no_decision(complaint, commune_officer, login, request):
    from danvan.decisions.tests.helpers import drafted

    decision = drafted(complaint, commune_officer)
    client = login(request.getfixturevalue("nobody"))
    assert client.get(reverse("decisions:detail", args=[decision.pk])).status_code == 404
    assert client.get(reverse("decisions:download", args=[decision.pk])).status_code == 404


def test_the_case_page_offers_closing_a_complaint_only_once_its_decision_is_issued(
    complaint, commune_officer, leader, login
):
    from danvan.audit.context import Actor
    from danvan.decisions.tests.helpers import issued
    from danvan.voices.services_answer import case_answer, case_publish

    officer = Actor.of_user(commune_officer)
    voice = case_answer(
        actor=officer, voice=complaint, expected_version=complaint.version, text="Đã xem xét."
    )
    voice = case_publish(actor=officer, voice=voice, expected_version=voice.version)
    client = login(commune_officer)
    case_url = reverse("voices:case", args=[voice.tracking_code])
    assert 'name="close-version"' not in client.get(case_url).content.decode()
    issued(voice, commune_officer, leader, on=voice.received_on)
    assert 'name="close-version"' in client.get(case_url).content.decode()
