from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from danvan.audit.models import AuditEntry
from danvan.organizations.models import BodyKind
from danvan.organizations.services import body_create
from danvan.units.models import AdministrativeUnit
from danvan.units.services import village_create
from danvan.units.tests.files import EXE_BYTES, HEADER, csv_bytes, xlsx_bytes

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
WORLD_UNITS = ["40", "17329", "16813", "17329-001", "16813-001", "01", "00070"]
NGHE_AN = {"40", "17329", "16813", "17329-001", "16813-001"}
VISIBLE_UNITS = {
    "system_admin": set(WORLD_UNITS),
    "provincial_staff": NGHE_AN,
    "commune_officer": {"17329", "17329-001"},
    "village_member": {"17329-001"},
    "leader": NGHE_AN,
    "observer": NGHE_AN,
    "nobody": set(),
}


#: Where each role's scope starts; None for the user who must see nothing.
SCOPE_PREFIX = {
    "system_admin": "/",
    "provincial_staff": "/40/",
    "commune_officer": "/40/17329/",
    "village_member": "/40/17329/17329-001/",
    "leader": "/40/",
    "observer": "/40/",
    "nobody": None,
}


def assert_inside_scope(who: str, paths: list[str]) -> None:
    prefix = SCOPE_PREFIX[who]
    if prefix is None:
        assert paths == []
    else:
        outside = [p for p in paths if not p.startswith(prefix)]
        assert outside == []


def detail(code: str) -> str:
    return reverse("units:detail", args=[code])


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


@pytest.fixture
def as_user(request, login):
    """``as_user("commune_officer")``: a logged-in client for a role fixture."""

    def client_for(who: str):
        return login(request.getfixturevalue(who))

    return client_for


