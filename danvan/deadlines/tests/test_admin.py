from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from danvan.audit.models import AuditEntry
from danvan.deadlines.models import CalendarException, RuleSet, TimeLimitRule

pytestmark = pytest.mark.django_db

_RULE_FIELDS = [
    "kind",
    "step",
    "applies_when",
    "position",
    "counts_from",
    "after_step",
    "amount",
    "unit",
    "amount_remote",
    "amount_complex",
    "amount_remote_complex",
    "max_extensions",
    "max_extensions_complex",
    "max_extensions_especially_complex",
    "extension_amount",
    "citation",
    "notes",
]


@pytest.fixture
def admin_client(administrator: Any, settings: Any) -> Client:
    settings.TWO_FACTOR_REQUIRED_ROLES = []  # the second factor is tested in accounts
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(administrator)
    return client


def _inline_post(rule_set: RuleSet, change: dict[int, dict[str, Any]]) -> dict[str, Any]:
    rules = list(rule_set.rules.order_by("pk"))
    data: dict[str, Any] = {
        "name": rule_set.name,
        "effective_from": rule_set.effective_from.isoformat(),
        "citation": rule_set.citation,
        "notes": rule_set.notes,
        "rules-TOTAL_FORMS": str(len(rules)),
        "rules-INITIAL_FORMS": str(len(rules)),
        "rules-MIN_NUM_FORMS": "0",
        "rules-MAX_NUM_FORMS": "1000",
    }
    for i, rule in enumerate(rules):
        prefix = f"rules-{i}-"
        data[prefix + "id"] = str(rule.pk)
        data[prefix + "rule_set"] = str(rule_set.pk)
        for name in _RULE_FIELDS:
            value = getattr(rule, name)
            data[prefix + name] = "" if value is None else str(value)
        if rule.verify:
            data[prefix + "verify"] = "on"
        if rule.configurable:
            data[prefix + "configurable"] = "on"
        for name, value in change.get(rule.pk, {}).items():
            data[prefix + name] = value
    return data


def test_a_rule_set_in_force_is_shown_read_only(admin_client: Client) -> None:
    current = RuleSet.objects.in_force_on(timezone.localdate())
    assert current is not None
    response = admin_client.get(f"/admin/deadlines/ruleset/{current.pk}/change/")
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert "Luật Khiếu nại 02/2011/QH13, Điều 28" in response.content.decode()


def test_an_administrator_copies_the_rules_into_a_new_rule_set_and_edits_one(
    admin_client: Client,
) -> None:
    current = RuleSet.objects.in_force_on(timezone.localdate())
    assert current is not None
    start = timezone.localdate() + datetime.timedelta(days=20)
    response = admin_client.post(
        "/admin/deadlines/ruleset/add/",
        {
            "name": "Nghị định mới",
            "effective_from": start.isoformat(),
            "citation": "Nghị định mới",
            "notes": "",
            "copy_from": str(current.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    new = RuleSet.objects.get(effective_from=start)
    assert new.rules.count() == current.rules.count()

    accept = new.rules.get(kind="complaint_first", step="accept")
    response = admin_client.post(
        f"/admin/deadlines/ruleset/{new.pk}/change/",
        _inline_post(new, {accept.pk: {"amount": "5"}}),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert TimeLimitRule.objects.get(pk=accept.pk).amount == 5
    assert AuditEntry.objects.filter(action="deadlines.rule.update").count() == 1


def test_a_backdated_rule_set_is_refused_with_a_form_error(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/deadlines/ruleset/add/",
        {"name": "Backdated", "effective_from": "2026-07-01", "citation": "", "notes": ""},
    )
    assert response.status_code == 200
    assert "sớm nhất từ ngày mai" in response.content.decode()


def test_an_administrator_adds_a_calendar_exception(admin_client: Client) -> None:
    response = admin_client.post(
        "/admin/deadlines/calendarexception/add/",
        {"day": "2027-02-13", "is_working_day": "on", "reason": "Làm bù cho ngày 3/2/2027"},
    )
    assert response.status_code == 302
    exception = CalendarException.objects.get(day=datetime.date(2027, 2, 13))
    assert exception.is_working_day
    assert AuditEntry.objects.filter(action="deadlines.calendar.set").exists()
    assert admin_client.get("/admin/deadlines/calendarexception/").status_code == 200
