from __future__ import annotations

import pytest

from danvan.audit.context import Actor
from danvan.audit.services import audit_record, audit_sensitive_view, model_changes

pytestmark = pytest.mark.django_db


def test_a_sensitive_view_is_recorded_with_the_fields_shown(world, leader, commune_officer):
    entry = audit_sensitive_view(
        actor=Actor.of_user(leader), obj=commune_officer, fields=["phone"], unit=world.anh_son
    )

    assert entry.is_sensitive_view is True
    assert entry.action == "sensitive.view"
    assert entry.actor == leader
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(commune_officer.pk)
    assert entry.object_repr == "Lê Văn Bình"
    assert entry.changes == {"fields": ["phone"]}
    assert entry.unit == world.anh_son


def test_an_ordinary_change_is_not_a_sensitive_view(system_actor):
    assert audit_record(actor=system_actor, action="test.change").is_sensitive_view is False


def test_long_labels_are_cut_to_fit(system_actor):
    entry = audit_record(
        actor=Actor(user=None, label="x" * 400, user_agent="y" * 400), action="test.long"
    )

    assert len(entry.actor_label) == 150
    assert len(entry.user_agent) == 255


def test_model_changes_lists_only_the_fields_that_changed(world):
    unit = world.anh_son
    before = {"name": unit.name, "is_remote": False, "parent": world.nghe_an}
    unit.is_remote = True

    assert model_changes(unit, ["name", "is_remote", "parent"], before) == {
        "is_remote": [False, True]
    }


def test_a_system_actor_is_named_after_its_task():
    assert Actor.system("load_units").name == "system:load_units"
    assert Actor(user=None).name == "anonymous"
