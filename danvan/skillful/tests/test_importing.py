"""Importing existing models from a spreadsheet."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from danvan.audit.context import Actor
from danvan.skillful.importing import (
    COLUMNS,
    models_import,
    parse_model_file,
    template_csv,
    template_xlsx,
)
from danvan.skillful.models import Commendation, MobilizationModel, ModelStatus
from danvan.skillful.tests.factories_registry import make_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADER = [title for _key, title, _example in COLUMNS]


def row(**cells: str) -> list[str]:
    values = {key: example for key, _title, example in COLUMNS}
    values.update(
        {
            "lead_body": "Đảng ủy xã Anh Sơn",
            "period": "2021-2025",
            "status": "",
            "decision_number": "",
            "decided_on": "",
            "issuer": "",
            "title": "",
        }
    )
    values.update(cells)
    return [values[key] for key, _title, _example in COLUMNS]


def csv_bytes(*rows: list[str]) -> bytes:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for r in rows:
        writer.writerow(r)
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def periods(world: Any) -> None:
    make_period(2021, 2025)
    make_period(2026, 2030)


def test_a_valid_file_imports_every_row(world: Any, periods: None, system_actor: Actor) -> None:
    data = csv_bytes(
        row(name="Mô hình một"),
        row(
            name="Mô hình hai",
            field="Văn hóa - Xã hội",
            status="Được khen thưởng",
            decision_number="12/QĐ-UBND",
            decided_on="20/12/2024",
            issuer="UBND xã Anh Sơn",
            title="Giấy khen",
        ),
    )
    report = models_import(actor=system_actor, rows=parse_model_file(name="ds.csv", data=data))
    assert report.imported == 2 and not report.error_rows
    honored = MobilizationModel.objects.get(name="Mô hình hai")
    assert honored.status == ModelStatus.HONORED and honored.field == "culture_society"
    assert Commendation.objects.get().decision_number == "12/QĐ-UBND"
    assert honored.code.startswith("MH-40-2024-")


def test_duplicated_rows_are_errors_and_nothing_is_imported(
    world: Any, periods: None, system_actor: Actor
) -> None:
    data = csv_bytes(row(name="Mô hình một"), row(name="mô hình  MỘT"), row(name="Khác"))
    report = models_import(actor=system_actor, rows=parse_model_file(name="ds.csv", data=data))
    assert report.imported == 0
    assert [r.line for r in report.error_rows] == [3]
    assert report.error_rows[0].errors == ["Same as line 2."]
    assert not MobilizationModel.objects.exists()


def test_only_valid_rows_when_asked(world: Any, periods: None, system_actor: Actor) -> None:
    data = csv_bytes(
        row(name="Tốt"),
        row(name="Sai lĩnh vực", field="Thể thao"),
        row(name="Sai đơn vị", unit_code="99999"),
        row(name="Sai giai đoạn", period="2010-2015"),
        row(name="Sai cơ quan", lead_body="Không có"),
        row(name="Sai năm", year="2030"),
        row(name="Khen thiếu số", status="Được khen thưởng"),
    )
    report = models_import(
        actor=system_actor, rows=parse_model_file(name="ds.csv", data=data), only_valid=True
    )
    assert report.imported == 1
    assert len(report.error_rows) == 6
    assert list(MobilizationModel.objects.values_list("name", flat=True)) == ["Tốt"]


def test_a_model_already_registered_is_an_error(
    world: Any, periods: None, system_actor: Actor
) -> None:
    data = csv_bytes(row(name="Mô hình một"))
    models_import(actor=system_actor, rows=parse_model_file(name="ds.csv", data=data))
    report = models_import(actor=system_actor, rows=parse_model_file(name="ds.csv", data=data))
    assert "already registered" in report.error_rows[0].errors[0]
    assert MobilizationModel.objects.count() == 1


def test_an_officer_imports_only_into_their_scope(
    world: Any, periods: None, commune_officer: Any
) -> None:
    data = csv_bytes(row(unit_code="16813", lead_body="Đảng ủy xã Mường Xén"))
    report = models_import(
        actor=Actor.of_user(commune_officer), rows=parse_model_file(name="ds.csv", data=data)
    )
    assert "may not register" in report.error_rows[0].errors[0]


def test_the_templates_read_back(world: Any, periods: None) -> None:
    for name, data in (("mau.xlsx", template_xlsx()), ("mau.csv", template_csv())):
        rows = parse_model_file(name=name, data=data)
        assert len(rows) == 1 and rows[0].name.startswith("Dân vận khéo")
        assert rows[0].values["starts_on"] is not None


def test_the_import_page(
    world: Any, periods: None, commune_officer: Any, login: Callable[[Any], Client]
) -> None:
    client = login(commune_officer)
    assert client.get("/models/import/").status_code == 200
    assert client.get("/models/import/template.xlsx").status_code == 200
    assert client.get("/models/import/template.csv").status_code == 200
    bad = csv_bytes(row(name="A"), row(name="A"))
    response = client.post(
        "/models/import/", {"file": SimpleUploadedFile("ds.csv", bad, content_type="text/csv")}
    )
    assert response.status_code == 400
    assert "Same as line 2." in response.content.decode()
    good = csv_bytes(row(name="A"))
    response = client.post(
        "/models/import/", {"file": SimpleUploadedFile("ds.csv", good, content_type="text/csv")}
    )
    assert response.status_code == 200
    assert MobilizationModel.objects.count() == 1
    junk = client.post(
        "/models/import/", {"file": SimpleUploadedFile("ds.xlsx", b"MZ...", content_type="x")}
    )
    assert junk.status_code == 400


def test_an_observer_cannot_import(
    world: Any, observer: Any, login: Callable[[Any], Client]
) -> None:
    assert login(observer).get("/models/import/").status_code == 403
