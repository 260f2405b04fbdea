from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from danvan.audit.models import AuditEntry
from danvan.organizations.models import Body, BodyKind, Membership
from danvan.organizations.services import body_create

# Every test here uses the database, some through fixtures looked up by name.
pytestmark = pytest.mark.django_db

ALL_USERS = (
    "system_admin",
    "provincial_staff",
    "commune_officer",
    "village_member",
    "leader",
    "observer",
    "nobody",
)
NGHE_AN_BODIES = {
    "Ban Tuyên giáo và Dân vận Tỉnh ủy Nghệ An",
    "Đảng ủy xã Anh Sơn",
    "Đảng ủy xã Mường Xén",
    "Tổ dân vận Xóm 1",
}
VISIBLE_BODIES = {
    "system_admin": NGHE_AN_BODIES
    | {"Ban Tuyên giáo và Dân vận Thành ủy Hà Nội", "Ủy ban nhân dân phường Hoàn Kiếm"},
    "provincial_staff": NGHE_AN_BODIES,
    "commune_officer": {"Đảng ủy xã Anh Sơn", "Tổ dân vận Xóm 1"},
    "village_member": {"Tổ dân vận Xóm 1"},
    "leader": NGHE_AN_BODIES,
    "observer": NGHE_AN_BODIES,
    "nobody": set(),
}


@pytest.fixture
def as_user(request, login):
    def client_for(who: str):
        return login(request.getfixturevalue(who))

    return client_for


def member_url(user) -> str:
    return reverse("organizations:member", args=[Membership.objects.get(user=user).pk])


@pytest.mark.parametrize("who", ALL_USERS)
def test_the_body_list_shows_the_bodies_of_the_scope_only(who, as_user):
    response = as_user(who).get(reverse("organizations:list"))

    assert response.status_code == 200
    assert {b.name for b in response.context["page"]} == VISIBLE_BODIES[who]


@pytest.mark.parametrize("who", ALL_USERS)
def test_a_body_page_is_shown_inside_the_scope_and_not_found_outside(who, as_user):
    client = as_user(who)

    statuses = {
        body.name: client.get(reverse("organizations:detail", args=[body.pk])).status_code
        for body in Body.objects.all()
    }

    assert {name for name, status in statuses.items() if status == 200} == VISIBLE_BODIES[who]
    assert all(
        status == 404 for name, status in statuses.items() if name not in VISIBLE_BODIES[who]
    )


def test_the_body_list_filters_by_kind(as_user):
    response = as_user("provincial_staff").get(
        reverse("organizations:list"), {"kind": BodyKind.PARTY_COMMITTEE}
    )

    assert {b.name for b in response.context["page"]} == {
        "Đảng ủy xã Anh Sơn",
        "Đảng ủy xã Mường Xén",
    }


def test_an_unknown_kind_in_the_filter_is_ignored(as_user):
    response = as_user("commune_officer").get(reverse("organizations:list"), {"kind": "club"})

    assert len(response.context["page"]) == 2


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Muong Xen", {"Đảng ủy xã Mường Xén"}),  # the unit's name, without diacritics
        ("Tổ dân vận", {"Tổ dân vận Xóm 1"}),  # part of the body's name
    ],
)
def test_the_body_list_searches_by_unit_or_name(as_user, query, expected):
    response = as_user("provincial_staff").get(reverse("organizations:list"), {"q": query})

    assert {b.name for b in response.context["page"]} == expected


def test_the_body_list_runs_the_same_queries_however_many_bodies(
    as_user, world, system_actor, django_assert_max_num_queries
):
    client = as_user("provincial_staff")
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("organizations:list"))
    for n in range(30):
        body_create(
            actor=system_actor,
            unit=world.muong_xen if n % 2 else world.anh_son,
            kind=BodyKind.PEOPLES_COMMITTEE_DEPARTMENT,
            name=f"Phòng {n}",
        )

    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("organizations:list"))

    assert len(response.context["page"]) == 34