# --- Access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["units:list", "units:search"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url_name, db):
    response = client.get(reverse(url_name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ALL_USERS)
def test_a_unit_page_is_shown_inside_the_scope_and_not_found_outside(who, as_user):
    client = as_user(who)

    statuses = {code: client.get(detail(code)).status_code for code in WORLD_UNITS}

    assert {code for code, status in statuses.items() if status == 200} == VISIBLE_UNITS[who]
    assert {code for code, status in statuses.items() if status == 404} == (
        set(WORLD_UNITS) - VISIBLE_UNITS[who]
    )


def test_a_unit_that_does_not_exist_is_not_found(as_user):
    assert as_user("system_admin").get(detail("99999")).status_code == 404


def test_a_commune_officer_can_open_a_commune_merged_into_the_own_commune(as_user, merged_commune):
    old, _body = merged_commune

    response = as_user("commune_officer").get(detail(old.code))

    assert response.status_code == 200
    assert list(response.context["successors"]) == [AdministrativeUnit.objects.get(code="17329")]


@pytest.mark.parametrize("who", ALL_USERS)
def test_the_unit_list_shows_the_top_units_of_the_scope(who, as_user):
    response = as_user(who).get(reverse("units:list"))

    assert response.status_code == 200
    roots = [u.code for u in response.context["roots"]]
    expected = {
        "system_admin": 34,
        "provincial_staff": ["40"],
        "commune_officer": ["17329"],
        "village_member": ["17329-001"],
        "leader": ["40"],
        "observer": ["40"],
        "nobody": [],
    }[who]
    if isinstance(expected, int):
        assert len(roots) == expected
    else:
        assert roots == expected


@pytest.mark.parametrize("who", ALL_USERS)
def test_the_unit_list_search_stays_inside_the_scope(who, as_user):
    response = as_user(who).get(reverse("units:list"), {"q": "a"})

    paths = [u.path for u in response.context["results"]]
    assert_inside_scope(who, paths)


# --- Search suggestions ---------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["Nghe An", "nghệ an", "NGHE AN"])
def test_the_search_json_finds_nghe_an_without_diacritics(as_user, query):
    response = as_user("provincial_staff").get(
        reverse("units:search"), {"q": query, "format": "json"}
    )

    assert response.status_code == 200
    assert response.json()["results"][0] == {
        "code": "40",
        "name": "Nghệ An",
        "tier": "province",
        "parent": None,
    }


def test_the_search_json_names_the_parent_unit(as_user):
    response = as_user("commune_officer").get(
        reverse("units:search"), {"q": "Anh Son", "format": "json"}
    )

    assert response.json()["results"] == [
        {"code": "17329", "name": "Xã Anh Sơn", "tier": "commune", "parent": "Nghệ An"}
    ]


@pytest.mark.parametrize("who", ALL_USERS)
def test_the_search_json_never_returns_a_unit_outside_the_scope(who, as_user):
    client = as_user(who)
    codes: set[str] = set()
    for query in [
        "Nghe An",
        "Anh Son",
        "Muong Xen",
        "Hoan Kiem",
        "Ha Noi",
        "xom",
        "ban",
        "a",
        "0",
        "1",
    ]:
        response = client.get(reverse("units:search"), {"q": query, "format": "json"})
        codes |= {r["code"] for r in response.json()["results"]}

    paths = list(AdministrativeUnit.objects.filter(code__in=codes).values_list("path", flat=True))
    assert len(paths) == len(codes)
    assert_inside_scope(who, paths)
    if who != "nobody":
        assert codes  # the searches do find units in the scope


def test_the_search_can_be_limited_to_a_tier(as_user):
    response = as_user("provincial_staff").get(
        reverse("units:search"),
        {"q": "Anh Son", "tier": ["province", "nonsense"], "format": "json"},
    )

    assert response.json()["results"] == []


def test_the_search_fragment_lists_suggestions_for_the_picker(as_user):
    response = as_user("provincial_staff").get(reverse("units:search"), {"q": "Nghe An"})

    assert response.status_code == 200
    assert 'data-unit-code="40"' in response.content.decode()
    assert next(u.code for u in response.context["units"]) == "40"


def test_the_search_fragment_says_so_when_nothing_matches(as_user):
    response = as_user("commune_officer").get(reverse("units:search"), {"q": "Hoan Kiem"})

    assert response.status_code == 200
    assert "data-unit-code" not in response.content.decode()
    assert list(response.context["units"]) == []


# --- The unit page --------------------------------------------------------------------------------


def test_the_commune_page_lists_its_villages_and_bodies(as_user, world):
    response = as_user("commune_officer").get(detail("17329"))

    assert response.status_code == 200
    assert [c.code for c in response.context["children"]] == ["17329-001"]
    assert [b.name for b in response.context["bodies"]] == ["Đảng ủy xã Anh Sơn"]
    assert response.context["can_manage"] is True
    assert response.context["can_set_remote"] is False


def test_the_commune_page_offers_no_village_form_to_an_observer(as_user):
    response = as_user("observer").get(detail("17329"))

    assert response.context["can_manage"] is False
    assert response.context["village_form"] is None
    assert 'id="add-village"' not in response.content.decode()


def test_the_unit_page_filters_children_by_name_without_diacritics(as_user, world, system_actor):
    village_create(actor=system_actor, commune=world.anh_son, name="Bản Đồng Hưởng")

    response = as_user("commune_officer").get(detail("17329"), {"q": "dong huong"})

    assert [c.name for c in response.context["children"]] == ["Bản Đồng Hưởng"]


def test_the_province_page_hides_merged_communes_unless_asked(as_user, merged_commune):
    old, _body = merged_commune
    client = as_user("provincial_staff")

    current = client.get(detail("40"))
    with_old = client.get(detail("40"), {"old": "1"})

    assert old not in current.context["children"]
    assert old in with_old.context["children"]


def test_the_unit_page_runs_the_same_queries_however_many_villages(
    as_user, world, system_actor, django_assert_max_num_queries
):
    client = as_user("commune_officer")
    with CaptureQueriesContext(connection) as few:
        client.get(detail("17329"))
    for n in range(2, 22):
        village = village_create(actor=system_actor, commune=world.anh_son, name=f"Xóm {n}")
        body_create(
            actor=system_actor,
            unit=village,
            kind=BodyKind.MASS_MOBILIZATION_GROUP,
            name=f"Tổ dân vận Xóm {n}",
        )
    body_create(
        actor=system_actor, unit=world.anh_son, kind=BodyKind.PEOPLES_COMMITTEE, name="UBND xã"
    )

    with django_assert_max_num_queries(len(few)):
        response = client.get(detail("17329"))

    assert len(response.context["children"]) == 21
    assert len(response.context["bodies"]) == 2


def test_the_unit_list_runs_a_fixed_number_of_queries(as_user, django_assert_max_num_queries):
    client = as_user("system_admin")

    with django_assert_max_num_queries(8):
        response = client.get(reverse("units:list"), {"q": "xa"})

    assert len(response.context["results"]) == 50


# --- Adding a village -----------------------------------------------------------------------------


def test_a_commune_officer_adds_a_village_and_is_sent_back_to_the_commune(as_user):
    response = as_user("commune_officer").post(
        reverse("units:village_add", args=["17329"]), {"name": "Xóm 2", "kind": "village"}
    )

    assert response.status_code == 302
    assert response["Location"] == detail("17329")
    village = AdministrativeUnit.objects.get(parent__code="17329", name="Xóm 2")
    assert village.code == "17329-002"
    assert AuditEntry.objects.filter(action="unit.create", object_id=str(village.pk)).exists()


def test_a_duplicate_village_is_refused_with_the_reason_next_to_the_name(as_user):
    with translation.override("en"):
        response = as_user("commune_officer").post(
            reverse("units:village_add", args=["17329"]),
            {"name": "xóm 1", "kind": "village"},
            HTTP_ACCEPT_LANGUAGE="en",
        )

    assert response.status_code == 400
    errors = response.context["form"].errors["name"]
    assert len(errors) == 1
    assert "Xã Anh Sơn" in errors[0]
    assert "xóm 1" in errors[0]
    assert 'id="id_name_error"' in response.content.decode()
    assert AdministrativeUnit.objects.filter(parent__code="17329").count() == 1


def test_an_empty_village_name_is_refused(as_user):
    response = as_user("commune_officer").post(
        reverse("units:village_add", args=["17329"]), {"name": "", "kind": "village"}
    )

    assert response.status_code == 400
    assert "name" in response.context["form"].errors


def test_a_village_cannot_be_added_under_a_village(as_user):
    response = as_user("commune_officer").post(
        reverse("units:village_add", args=["17329-001"]), {"name": "Xóm con", "kind": "village"}
    )

    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert not AdministrativeUnit.objects.filter(name="Xóm con").exists()


@pytest.mark.parametrize("who", ["leader", "observer"])
def test_roles_that_see_the_commune_but_may_not_manage_it_are_forbidden(who, as_user):
    response = as_user(who).post(
        reverse("units:village_add", args=["17329"]), {"name": "Xóm 2", "kind": "village"}
    )

    assert response.status_code == 403
    assert not AdministrativeUnit.objects.filter(name="Xóm 2").exists()


@pytest.mark.parametrize("who", ["commune_officer", "village_member", "nobody"])
def test_adding_a_village_to_a_commune_outside_the_scope_is_not_found(who, as_user):
    response = as_user(who).post(
        reverse("units:village_add", args=["16813"]), {"name": "Bản Mới", "kind": "village"}
    )

    assert response.status_code == 404
    assert not AdministrativeUnit.objects.filter(name="Bản Mới").exists()


def test_adding_a_village_needs_a_post(as_user):
    assert (
        as_user("commune_officer").get(reverse("units:village_add", args=["17329"])).status_code
        == 405
    )


# --- Importing villages ---------------------------------------------------------------------------


def import_url(code: str = "17329") -> str:
    return reverse("units:village_import", args=[code])


def test_the_import_page_is_shown_to_the_commune_officer(as_user):
    response = as_user("commune_officer").get(import_url())

    assert response.status_code == 200
    assert response.context["report"] is None


@pytest.mark.parametrize(
    ("who", "status"),
    [("leader", 403), ("observer", 403), ("village_member", 404), ("nobody", 404)],
)
def test_the_import_page_is_closed_to_others(who, status, as_user):
    assert as_user(who).get(import_url()).status_code == status


def test_the_import_page_of_a_province_is_forbidden(as_user):
    assert as_user("provincial_staff").get(import_url("40")).status_code == 403


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("thon.xlsx", xlsx_bytes([HEADER, ["17329", "Xóm 2", "Thôn", ""], ["", "Xóm 3", "", ""]])),
        ("thon.csv", csv_bytes([HEADER, ["17329", "Xóm 2", "Thôn", ""], ["", "Xóm 3", "", ""]])),
    ],
)
def test_a_valid_file_is_imported_and_the_officer_sent_back_to_the_commune(as_user, name, data):
    response = as_user("commune_officer").post(import_url(), {"file": upload(name, data)})

    assert response.status_code == 302
    assert response["Location"] == detail("17329")
    assert set(
        AdministrativeUnit.objects.filter(parent__code="17329").values_list("name", flat=True)
    ) == {"Xóm 1", "Xóm 2", "Xóm 3"}
    assert AuditEntry.objects.filter(action="unit.import", unit__code="17329").count() == 1


