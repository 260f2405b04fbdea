from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.lib.roles import Role
from danvan.lib.testing import refused
from danvan.organizations.models import (
    Body,
    BodyKind,
    MemberOrganization,
    Membership,
    PoliticalSystem,
)
from danvan.organizations.services import body_create, membership_add, membership_end

# Every test here uses the database, some through fixtures looked up by name.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


# --- Bodies -------------------------------------------------------------------------------------


def test_provincial_staff_creates_a_body_at_a_commune(world, provincial_staff):
    body = body_create(
        actor=Actor.of_user(provincial_staff),
        unit=world.muong_xen,
        kind=BodyKind.FRONT_COMMITTEE,
        name="  Ủy ban MTTQ   xã Mường Xén ",
        short_name=" MTTQ ",
    )

    assert body.name == "Ủy ban MTTQ xã Mường Xén"
    assert body.short_name == "MTTQ"
    assert body.political_system == PoliticalSystem.FRONT
    entry = AuditEntry.objects.get(action="body.create", object_id=str(body.pk))
    assert entry.actor == provincial_staff
    assert entry.unit == world.muong_xen


def test_a_mass_mobilization_group_cannot_sit_at_a_commune(world, system_actor):
    messages = refused(
        lambda: body_create(
            actor=system_actor,
            unit=world.anh_son,
            kind=BodyKind.MASS_MOBILIZATION_GROUP,
            name="Tổ dân vận xã",
        )
    )

    assert messages == ["A Mass mobilization group cannot sit at the level of Xã Anh Sơn."]
    assert not Body.objects.filter(name="Tổ dân vận xã").exists()


@pytest.mark.parametrize(
    ("kind", "where"),
    [
        (BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION, "anh_son"),
        (BodyKind.MASS_MOBILIZATION_BLOC, "nghe_an"),
        (BodyKind.PARTY_COMMITTEE, "anh_son_village"),
        (BodyKind.FRONT_WORK_BOARD, "anh_son"),
    ],
)
def test_a_body_kind_is_refused_at_a_tier_where_it_does_not_exist(world, system_actor, kind, where):
    unit = getattr(world, where)

    messages = refused(
        lambda: body_create(actor=system_actor, unit=unit, kind=kind, name="Ban thử")
    )

    assert messages == [f"A {BodyKind(kind).label} cannot sit at the level of {unit.name}."]


def test_an_unknown_kind_is_refused(world, system_actor):
    assert refused(
        lambda: body_create(actor=system_actor, unit=world.anh_son, kind="club", name="Câu lạc bộ")
    ) == ["Unknown kind of body."]


def test_a_duplicate_body_name_in_the_same_unit_is_refused(world, system_actor):
    messages = refused(
        lambda: body_create(
            actor=system_actor,
            unit=world.anh_son,
            kind=BodyKind.PARTY_COMMITTEE,
            name="Đảng ủy xã Anh Sơn",
        )
    )

    assert messages == ["Xã Anh Sơn already has a body named “Đảng ủy xã Anh Sơn”."]
    assert Body.objects.filter(name="Đảng ủy xã Anh Sơn").count() == 1


def test_the_same_body_name_may_exist_in_another_unit(world, system_actor):
    body = body_create(
        actor=system_actor,
        unit=world.muong_xen,
        kind=BodyKind.PEOPLES_COMMITTEE,
        name="Ủy ban nhân dân xã",
    )
    other = body_create(
        actor=system_actor,
        unit=world.anh_son,
        kind=BodyKind.PEOPLES_COMMITTEE,
        name="Ủy ban nhân dân xã",
    )

    assert body.pk != other.pk


def test_a_front_member_organization_must_say_which_one_it_is(world, system_actor):
    messages = refused(
        lambda: body_create(
            actor=system_actor,
            unit=world.anh_son,
            kind=BodyKind.FRONT_MEMBER_ORGANIZATION,
            name="Hội Phụ nữ xã Anh Sơn",
        )
    )
    assert messages == ["Say which member organization this is."]

    body = body_create(
        actor=system_actor,
        unit=world.anh_son,
        kind=BodyKind.FRONT_MEMBER_ORGANIZATION,
        name="Hội Phụ nữ xã Anh Sơn",
        member_organization=MemberOrganization.WOMEN,
    )
    assert body.get_member_organization_display() == "Women's Union"