def test_the_body_list_is_paginated(as_user, world, system_actor):
    for n in range(55):
        body_create(
            actor=system_actor,
            unit=world.anh_son,
            kind=BodyKind.PEOPLES_COMMITTEE_DEPARTMENT,
            name=f"Phòng {n:02d}",
        )
    client = as_user("commune_officer")

    first = client.get(reverse("organizations:list"))
    second = client.get(reverse("organizations:list"), {"page": 2})

    assert len(first.context["page"]) == 50
    assert len(second.context["page"]) == 57 - 50
    assert "page=2" in first.content.decode()


def test_the_body_page_lists_members_and_bodies_under_it(as_user, commune_officer, village_member):
    response = as_user("commune_officer").get(
        reverse("organizations:detail", args=[Membership.objects.get(user=commune_officer).body.pk])
    )

    assert [m.user for m in response.context["members"]] == [commune_officer]
    assert [c.name for c in response.context["children"]] == ["Tổ dân vận Xóm 1"]


def test_the_body_page_runs_the_same_queries_however_many_members(
    as_user, world, system_actor, django_user_model, django_assert_max_num_queries
):
    from danvan.lib.roles import Role
    from danvan.organizations.services import membership_add

    client = as_user("provincial_staff")
    url = reverse("organizations:detail", args=[world.muong_xen_body.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(10):
        user = django_user_model.objects.create_user(username=f"canbo{n}", password=None)
        membership_add(
            actor=system_actor, user=user, body=world.muong_xen_body, role=Role.COMMUNE_OFFICER
        )

    with django_assert_max_num_queries(len(few)):
        response = client.get(url)

    assert len(response.context["members"]) == 10


# --- An officer's card: personal data -----------------------------------------------------------


def test_viewing_an_officers_contact_details_writes_a_sensitive_view_row(
    as_user, leader, commune_officer
):
    response = as_user("leader").get(member_url(commune_officer))

    assert response.status_code == 200
    assert response.context["show_contact"] is True
    assert "0912345678" in response.content.decode()
    entry = AuditEntry.objects.get(action="sensitive.view")
    assert entry.is_sensitive_view is True
    assert entry.actor == leader
    assert entry.object_type == "accounts.user"
    assert entry.object_id == str(commune_officer.pk)
    assert entry.changes == {"fields": ["email", "phone"]}
    assert entry.unit is not None
    assert entry.unit.code == "17329"
    assert entry.ip_address == "127.0.0.1"


def test_each_view_of_contact_details_is_recorded(as_user, commune_officer):
    client = as_user("provincial_staff")

    client.get(member_url(commune_officer))
    client.get(member_url(commune_officer))

    assert AuditEntry.objects.filter(action="sensitive.view").count() == 2


def test_an_observer_sees_the_card_without_contact_details_and_nothing_is_recorded(
    as_user, commune_officer
):
    response = as_user("observer").get(member_url(commune_officer))

    assert response.status_code == 200
    assert response.context["show_contact"] is False
    assert "0912345678" not in response.content.decode()
    assert not AuditEntry.objects.filter(action="sensitive.view").exists()


def test_an_officer_viewing_the_own_card_is_not_recorded(as_user, commune_officer):
    response = as_user("commune_officer").get(member_url(commune_officer))

    assert response.context["show_contact"] is True
    assert not AuditEntry.objects.filter(action="sensitive.view").exists()


@pytest.mark.parametrize("who", ["commune_officer", "village_member", "nobody"])
def test_an_officers_card_outside_the_scope_is_not_found(who, as_user, provincial_staff):
    response = as_user(who).get(member_url(provincial_staff))

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="sensitive.view").exists()


def test_the_body_page_shows_the_member_form_once_below_the_members(as_user, world):
    """The form to add a member is in the page's content only: not in its title (the browser
    tab) nor in the breadcrumbs."""
    page = (
        as_user("system_admin")
        .get(reverse("organizations:detail", args=[world.muong_xen_body.pk]))
        .content.decode()
    )
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]

    assert page.count('id="add-member"') == 1
    assert "<form" not in title and "add-member" not in title
    assert page.index('id="add-member"') > page.index("<h1>")