def test_a_file_with_row_errors_is_reported_and_nothing_imported(as_user):
    data = csv_bytes(
        [HEADER, ["17329", "Xóm 2", "", ""], ["17329", "Xóm 1", "", ""], ["17329", "", "", ""]]
    )

    response = as_user("commune_officer").post(import_url(), {"file": upload("thon.csv", data)})

    assert response.status_code == 400
    report = response.context["report"]
    assert report.imported == 0
    assert [row.line for row in report.error_rows] == [3, 4]
    assert "row-error" in response.content.decode()
    assert not AdministrativeUnit.objects.filter(name="Xóm 2").exists()
    assert [m.level_tag for m in response.context["messages"]] == ["error"]


def test_only_the_valid_rows_are_imported_when_the_officer_asks(as_user):
    data = csv_bytes([HEADER, ["17329", "Xóm 2", "", ""], ["17329", "Xóm 1", "", ""]])

    response = as_user("commune_officer").post(
        import_url(), {"file": upload("thon.csv", data), "only_valid": "on"}
    )

    assert response.status_code == 200  # the report of the refused rows stays on screen
    assert response.context["report"].imported == 1
    assert AdministrativeUnit.objects.filter(parent__code="17329", name="Xóm 2").exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("thon.xlsx", EXE_BYTES),
        ("thon.csv", b"Ma xa,Ten\n17329,\x81\x8d\x8f\xc3\x28\n"),
        ("thon.csv", csv_bytes([["Loại"], ["Thôn"]])),
        ("thon.pdf", b"%PDF-1.4"),
    ],
    ids=["program-renamed-xlsx", "unknown-encoding", "missing-name-column", "pdf"],
)
def test_a_file_that_cannot_be_read_is_refused_with_a_message(as_user, name, data):
    response = as_user("commune_officer").post(import_url(), {"file": upload(name, data)})

    assert response.status_code == 400
    assert response.context["file_error"]
    assert response.context["file_error"] in response.content.decode()
    assert response.context["report"] is None


