"""Who sees what: ``visible_to`` for every role, on units, bodies and audit entries."""

from __future__ import annotations

import pytest

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.audit.services import audit_record
from danvan.lib.roles import Capability, Role
from danvan.lib.scoping import can, scope_for
from danvan.organizations.models import Body, Membership
from danvan.organizations.services import membership_add, membership_end
from danvan.units.models import AdministrativeUnit

# Every test here uses the database, some through fixtures looked up by name.
pytestmark = pytest.mark.django_db

ALL_USER_FIXTURES = (
    "system_admin",
    "provincial_staff",
    "commune_officer",
    "village_member",
    "leader",
    "observer",
    "nobody",
)

WORLD_UNITS = {"40", "17329", "16813", "17329-001", "16813-001", "01", "00070"}
NGHE_AN = {"40", "17329", "16813", "17329-001", "16813-001"}

VISIBLE_UNITS = {
    "system_admin": WORLD_UNITS,
    "provincial_staff": NGHE_AN,
    "commune_officer": {"17329", "17329-001"},
    "village_member": {"17329-001"},
    "leader": NGHE_AN,
    "observer": NGHE_AN,
    "nobody": set(),
}

ALL_BODIES = {
    "Ban Tuyên giáo và Dân vận Tỉnh ủy Nghệ An",
    "Đảng ủy xã Anh Sơn",
    "Đảng ủy xã Mường Xén",
    "Tổ dân vận Xóm 1",
    "Ban Tuyên giáo và Dân vận Thành ủy Hà Nội",
    "Ủy ban nhân dân phường Hoàn Kiếm",
}
NGHE_AN_BODIES = {
    "Ban Tuyên giáo và Dân vận Tỉnh ủy Nghệ An",
    "Đảng ủy xã Anh Sơn",
    "Đảng ủy xã Mường Xén",
    "Tổ dân vận Xóm 1",
}

VISIBLE_BODIES = {
    "system_admin": ALL_BODIES,
    "provincial_staff": NGHE_AN_BODIES,
    "commune_officer": {"Đảng ủy xã Anh Sơn", "Tổ dân vận Xóm 1"},
    "village_member": {"Tổ dân vận Xóm 1"},
    "leader": NGHE_AN_BODIES,
    "observer": NGHE_AN_BODIES,
    "nobody": set(),
}


@pytest.mark.parametrize("who", ALL_USER_FIXTURES)
def test_each_role_sees_exactly_the_units_of_its_scope(who, request):
    user = request.getfixturevalue(who)

    visible = set(
        AdministrativeUnit.objects.visible_to(user)
        .filter(code__in=WORLD_UNITS)
        .values_list("code", flat=True)
    )

    assert visible == VISIBLE_UNITS[who]


@pytest.mark.parametrize("who", ALL_USER_FIXTURES)
def test_each_role_sees_exactly_the_bodies_of_its_scope(who, request):
    user = request.getfixturevalue(who)

    visible = set(Body.objects.visible_to(user).values_list("name", flat=True))

    assert visible == VISIBLE_BODIES[who]


@pytest.mark.parametrize("who", ALL_USER_FIXTURES)
def test_each_role_sees_the_memberships_of_the_bodies_it_sees(who, request):
    user = request.getfixturevalue(who)

    bodies = set(
        Membership.objects.visible_to(user).values_list("body__name", flat=True).distinct()
    )

    assert bodies <= VISIBLE_BODIES[who]


def test_the_system_administrator_sees_every_unit_in_the_country(system_admin):
    assert AdministrativeUnit.objects.visible_to(system_admin).count() == (
        AdministrativeUnit.objects.count()
    )


def test_the_system_administrator_role_is_global_without_being_superuser(world, django_user_model):
    user = django_user_model.objects.create_user(username="quantri2", password=None)
    membership_add(
        actor=Actor.system("test"), user=user, body=world.anh_son_body, role=Role.SYSTEM_ADMIN
    )

    assert scope_for(user, Capability.VIEW).is_global
    assert AdministrativeUnit.objects.visible_to(user).filter(code="00070").exists()


