from __future__ import annotations

import pytest

from danvan.units.models import UnitTier
from danvan.units.selectors import unit_search

# Every test here uses the database, some through fixtures looked up by name.
pytestmark = pytest.mark.django_db


def codes(units):
    return [u.code for u in units]


@pytest.mark.parametrize(
    "query", ["Nghệ An", "Nghe An", "nghệ an", "NGHE AN", "NGHỆ AN", " nghe  an "]
)
def test_nghe_an_is_found_with_or_without_diacritics_in_any_case(system_admin, query):
    results = unit_search(user=system_admin, query=query)

    assert codes(results)[0] == "40"


@pytest.mark.parametrize("query", ["Anh Son", "anh sơn", "Xa Anh Son", "xã anh sơn"])
def test_anh_son_finds_the_commune_xa_anh_son_first(system_admin, query):
    results = list(unit_search(user=system_admin, query=query))

    assert results[0].code == "17329"
    assert results[0].name == "Xã Anh Sơn"


def test_a_name_in_a_nfd_decomposed_form_is_found(system_admin):
    import unicodedata

    results = unit_search(user=system_admin, query=unicodedata.normalize("NFD", "Mường Xén"))

    assert codes(results) == ["16813"]


def test_a_unit_code_finds_its_unit(system_admin):
    assert codes(unit_search(user=system_admin, query="00070")) == ["00070"]
    assert codes(unit_search(user=system_admin, query="40"))[0] == "40"


def test_a_commune_code_also_finds_its_villages(system_admin):
    found = codes(unit_search(user=system_admin, query="17329"))

    assert found[0] == "17329"
    assert "17329-001" in found
    assert all(code.startswith("17329") for code in found)


def test_a_village_code_finds_the_village(system_admin):
    assert codes(unit_search(user=system_admin, query="17329-001")) == ["17329-001"]


def test_the_search_can_be_limited_to_tiers(system_admin):
    results = unit_search(user=system_admin, query="Anh Son", tiers=[UnitTier.PROVINCE])

    assert codes(results) == []


def test_an_empty_query_finds_nothing(system_admin):
    assert codes(unit_search(user=system_admin, query="   ")) == []


def test_the_search_never_leaves_the_users_scope(commune_officer):
    assert codes(unit_search(user=commune_officer, query="Nghe An")) == []
    assert codes(unit_search(user=commune_officer, query="Muong Xen")) == []
    assert codes(unit_search(user=commune_officer, query="00070")) == []
    assert codes(unit_search(user=commune_officer, query="Anh Son")) == ["17329"]


def test_nobody_finds_nothing(nobody):
    assert codes(unit_search(user=nobody, query="Nghe An")) == []
    assert codes(unit_search(user=nobody, query="40")) == []


def test_units_that_no_longer_exist_are_left_out_unless_asked_for(system_admin, merged_commune):
    old, _body = merged_commune

    # Today's search finds the commune that took it over, saying so; the old one only on request.
    found = list(unit_search(user=system_admin, query="Thach Son"))
    assert codes(found) == ["17329"]
    assert found[0].former_name == "Xã Thạch Sơn"
    assert old.code in codes(unit_search(user=system_admin, query="Thach Son", current_only=False))


def test_the_number_of_results_is_limited(system_admin):
    assert len(codes(unit_search(user=system_admin, query="xa", limit=7))) == 7


# --- A place as people write it: with the units above, or by its former name ----------------


@pytest.mark.parametrize("query", ["Xóm 1 Anh Sơn", "xom 1, xa anh son", "Xóm 1 - Anh Sơn"])
def test_a_village_is_found_with_its_communes_name(system_admin, world, query):
    assert codes(unit_search(user=system_admin, query=query))[0] == "17329-001"


def test_a_commune_is_found_with_its_provinces_name(system_admin):
    assert codes(unit_search(user=system_admin, query="Anh Sơn, Nghệ An"))[0] == "17329"


def test_a_former_districts_name_finds_the_communes_that_took_it_over(system_admin, world):
    from datetime import date

    from danvan.audit.context import Actor
    from danvan.units.models import AdministrativeUnit, UnitKind
    from danvan.units.services import unit_create_historic, unit_record_succession

    actor = Actor.system("test")
    district = unit_create_historic(
        actor=actor,
        code="424",
        name="Huyện Anh Sơn",
        kind=UnitKind.DISTRICT,
        parent=AdministrativeUnit.objects.get(code="40"),
        valid_from=date(1963, 4, 19),
        valid_to=date(2025, 6, 30),
    )
    for code in ("17329", "17380"):
        unit_record_succession(
            actor=actor,
            predecessors=[district],
            successor=AdministrativeUnit.objects.get(code=code),
            effective_date=date(2025, 7, 1),
        )
    found = list(unit_search(user=system_admin, query="huyện Anh Sơn"))
    assert {"17329", "17380"} <= set(codes(found))
    assert "424" not in codes(found)  # a former unit is no place to file anything today
    assert {u.former_name for u in found if u.code in ("17329", "17380")} == {"Huyện Anh Sơn"}


def test_a_kind_word_alone_finds_nothing_in_particular(system_admin):
    assert len(codes(unit_search(user=system_admin, query="xã"))) <= 20