def test_a_file_larger_than_the_limit_is_refused(as_user, settings):
    settings.DANVAN_MAX_IMPORT_BYTES = 1024 * 1024
    data = csv_bytes([HEADER] + [["17329", f"Xóm {n}", "", ""] for n in range(2, 60000)])

    response = as_user("commune_officer").post(import_url(), {"file": upload("thon.csv", data)})

    assert response.status_code == 400
    assert "file" in response.context["form"].errors


def test_a_file_far_larger_than_the_limit_is_refused_before_its_body_is_read(
    as_user, settings, monkeypatch
):
    settings.DANVAN_MAX_IMPORT_BYTES = 1024 * 1024
    client = as_user("commune_officer")

    def parse(*args, **kwargs):
        raise AssertionError("the body was read")

    monkeypatch.setattr("django.http.multipartparser.MultiPartParser.parse", parse)
    response = client.post(import_url(), {"file": upload("thon.csv", b"x" * 2 * 1024 * 1024)})

    assert response.status_code == 413
    assert "Tệp lớn hơn 1 MB." in response.content.decode()


def test_posting_without_a_file_shows_the_form_again(as_user):
    response = as_user("commune_officer").post(import_url(), {})

    assert response.status_code == 400
    assert "file" in response.context["form"].errors


@pytest.mark.parametrize(
    ("fmt", "content_type"),
    [
        ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("csv", "text/csv; charset=utf-8"),
    ],
)
def test_the_import_template_can_be_downloaded(as_user, fmt, content_type):
    response = as_user("commune_officer").get(reverse("units:village_template", args=[fmt]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == f'attachment; filename="mau-thon-to-dan-pho.{fmt}"'


def test_an_unknown_template_format_is_not_found(as_user):
    assert (
        as_user("commune_officer").get(reverse("units:village_template", args=["pdf"])).status_code
        == 404
    )


# --- Remote areas ---------------------------------------------------------------------------------


def test_provincial_staff_marks_a_commune_as_remote(as_user):
    response = as_user("provincial_staff").post(
        reverse("units:remote", args=["16813"]), {"is_remote": "1"}
    )

    assert response.status_code == 302
    assert AdministrativeUnit.objects.get(code="16813").is_remote is True


def test_a_commune_officer_may_not_mark_the_own_commune_as_remote(as_user):
    response = as_user("commune_officer").post(
        reverse("units:remote", args=["17329"]), {"is_remote": "1"}
    )

    assert response.status_code == 403
    assert AdministrativeUnit.objects.get(code="17329").is_remote is False


def test_marking_a_unit_outside_the_scope_is_not_found(as_user):
    response = as_user("commune_officer").post(
        reverse("units:remote", args=["16813"]), {"is_remote": "1"}
    )

    assert response.status_code == 404