def test_nobody_sees_nothing_at_all(nobody):
    assert scope_for(nobody, Capability.VIEW).is_empty
    assert not AdministrativeUnit.objects.visible_to(nobody).exists()
    assert not Body.objects.visible_to(nobody).exists()
    assert not Membership.objects.visible_to(nobody).exists()
    assert not AuditEntry.objects.visible_to(nobody).exists()
    assert not can(nobody, Capability.VIEW)


def test_an_anonymous_visitor_sees_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not AdministrativeUnit.objects.visible_to(AnonymousUser()).exists()
    assert not AdministrativeUnit.objects.visible_to(None).exists()


def test_the_observer_may_view_but_not_act(observer, world):
    assert can(observer, Capability.VIEW, world.anh_son)
    assert not can(observer, Capability.ACT, world.anh_son)
    assert not AdministrativeUnit.objects.visible_to(observer, Capability.ACT).exists()
    assert not Body.objects.visible_to(observer, Capability.ACT).exists()


@pytest.mark.parametrize(
    "who", ["provincial_staff", "commune_officer", "village_member", "leader", "system_admin"]
)
def test_every_other_role_may_act_where_it_may_view(who, request, world):
    user = request.getfixturevalue(who)

    assert (
        set(
            AdministrativeUnit.objects.visible_to(user, Capability.ACT)
            .filter(code__in=WORLD_UNITS)
            .values_list("code", flat=True)
        )
        == VISIBLE_UNITS[who]
    )


def test_the_commune_officer_may_manage_units_of_the_own_commune_only(commune_officer, world):
    assert can(commune_officer, Capability.MANAGE_UNITS, world.anh_son)
    assert not can(commune_officer, Capability.MANAGE_UNITS, world.muong_xen)
    assert not can(commune_officer, Capability.MANAGE_BODIES, world.anh_son)


def test_records_of_a_commune_merged_into_anh_son_are_visible_to_its_officer(
    commune_officer, merged_commune
):
    old, old_body = merged_commune

    assert AdministrativeUnit.objects.visible_to(commune_officer).filter(pk=old.pk).exists()
    assert Body.objects.visible_to(commune_officer).filter(pk=old_body.pk).exists()
    assert (
        AuditEntry.objects.visible_to(commune_officer)
        .filter(action="body.create", object_id=str(old_body.pk))
        .exists()
    )


def test_records_of_a_merged_commune_stay_hidden_from_other_communes(
    world, merged_commune, django_user_model
):
    old, old_body = merged_commune
    other = django_user_model.objects.create_user(username="muongxen", password=None)
    membership_add(
        actor=Actor.system("test"), user=other, body=world.muong_xen_body, role=Role.COMMUNE_OFFICER
    )

    assert not AdministrativeUnit.objects.visible_to(other).filter(pk=old.pk).exists()
    assert not Body.objects.visible_to(other).filter(pk=old_body.pk).exists()


def test_an_officer_whose_membership_ended_sees_nothing(commune_officer):
    membership = Membership.objects.get(user=commune_officer)
    assert AdministrativeUnit.objects.visible_to(commune_officer).exists()

    membership_end(actor=Actor.system("test"), membership=membership)

    assert not AdministrativeUnit.objects.visible_to(membership.user).exists()


def test_audit_entries_of_units_in_scope_are_visible_with_the_view_capability(commune_officer):
    visible = AuditEntry.objects.visible_to(commune_officer)

    assert visible.exists()
    assert all(e.unit.path.startswith("/40/17329/") for e in visible.select_related("unit"))
    assert not visible.filter(unit__isnull=True).exists()


@pytest.mark.parametrize("who", ALL_USER_FIXTURES)
def test_only_leaders_and_administrators_see_audit_entries_with_the_audit_capability(who, request):
    user = request.getfixturevalue(who)
    audit_record(actor=Actor.system("test"), action="test.global")  # an entry of no unit
    entries = AuditEntry.objects.visible_to(user, Capability.VIEW_AUDIT).select_related("unit")

    if who == "system_admin":
        assert entries.count() == AuditEntry.objects.count()
        assert entries.filter(unit__isnull=True).exists()
        assert entries.filter(unit__code="00070").exists()
    elif who == "leader":
        assert entries.exists()
        assert {e.unit.path.split("/")[1] for e in entries} == {"40"}
    else:
        assert not entries.exists()
