"""The registry's services: registering, editing, indicators, reports, evidence, adoption."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from danvan.audit.context import Actor
from danvan.audit.models import AuditEntry
from danvan.skillful.models import (
    Evidence,
    Holder,
    IndicatorReport,
    Level,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.models import Field as ModelField
from danvan.skillful.services_common import StaleModelError
from danvan.skillful.services_editing import indicator_add, indicator_update, model_update
from danvan.skillful.services_periods import period_create
from danvan.skillful.services_registry import IndicatorInput, model_adopt, model_record_existing
from danvan.skillful.services_reporting import evidence_add, indicator_report
from danvan.skillful.tests.factories_registry import PARTS_TEXT, make_period, register

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def png(name: str = "anh.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_commune_officer_registers_a_model_with_a_readable_code(
    world: Any, commune_officer: Any
) -> None:
    period = make_period()
    model = register(world, commune_officer, period=period)
    assert model.code == "MH-40-2026-00001"
    assert model.status == ModelStatus.REGISTERED
    assert model.current_level == Level.COMMUNE
    assert model.indicators.count() == 2
    second = register(world, commune_officer, period=period, name="Mô hình thứ hai")
    assert second.code == "MH-40-2026-00002"
    assert AuditEntry.objects.filter(action="skillful.model_register").count() == 2


def test_the_level_must_match_the_units_tier(world: Any, commune_officer: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        register(world, commune_officer, level=Level.PROVINCE)
    assert "level" in exc.value.message_dict
    assert MobilizationModel.objects.count() == 0


def test_a_village_model_is_at_the_village_level(world: Any, village_member: Any) -> None:
    model = register(
        world,
        village_member,
        unit=world.anh_son_village,
        level=Level.VILLAGE,
        lead_body=world.village_body,
    )
    assert model.level == Level.VILLAGE


def test_an_officer_cannot_register_for_another_commune(world: Any, commune_officer: Any) -> None:
    with pytest.raises(PermissionDenied):
        register(world, commune_officer, unit=world.muong_xen, lead_body=world.muong_xen_body)


def test_an_observer_cannot_register(world: Any, observer: Any) -> None:
    with pytest.raises(PermissionDenied):
        register(world, observer)


def test_the_lead_body_must_be_at_the_unit_or_above(world: Any, commune_officer: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        register(world, commune_officer, lead_body=world.muong_xen_body)
    assert "lead_body" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        register(world, commune_officer, partner_bodies=[world.ha_noi_body])
    assert "partner_bodies" in exc.value.message_dict


def test_an_inactive_body_cannot_lead(world: Any, commune_officer: Any) -> None:
    world.province_body.is_active = False
    world.province_body.save(update_fields=["is_active"])
    with pytest.raises(ValidationError) as exc:
        register(world, commune_officer, lead_body=world.province_body)
    assert "no longer active" in str(exc.value)


def test_the_year_and_start_must_lie_in_the_period(world: Any, commune_officer: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        register(world, commune_officer, year=2031, starts_on=datetime.date(2020, 1, 1))
    assert {"year", "starts_on"} <= set(exc.value.message_dict)


def test_every_part_is_required(world: Any, commune_officer: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        register(world, commune_officer, goals="  ", sustainability="")
    assert {"goals", "sustainability"} <= set(exc.value.message_dict)


def test_an_individual_model_needs_a_person(world: Any, commune_officer: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        register(world, commune_officer, holder=Holder.INDIVIDUAL)
    assert "person_name" in exc.value.message_dict
    model = register(
        world,
        commune_officer,
        holder=Holder.INDIVIDUAL,
        person_name="Nguyễn Văn An",
        person_consents_to_publication=True,
    )
    assert model.person_consents_to_publication


def test_a_collective_model_keeps_no_person(world: Any, commune_officer: Any) -> None:
    model = register(
        world, commune_officer, person_name="Ai đó", person_consents_to_publication=True
    )
    assert model.person_name == "" and not model.person_consents_to_publication


def test_an_indicator_without_change_is_refused(world: Any, commune_officer: Any) -> None:
    with pytest.raises(ValidationError):
        register(
            world,
            commune_officer,
            indicators=[IndicatorInput("Hộ tham gia", "hộ", Decimal(5), Decimal(5))],
        )


def test_update_with_a_stale_version_is_refused_and_loses_nothing(
    world: Any, commune_officer: Any
) -> None:
    model = register(world, commune_officer)
    actor = Actor.of_user(commune_officer)
    updated = model_update(actor=actor, model=model, expected_version=1, name="Tên mới")
    assert updated.version == 2
    with pytest.raises(StaleModelError):
        model_update(actor=actor, model=model, expected_version=1, name="Tên cũ hơn")
    model.refresh_from_db()
    assert model.name == "Tên mới"


def test_update_checks_like_registration(world: Any, commune_officer: Any) -> None:
    model = register(world, commune_officer)
    with pytest.raises(ValidationError):
        model_update(
            actor=Actor.of_user(commune_officer), model=model, expected_version=1, content=""
        )


def test_the_first_report_puts_the_model_under_way(world: Any, commune_officer: Any) -> None:
    model = register(world, commune_officer)
    indicator = model.indicators.all()[0]
    actor = Actor.of_user(commune_officer)
    indicator_report(actor=actor, indicator=indicator, period_label="2026", value=Decimal(40))
    model.refresh_from_db()
    assert model.status == ModelStatus.UNDER_WAY
    assert model.version == 2


def test_reporting_the_same_period_twice_is_an_error(world: Any, commune_officer: Any) -> None:
    model = register(world, commune_officer)
    indicator = model.indicators.all()[0]
    actor = Actor.of_user(commune_officer)
    indicator_report(actor=actor, indicator=indicator, period_label="2026-h1", value=Decimal(40))
    with pytest.raises(ValidationError) as exc:
        indicator_report(actor=actor, indicator=indicator, period_label="2026-H1", value=Decimal(9))
    assert "already has a value" in str(exc.value)
    assert IndicatorReport.objects.get().value == Decimal(40)


@pytest.mark.parametrize(
    ("label", "value"),
    [("2026/1", 1), ("1999", 1), ("2026", -1), ("2026", "abc")],
)
def test_bad_reports_are_refused(world: Any, commune_officer: Any, label: str, value: Any) -> None:
    model = register(world, commune_officer)
    with pytest.raises(ValidationError):
        indicator_report(
            actor=Actor.of_user(commune_officer),
            indicator=model.indicators.all()[0],
            period_label=label,
            value=value,
        )
    assert not IndicatorReport.objects.exists()


def test_a_report_in_the_future_is_refused(world: Any, commune_officer: Any) -> None:
    model = register(world, commune_officer)
    with pytest.raises(ValidationError):
        indicator_report(
            actor=Actor.of_user(commune_officer),
            indicator=model.indicators.all()[0],
            period_label="2026",
            value=1,
            reported_on=datetime.date.today() + datetime.timedelta(days=3),
        )


def test_a_report_carries_its_evidence(
    world: Any, commune_officer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    model = register(world, commune_officer)
    report = indicator_report(
        actor=Actor.of_user(commune_officer),
        indicator=model.indicators.all()[0],
        period_label="2026",
        value=Decimal(12),
        upload=png(),
        caption="Ảnh buổi ra quân",
    )
    evidence = Evidence.objects.get()
    assert evidence.report == report and evidence.content_type == "image/png"
    assert evidence.file.name.startswith("skillful/evidence/")


def test_a_bad_file_loses_the_report_nothing(
    world: Any, commune_officer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    model = register(world, commune_officer)
    fake = SimpleUploadedFile("anh.jpg", b"MZ not a photo", content_type="image/jpeg")
    with pytest.raises(ValidationError):
        indicator_report(
            actor=Actor.of_user(commune_officer),
            indicator=model.indicators.all()[0],
            period_label="2026",
            value=Decimal(12),
            upload=fake,
        )
    assert not IndicatorReport.objects.exists()


def test_evidence_is_checked_and_audited(
    world: Any, commune_officer: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    model = register(world, commune_officer)
    actor = Actor.of_user(commune_officer)
    evidence_add(actor=actor, model=model, upload=png())
    with pytest.raises(ValidationError):
        evidence_add(actor=actor, model=model, upload=SimpleUploadedFile("x.pdf", b"hello"))
    assert Evidence.objects.count() == 1
    assert AuditEntry.objects.filter(action="skillful.evidence_add").count() == 1


def test_indicators_can_be_added_while_registered(world: Any, commune_officer: Any) -> None:
    model = register(world, commune_officer)
    indicator_add(
        actor=Actor.of_user(commune_officer),
        model=model,
        name="Mét đường bê tông",
        unit_of_measure="m",
        baseline=Decimal(0),
        target=Decimal(800),
    )
    assert model.indicators.count() == 3


def _honored(world: Any, actor: Actor, period: Any) -> MobilizationModel:
    from danvan.skillful.services_registry import CommendationInput

    return model_record_existing(
        actor=actor,
        unit=world.anh_son,
        values={
            "name": "Dân vận khéo trong xây dựng nông thôn mới",
            "holder": Holder.COLLECTIVE,
            "field": ModelField.ECONOMY,
            "level": Level.COMMUNE,
            "period": period,
            "year": 2026,
            "lead_body": world.anh_son_body,
            "starts_on": datetime.date(2026, 2, 1),
            **PARTS_TEXT,
        },
        indicators=[IndicatorInput("Hộ hiến đất", "hộ", Decimal(0), Decimal(50))],
        status=ModelStatus.HONORED,
        commendation=CommendationInput(
            "123/QĐ-UBND", datetime.date(2026, 9, 1), "UBND tỉnh", "Bằng khen"
        ),
    )


def test_only_an_honored_model_can_be_adopted(world: Any, system_actor: Actor) -> None:
    period = make_period()
    plain = register(world, None, period=period)
    with pytest.raises(ValidationError):
        model_adopt(
            actor=system_actor,
            origin=plain,
            unit=world.muong_xen,
            lead_body=world.muong_xen_body,
            period=period,
        )


def test_adopting_copies_the_parts_and_links_the_origin(world: Any, system_actor: Actor) -> None:
    period = make_period()
    origin = _honored(world, system_actor, period)
    assert origin.commendations.get().decision_number == "123/QĐ-UBND"
    copy = model_adopt(
        actor=system_actor,
        origin=origin,
        unit=world.muong_xen,
        lead_body=world.muong_xen_body,
        period=period,
        starts_on=datetime.date(2026, 5, 1),
    )
    assert copy.origin == origin and copy.status == ModelStatus.REGISTERED
    assert copy.content == origin.content and copy.level == Level.COMMUNE
    assert list(origin.replications.all()) == [copy]
    assert copy.indicators.get().baseline == 0
    with pytest.raises(ValidationError):
        model_adopt(
            actor=system_actor,
            origin=origin,
            unit=world.muong_xen,
            lead_body=world.muong_xen_body,
            period=period,
        )


def test_a_commune_officer_cannot_adopt_for_another_commune(
    world: Any, system_actor: Actor, commune_officer: Any
) -> None:
    period = make_period()
    origin = _honored(world, system_actor, period)
    with pytest.raises(PermissionDenied):
        model_adopt(
            actor=Actor.of_user(commune_officer),
            origin=origin,
            unit=world.muong_xen,
            lead_body=world.muong_xen_body,
            period=period,
        )


def test_a_province_period_is_its_own(world: Any, system_actor: Actor) -> None:
    with pytest.raises(ValidationError):
        period_create(
            actor=system_actor,
            name="x",
            starts_on=datetime.date(2026, 1, 1),
            ends_on=datetime.date(2025, 1, 1),
        )
    ha_noi = period_create(
        actor=system_actor,
        name="2026–2030 Hà Nội",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2030, 12, 31),
        province=world.ha_noi,
    )
    with pytest.raises(ValidationError) as exc:
        register(world, None, period=ha_noi)
    assert "period" in exc.value.message_dict


# --- Correcting partner bodies and indicators after registration -------------------------------


def test_partner_bodies_change_after_registration_with_the_audit_and_the_version(
    world: Any, commune_officer: Any
) -> None:
    model = register(world, commune_officer)
    actor = Actor.of_user(commune_officer)
    updated = model_update(
        actor=actor,
        model=model,
        expected_version=model.version,
        partner_bodies=[world.province_body],
    )
    assert list(updated.partner_bodies.all()) == [world.province_body] and updated.version == 2
    entry = AuditEntry.objects.get(action="skillful.model_update")
    assert entry.changes["partner_bodies"] == [[], [world.province_body.pk]]
    with pytest.raises(StaleModelError):  # the page showed version 1
        model_update(actor=actor, model=model, expected_version=1, partner_bodies=[])
    with pytest.raises(ValidationError) as exc:  # a body of another province
        model_update(
            actor=actor, model=model, expected_version=2, partner_bodies=[world.ha_noi_body]
        )
    assert "partner_bodies" in exc.value.message_dict
    assert list(model.partner_bodies.all()) == [world.province_body]


def test_an_indicator_is_corrected_while_nothing_is_reported_with_the_audit(
    world: Any, commune_officer: Any
) -> None:
    model = register(world, commune_officer)
    indicator = model.indicators.get(name="Hộ hiến đất")
    actor = Actor.of_user(commune_officer)
    indicator_update(
        actor=actor,
        indicator=indicator,
        expected_version=1,
        name="Hộ hiến đất",
        unit_of_measure="hộ gia đình",
        baseline=Decimal(5),
        target=Decimal(60),
    )
    indicator.refresh_from_db()
    model.refresh_from_db()
    assert (indicator.unit_of_measure, indicator.baseline, indicator.target) == (
        "hộ gia đình",
        Decimal(5),
        Decimal(60),
    )
    assert model.version == 2
    entry = AuditEntry.objects.get(action="skillful.indicator_update")
    assert entry.changes["target"] == ["40.00", "60"] and "name" not in entry.changes


def test_an_indicator_edit_on_a_stale_page_or_with_bad_values_changes_nothing(
    world: Any, commune_officer: Any, observer: Any
) -> None:
    model = register(world, commune_officer)
    indicator = model.indicators.get(name="Hộ hiến đất")
    actor = Actor.of_user(commune_officer)
    indicator_add(
        actor=actor,
        model=model,
        name="Buổi họp dân",
        unit_of_measure="buổi",
        baseline=Decimal(0),
        target=Decimal(12),
        expected_version=1,
    )
    with pytest.raises(StaleModelError):  # a colleague added an indicator meanwhile
        indicator_update(
            actor=actor,
            indicator=indicator,
            expected_version=1,
            name="Hộ hiến đất",
            unit_of_measure="hộ",
            baseline=Decimal(0),
            target=Decimal(99),
        )
    with pytest.raises(ValidationError):  # the target is the baseline
        indicator_update(
            actor=actor,
            indicator=indicator,
            expected_version=2,
            name="Hộ hiến đất",
            unit_of_measure="hộ",
            baseline=Decimal(7),
            target=Decimal(7),
        )
    with pytest.raises(PermissionDenied):
        indicator_update(
            actor=Actor.of_user(observer),
            indicator=indicator,
            expected_version=2,
            name="x",
            unit_of_measure="hộ",
            baseline=Decimal(0),
            target=Decimal(1),
        )
    indicator.refresh_from_db()
    assert indicator.target == Decimal(40) and indicator.baseline == Decimal(0)
    assert not AuditEntry.objects.filter(action="skillful.indicator_update").exists()


def test_an_indicator_with_reported_values_cannot_change_and_says_why(
    world: Any, commune_officer: Any
) -> None:
    model = register(world, commune_officer)
    indicator = model.indicators.get(name="Hộ hiến đất")
    actor = Actor.of_user(commune_officer)
    indicator_report(actor=actor, indicator=indicator, period_label="2026", value=10)
    model.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        indicator_update(
            actor=actor,
            indicator=indicator,
            expected_version=model.version,
            name="Hộ hiến đất",
            unit_of_measure="hộ",
            baseline=Decimal(0),
            target=Decimal(20),
        )
    assert "already has values reported (2026)" in exc.value.messages[0]
    assert "Add a new indicator instead" in exc.value.messages[0]
    indicator.refresh_from_db()
    assert indicator.target == Decimal(40)