def test_the_superior_body_must_be_at_the_same_unit_or_above(world, system_actor):
    messages = refused(
        lambda: body_create(
            actor=system_actor,
            unit=world.anh_son,
            kind=BodyKind.MASS_MOBILIZATION_BLOC,
            name="Khối dân vận xã Anh Sơn",
            parent=world.muong_xen_body,
        )
    )

    assert messages == ["The superior body must be at the same unit or above."]


def test_no_body_can_be_created_at_a_merged_unit(merged_commune, system_actor):
    old, _body = merged_commune

    messages = refused(
        lambda: body_create(
            actor=system_actor, unit=old, kind=BodyKind.PEOPLES_COMMITTEE, name="UBND xã cũ"
        )
    )

    assert messages == ["Xã Thạch Sơn no longer exists (it was merged)."]


@pytest.mark.parametrize(
    "who", ["commune_officer", "leader", "observer", "village_member", "nobody"]
)
def test_roles_without_body_management_may_not_create_bodies(world, request, who):
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        body_create(
            actor=Actor.of_user(user),
            unit=world.anh_son,
            kind=BodyKind.PEOPLES_COMMITTEE,
            name="Ủy ban nhân dân xã Anh Sơn",
        )


def test_provincial_staff_may_not_create_bodies_in_another_province(world, provincial_staff):
    with pytest.raises(PermissionDenied):
        body_create(
            actor=Actor.of_user(provincial_staff),
            unit=world.hoan_kiem,
            kind=BodyKind.PARTY_COMMITTEE,
            name="Đảng ủy phường Hoàn Kiếm",
        )


# --- Memberships --------------------------------------------------------------------------------


def test_adding_a_member_gives_the_role_scope_at_once(world, provincial_staff, django_user_model):
    from danvan.units.models import AdministrativeUnit

    officer = django_user_model.objects.create_user(username="muongxen", password=None)
    assert not AdministrativeUnit.objects.visible_to(officer).exists()

    membership = membership_add(
        actor=Actor.of_user(provincial_staff),
        user=officer,
        body=world.muong_xen_body,
        role=Role.COMMUNE_OFFICER,
        position=" Chuyên viên ",
    )

    assert membership.position == "Chuyên viên"
    assert AdministrativeUnit.objects.visible_to(officer).filter(code="16813").exists()
    entry = AuditEntry.objects.get(action="membership.add", object_id=str(membership.pk))
    assert entry.changes == {"user": "muongxen", "role": Role.COMMUNE_OFFICER}


def test_a_duplicate_membership_is_refused(world, commune_officer, system_actor):
    messages = refused(
        lambda: membership_add(
            actor=system_actor,
            user=commune_officer,
            body=world.anh_son_body,
            role=Role.OBSERVER,
        )
    )

    assert messages == ["This officer is already a member of this body."]
    assert Membership.objects.filter(user=commune_officer).count() == 1


def test_an_unknown_role_is_refused(world, nobody, system_actor):
    assert refused(
        lambda: membership_add(
            actor=system_actor, user=nobody, body=world.anh_son_body, role="king"
        )
    ) == ["Unknown role."]


def test_only_a_system_administrator_may_appoint_another(world, provincial_staff, nobody):
    with pytest.raises(PermissionDenied):
        membership_add(
            actor=Actor.of_user(provincial_staff),
            user=nobody,
            body=world.province_body,
            role=Role.SYSTEM_ADMIN,
        )


def test_a_commune_officer_may_not_add_members(world, commune_officer, nobody):
    with pytest.raises(PermissionDenied):
        membership_add(
            actor=Actor.of_user(commune_officer),
            user=nobody,
            body=world.anh_son_body,
            role=Role.VILLAGE_MEMBER,
        )


def test_ending_a_membership_is_recorded_once(commune_officer, system_actor):
    membership = Membership.objects.get(user=commune_officer)

    membership_end(actor=system_actor, membership=membership)
    membership_end(actor=system_actor, membership=membership)

    membership.refresh_from_db()
    assert membership.is_active is False
    assert AuditEntry.objects.filter(action="membership.end").count() == 1
