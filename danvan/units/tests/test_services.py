from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.lib.testing import refused
from danvan.units.models import AdministrativeUnit, UnitKind, UnitSuccession, UnitTier
from danvan.units.services import (
    unit_create_historic,
    unit_record_succession,
    unit_set_remote,
    village_create,
)

# Every test here uses the database, some through fixtures looked up by name.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# --- Adding villages one by one -------------------------------------------------------------------


def test_a_village_gets_the_next_code_under_its_commune(world, commune_officer):
    village = village_create(
        actor=Actor.of_user(commune_officer), commune=world.anh_son, name="  Xóm   2 "
    )

    assert village.code == "17329-002"  # "Xóm 1" is 17329-001
    assert village.name == "Xóm 2"
    assert village.parent == world.anh_son
    assert village.tier == UnitTier.VILLAGE
    assert village.kind == UnitKind.VILLAGE
    assert village.path == "/40/17329/17329-002/"
    assert village.is_current


def test_a_residential_group_can_be_added(world, commune_officer):
    group = village_create(
        actor=Actor.of_user(commune_officer),
        commune=world.anh_son,
        name="Tổ dân phố 5",
        kind=UnitKind.RESIDENTIAL_GROUP,
    )

    assert group.kind == UnitKind.RESIDENTIAL_GROUP
    assert group.tier == UnitTier.VILLAGE


def test_a_village_of_a_remote_commune_is_remote_too(world, system_actor):
    unit_set_remote(actor=system_actor, unit=world.muong_xen, is_remote=True)

    village = village_create(actor=system_actor, commune=world.muong_xen, name="Bản Pa Khốm")

    assert village.is_remote is True


def test_a_village_may_differ_from_its_commune_on_remoteness(world, system_actor):
    village = village_create(
        actor=system_actor, commune=world.anh_son, name="Bản Khe Ló", is_remote=True
    )

    assert village.is_remote is True
    assert world.anh_son.is_remote is False


def test_adding_a_village_writes_an_audit_row(world, commune_officer):
    village = village_create(
        actor=Actor.of_user(commune_officer), commune=world.anh_son, name="Xóm 2"
    )

    entry = AuditEntry.objects.get(action="unit.create", object_id=str(village.pk))
    assert entry.actor == commune_officer
    assert entry.unit == village
    assert entry.changes == {"name": "Xóm 2", "kind": UnitKind.VILLAGE}


@pytest.mark.parametrize("name", ["Xóm 1", "xóm 1", "XÓM 1", " Xóm  1 "])
def test_a_duplicate_name_in_the_same_commune_is_refused(world, commune_officer, name):
    messages = refused(
        lambda: village_create(
            actor=Actor.of_user(commune_officer), commune=world.anh_son, name=name
        )
    )

    assert messages == [
        f"Xã Anh Sơn already has a village or residential group named “{name.strip().replace('  ', ' ')}”."
    ]
    assert world.anh_son.children.count() == 1


@pytest.mark.parametrize(
    ("first", "second"),
    [("Xóm Hòa Bình", "Xóm Hoà Bình"), ("Thôn Thủy Lợi", "Thôn Thuỷ Lợi"), ("Bản Hoà", "Bản Hòa")],
)
def test_names_differing_only_in_tone_mark_placement_are_duplicates(
    world, system_actor, first, second
):
    village_create(actor=system_actor, commune=world.anh_son, name=first)

    messages = refused(
        lambda: village_create(actor=system_actor, commune=world.anh_son, name=second)
    )

    assert "already has a village or residential group" in messages[0]


def test_names_differing_in_a_real_diacritic_are_different_villages(world, system_actor):
    village_create(actor=system_actor, commune=world.anh_son, name="Xóm Văn Lăng")

    other = village_create(actor=system_actor, commune=world.anh_son, name="Xóm Văn Lang")

    assert other.code == "17329-003"


def test_the_same_name_may_be_used_in_another_commune(world, system_actor):
    village = village_create(actor=system_actor, commune=world.muong_xen, name="Xóm 1")

    assert village.code == "16813-002"


def test_an_empty_name_is_refused(world, system_actor):
    assert refused(
        lambda: village_create(actor=system_actor, commune=world.anh_son, name="  ")
    ) == ["The name is empty."]


@pytest.mark.parametrize("where", ["nghe_an", "anh_son_village"])
def test_a_village_can_only_be_added_under_a_commune(world, system_actor, where):
    unit = getattr(world, where)

    messages = refused(lambda: village_create(actor=system_actor, commune=unit, name="Xóm 9"))

    assert messages == [f"{unit.name} is not a commune or ward."]


def test_a_village_cannot_be_added_to_a_merged_commune(merged_commune, system_actor):
    old, _body = merged_commune

    messages = refused(lambda: village_create(actor=system_actor, commune=old, name="Xóm 9"))

    assert messages == ["Xã Thạch Sơn no longer exists (it was merged)."]


