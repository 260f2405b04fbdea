from __future__ import annotations

import pytest
from django.core.management import call_command

from danvan.audit.models import AuditEntry
from danvan.units import services
from danvan.units.models import AdministrativeUnit, UnitKind, UnitTier
from danvan.units.services import unit_set_remote, units_load_national, village_create


@pytest.fixture(autouse=True)
def _no_units(db):
    """The test database comes with the units loaded (conftest): these tests load them into an
    empty table, inside their own transaction."""
    AdministrativeUnit.objects.filter(tier=UnitTier.COMMUNE).delete()
    AdministrativeUnit.objects.all().delete()


pytestmark = pytest.mark.django_db


def test_loading_creates_34_provinces_and_3321_communes(system_actor):
    result = units_load_national(actor=system_actor)

    assert AdministrativeUnit.objects.provinces().count() == 34
    assert AdministrativeUnit.objects.communes().count() == 3321
    assert result.created == 34 + 3321
    assert result.updated == 0


def test_codes_are_zero_padded_and_paths_run_from_the_province(system_actor):
    units_load_national(actor=system_actor)
    by_code = {
        u.code: u
        for u in AdministrativeUnit.objects.filter(code__in=["01", "40", "00070", "17329"])
    }

    assert set(by_code) == {"01", "40", "00070", "17329"}
    assert by_code["17329"].name == "Xã Anh Sơn"
    assert by_code["17329"].kind == UnitKind.COMMUNE
    assert by_code["17329"].parent == by_code["40"]
    assert by_code["17329"].path == "/40/17329/"
    assert by_code["40"].name == "Nghệ An"
    assert by_code["40"].tier == UnitTier.PROVINCE
    assert by_code["01"].kind == UnitKind.CENTRAL_CITY
    assert by_code["00070"].name == "Phường Hoàn Kiếm"
    assert by_code["00070"].kind == UnitKind.WARD
    assert by_code["00070"].path == "/01/00070/"


def test_every_code_has_the_length_of_its_tier(system_actor):
    units_load_national(actor=system_actor)

    province_lengths = set(
        len(code) for code in AdministrativeUnit.objects.provinces().values_list("code", flat=True)
    )
    commune_lengths = set(
        len(code) for code in AdministrativeUnit.objects.communes().values_list("code", flat=True)
    )
    assert province_lengths == {2}
    assert commune_lengths == {5}


def test_names_are_stored_folded_for_search(system_actor):
    units_load_national(actor=system_actor)

    nghe_an = AdministrativeUnit.objects.get(code="40")
    assert nghe_an.name_folded == "nghe an"
    assert AdministrativeUnit.objects.get(code="17329").name_folded == "xa anh son"


def test_loading_twice_changes_nothing(system_actor):
    units_load_national(actor=system_actor)
    count = AdministrativeUnit.objects.count()
    stamps = dict(AdministrativeUnit.objects.values_list("code", "updated_at"))
    audit_rows = AuditEntry.objects.count()

    again = units_load_national(actor=system_actor)

    assert again.created == 0
    assert again.updated == 0
    assert again.unchanged == count
    assert AdministrativeUnit.objects.count() == count
    assert dict(AdministrativeUnit.objects.values_list("code", "updated_at")) == stamps
    assert AuditEntry.objects.count() == audit_rows  # nothing changed, nothing to record


def test_loading_writes_one_audit_row(system_actor):
    units_load_national(actor=system_actor)

    entry = AuditEntry.objects.get(action="units.load_national")
    assert entry.actor is None
    assert entry.actor_label == "system:test"
    assert entry.changes == {"created": 34 + 3321, "updated": 0}


def test_loading_again_keeps_villages_and_the_remote_flag(system_actor):
    units_load_national(actor=system_actor)
    commune = AdministrativeUnit.objects.get(code="17329")
    unit_set_remote(actor=system_actor, unit=commune, is_remote=True)
    village = village_create(actor=system_actor, commune=commune, name="Xóm 1")

    units_load_national(actor=system_actor)

    commune.refresh_from_db()
    assert commune.is_remote is True
    assert AdministrativeUnit.objects.filter(pk=village.pk).exists()


def test_a_name_corrected_upstream_is_updated_on_the_next_load(system_actor, monkeypatch):
    units_load_national(actor=system_actor)
    original_rows = services._national_rows

    def corrected_rows():
        rows = original_rows()
        for row in rows:
            if row["code"] == "17329":
                row["name"] = "Xã Anh Sơn Mới"
        return rows

    monkeypatch.setattr(services, "_national_rows", corrected_rows)
    result = units_load_national(actor=system_actor)

    assert result.updated == 1
    unit = AdministrativeUnit.objects.get(code="17329")
    assert unit.name == "Xã Anh Sơn Mới"
    assert unit.name_folded == "xa anh son moi"


def test_the_load_units_command_reports_what_it_did(capsys):
    call_command("load_units")
    call_command("load_units")

    out = capsys.readouterr().out
    assert "3355 created" in out
    assert "0 created, 0 updated, 3355 unchanged" in out
