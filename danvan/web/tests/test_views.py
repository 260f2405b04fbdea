from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from danvan.lib.roles import Role

# Every test here uses the database, some through fixtures looked up by name.
pytestmark = pytest.mark.django_db

ROLE_USERS = (
    "system_admin",
    "provincial_staff",
    "commune_officer",
    "village_member",
    "leader",
    "observer",
)
HOME = reverse("web:home")


@pytest.fixture
def as_user(request, login):
    def client_for(who: str):
        return login(request.getfixturevalue(who))

    return client_for


def test_anonymous_visitors_are_sent_to_the_login_page(client, db):
    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next=/"


def test_the_login_page_is_in_vietnamese_by_default(client, db):
    response = client.get(reverse("accounts:login"))

    assert response.status_code == 200
    assert '<html lang="vi">' in response.content.decode()


@pytest.mark.parametrize("who", ROLE_USERS)
def test_every_role_sees_the_home_page_in_vietnamese_with_its_name(who, request, as_user):
    user = request.getfixturevalue(who)

    response = as_user(who).get(HOME)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert user.full_name in html
    assert response.context["scope"].is_empty is False
    role = Role(who).label
    assert str(role) in response.context["role_labels"]


def test_the_commune_officer_sees_the_counts_of_the_commune(as_user):
    response = as_user("commune_officer").get(HOME)

    assert response.context["stats"] == {"communes": 1, "villages": 1, "bodies": 2}
    assert response.context["can_act"] is True


def test_the_provincial_staff_sees_the_counts_of_the_province(as_user):
    from danvan.units.models import AdministrativeUnit

    response = as_user("provincial_staff").get(HOME)

    communes = AdministrativeUnit.objects.filter(parent__code="40").count()
    assert response.context["stats"] == {"communes": communes, "villages": 2, "bodies": 4}


def test_the_observer_is_told_the_role_is_read_only(as_user):
    response = as_user("observer").get(HOME)

    assert response.context["can_act"] is False


def test_nobody_sees_the_no_unit_yet_card_and_no_counts(as_user):
    response = as_user("nobody").get(HOME)

    assert response.status_code == 200
    assert response.context["scope"].is_empty is True
    html = response.content.decode()
    assert 'class="card" role="status"' in html
    assert 'class="stat"' not in html
    assert "Võ Văn Chưa" in html


def test_nobody_has_no_menu_entries_but_home(as_user):
    html = as_user("nobody").get(HOME).content.decode()

    assert reverse("units:list") not in html
    assert reverse("organizations:list") not in html
    assert reverse("audit:list") not in html


@pytest.mark.parametrize(
    ("who", "audit", "admin"),
    [
        ("system_admin", True, True),
        ("leader", True, False),
        ("provincial_staff", False, False),
        ("observer", False, False),
    ],
)
def test_the_menu_shows_what_the_role_may_open(who, audit, admin, as_user):
    response = as_user(who).get(HOME)

    assert response.context["nav"]["units"] is True
    assert response.context["nav"]["audit"] is audit
    assert response.context["nav"]["admin"] is admin
    assert ('href="/audit/"' in response.content.decode()) is audit


def test_a_system_administrator_without_two_factor_is_sent_to_set_it_up(system_admin):
    client = Client()
    client.force_login(system_admin)

    response = client.get(HOME)

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp_setup")


def test_two_factor_is_not_forced_when_no_role_requires_it(system_admin, settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = []
    client = Client()
    client.force_login(system_admin)

    assert client.get(HOME).status_code == 200


def test_the_health_check_answers_without_login(client, db):
    response = client.get(reverse("web:health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_the_health_check_only_answers_get(client, db):
    assert client.post(reverse("web:health")).status_code == 405


def test_an_unknown_page_shows_the_not_found_page_in_vietnamese(as_user):
    response = as_user("commune_officer").get("/khong-co-trang-nay/")

    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert 'role="alert"' in html


def test_a_forbidden_action_shows_the_reason(as_user):
    response = as_user("observer").post(
        reverse("units:village_add", args=["17329"]), {"name": "Xóm 2", "kind": "village"}
    )

    assert response.status_code == 403
    assert "Xã Anh Sơn" in response.content.decode()


def test_the_language_can_be_switched_to_english(as_user):
    client = as_user("commune_officer")

    response = client.post(reverse("set_language"), {"language": "en", "next": HOME}, follow=True)

    assert '<html lang="en">' in response.content.decode()
    assert "Hello, Lê Văn Bình" in response.content.decode()


def test_an_undefined_template_variable_fails_the_test():
    from django.template import engines

    engine = engines["django"]

    with pytest.raises(
        AssertionError, match=re.escape("Undefined template variable: officer.phone")
    ):
        engine.from_string("{{ officer.phone }}").render({})
    # Conditions may test for what is not there.
    assert engine.from_string("{% if officer.phone %}x{% else %}-{% endif %}").render({}) == "-"