def test_a_kind_that_is_not_a_village_is_refused(world, system_actor):
    messages = refused(
        lambda: village_create(
            actor=system_actor, commune=world.anh_son, name="Xóm 9", kind=UnitKind.COMMUNE
        )
    )

    assert messages == ["The kind must be village or residential group."]


def test_an_officer_of_another_commune_may_not_add_villages(world, commune_officer):
    with pytest.raises(PermissionDenied):
        village_create(actor=Actor.of_user(commune_officer), commune=world.muong_xen, name="Xóm 9")
    assert world.muong_xen.children.count() == 1


@pytest.mark.parametrize("who", ["observer", "leader", "village_member", "nobody"])
def test_roles_without_unit_management_may_not_add_villages(world, request, who):
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        village_create(actor=Actor.of_user(user), commune=world.anh_son, name="Xóm 9")


def test_provincial_staff_may_add_villages_anywhere_in_the_province(world, provincial_staff):
    village = village_create(
        actor=Actor.of_user(provincial_staff), commune=world.muong_xen, name="Bản Huồi Lê"
    )

    assert village.parent == world.muong_xen


# --- Remote areas -----------------------------------------------------------------------------


def test_the_level_above_marks_a_commune_as_remote(world, provincial_staff):
    unit_set_remote(actor=Actor.of_user(provincial_staff), unit=world.muong_xen, is_remote=True)

    world.muong_xen.refresh_from_db()
    assert world.muong_xen.is_remote is True
    entry = AuditEntry.objects.get(action="unit.set_remote")
    assert entry.changes == {"is_remote": [False, True]}
    assert entry.actor == provincial_staff


def test_a_commune_officer_may_not_mark_the_own_commune_as_remote(world, commune_officer):
    with pytest.raises(PermissionDenied):
        unit_set_remote(actor=Actor.of_user(commune_officer), unit=world.anh_son, is_remote=True)


def test_a_commune_officer_may_mark_a_village_of_the_commune_as_remote(world, commune_officer):
    unit_set_remote(
        actor=Actor.of_user(commune_officer), unit=world.anh_son_village, is_remote=True
    )

    world.anh_son_village.refresh_from_db()
    assert world.anh_son_village.is_remote is True


def test_setting_the_same_remote_flag_again_records_nothing(world, system_actor):
    unit_set_remote(actor=system_actor, unit=world.muong_xen, is_remote=True)
    unit_set_remote(actor=system_actor, unit=world.muong_xen, is_remote=True)

    assert AuditEntry.objects.filter(action="unit.set_remote").count() == 1


# --- History: mergers -------------------------------------------------------------------------


def test_a_merger_ends_the_old_unit_the_day_before_and_links_it_to_its_successor(
    merged_commune, world
):
    old, _body = merged_commune

    assert old.valid_to == datetime.date(2025, 6, 30)
    assert not old.is_current
    assert list(world.anh_son.predecessors.all()) == [old]
    assert list(old.successors.all()) == [world.anh_son]
    assert AuditEntry.objects.filter(action="unit.succession", unit=world.anh_son).count() == 1


def test_recording_the_same_merger_twice_adds_no_second_link(merged_commune, world, system_actor):
    old, _body = merged_commune

    unit_record_succession(
        actor=system_actor,
        predecessors=[old],
        successor=world.anh_son,
        effective_date=datetime.date(2025, 7, 1),
    )

    assert UnitSuccession.objects.filter(predecessor=old).count() == 1
    assert AuditEntry.objects.filter(action="unit.succession").count() == 1


def test_a_unit_cannot_succeed_itself(world, system_actor):
    with pytest.raises(ValidationError):
        unit_record_succession(
            actor=system_actor,
            predecessors=[world.anh_son],
            successor=world.anh_son,
            effective_date=datetime.date(2025, 7, 1),
        )


def test_a_historic_district_can_be_registered_once(world, system_actor):
    first = unit_create_historic(
        actor=system_actor,
        code="424",
        name="Huyện Anh Sơn",
        kind=UnitKind.DISTRICT,
        parent=world.nghe_an,
        valid_to=datetime.date(2025, 6, 30),
    )
    again = unit_create_historic(
        actor=system_actor,
        code="424",
        name="Huyện Anh Sơn",
        kind=UnitKind.DISTRICT,
        parent=world.nghe_an,
    )

    assert again == first
    assert first.path == "/40/424/"
    assert first.tier == UnitTier.DISTRICT
    assert AuditEntry.objects.filter(action="unit.create_historic").count() == 1


def test_a_province_cannot_be_registered_as_historic(system_actor, world):
    with pytest.raises(ValidationError):
        unit_create_historic(
            actor=system_actor, code="99", name="Tỉnh cũ", kind=UnitKind.PROVINCE, parent=None
        )
    assert not AdministrativeUnit.objects.filter(code="99").exists()
