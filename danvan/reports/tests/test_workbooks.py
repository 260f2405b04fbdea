"""The statistics workbooks: Vietnamese titles, frozen headers, totals equal to the sums, and every
figure equal to a direct count over the voices and models."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from danvan.audit.context import Actor
from danvan.dashboards.tests.helpers import answered, submit
from danvan.deadlines.models import VoiceKind
from danvan.reports.periods import ReportPeriod, parse_period
from danvan.reports.stats_deadlines import deadlines_by_body_table
from danvan.reports.stats_models import models_by_field_table
from danvan.reports.stats_voices import voices_by_unit_table
from danvan.reports.workbooks import statistics_workbook
from danvan.skillful.models import Field, Level, ModelStatus
from danvan.skillful.services_registry import CommendationInput, model_record_existing
from danvan.skillful.tests.factories_registry import PARTS_TEXT, make_period, register
from danvan.voices.models import OPEN_STATUSES, Voice, VoiceStatus
from danvan.voices.services_routing import case_accept, case_refuse

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PERIOD = ReportPeriod("range", TODAY - datetime.timedelta(days=120), TODAY)


@pytest.fixture(autouse=True)
def _no_buckets_left_by_a_flush(db: None) -> Iterator[None]:
    """As in the dashboards' tests: a flush on SQLite may leave bucket rows without voices."""
    from danvan.dashboards.models import Bucket, VoiceFact

    if not Voice.objects.exists():
        VoiceFact.objects.all().delete()
        Bucket.objects.all().delete()
    yield


@pytest.fixture
def voices(world: Any, commune_officer: Any, provincial_staff: Any) -> dict[str, Voice]:
    """Voices of Nghệ An through the services: answered on time and late, open, overdue, refused,
    one at the commune itself, one in Hà Nội (another province) and one before the period."""
    officer = Actor.of_user(commune_officer)
    made = {
        "on_time": answered(world, commune_officer, world.anh_son_body, late=False),
        "late": answered(world, commune_officer, world.anh_son_body, late=True),
        "opinion": submit(world, kind="opinion", submitter_name=""),
        "reflection": submit(world, kind="reflection", unit=world.muong_xen_village),
        "commune": submit(world, kind="reflection", unit=world.anh_son),
        "ha_noi": submit(world, kind="reflection", unit=world.hoan_kiem),
        "old": submit(world, days_ago=200),
    }
    overdue = submit(world, days_ago=90, unit=world.muong_xen_village)
    made["overdue"] = case_accept(
        actor=Actor.of_user(provincial_staff),
        voice=overdue,
        expected_version=overdue.version,
        accepted_on=TODAY - datetime.timedelta(days=89),
    )
    refused = submit(world, kind="denunciation")
    made["refused"] = case_refuse(
        actor=officer, voice=refused, expected_version=refused.version, reason="Không đủ căn cứ."
    )
    assert made["overdue"].due_on is not None and made["overdue"].due_on < TODAY
    return made


def _vi(text: str) -> str:
    with translation.override("vi"):
        return gettext(text)


def _in_period(period: ReportPeriod = PERIOD, **filters: Any) -> int:
    return Voice.objects.filter(
        received_on__gte=period.start, received_on__lte=period.end, **filters
    ).count()


def _direct_voice_row(
    path: str, *, exact: bool = False, period: ReportPeriod = PERIOD
) -> list[int]:
    """One row of the voices table counted straight from the voices."""
    where: dict[str, Any] = {"unit__path": path} if exact else {"unit__path__startswith": path}
    where["period"] = period
    cells: list[int] = []
    for kind in VoiceKind.values:
        cells += [
            _in_period(kind=kind, **where),
            _in_period(kind=kind, answered_at__isnull=False, **where),
        ]
    return [
        *cells,
        _in_period(**where),
        _in_period(answered_at__isnull=False, **where),
        _in_period(status__in=OPEN_STATUSES, **where),
        _in_period(status=VoiceStatus.REFUSED, **where),
        _in_period(status__in=OPEN_STATUSES, due_on__lt=TODAY, **where),
    ]


def test_voices_by_unit_has_one_row_per_commune_each_a_direct_count(
    world: Any, voices: dict[str, Voice]
) -> None:
    table = voices_by_unit_table(unit=world.nghe_an, period=PERIOD)
    rows = {row[1]: row[2:] for row in table.rows}
    assert rows["Xã Anh Sơn"] == _direct_voice_row(world.anh_son.path)
    assert rows["Xã Mường Xén"] == _direct_voice_row(world.muong_xen.path)
    # Every other commune of the province is listed, with nothing; none filed at the province.
    assert len(table.rows) > 100
    assert [row[0] for row in table.rows] == list(range(1, len(table.rows) + 1))
    assert sorted(name for name, row in rows.items() if any(row)) == ["Xã Anh Sơn", "Xã Mường Xén"]
    assert not any(world.nghe_an.name in row[1] for row in table.rows)
    assert table.totals[2:] == _direct_voice_row(world.nghe_an.path)
    assert table.totals[2:] == [sum(column) for column in zip(*rows.values(), strict=True)]
    total_received = table.totals[2 + 2 * len(VoiceKind.values)]
    assert total_received == 7  # Hà Nội's and the one before the period are not counted
    overdue = table.totals[-1]
    assert overdue == 1


def test_a_commune_lists_its_villages_and_its_own_voices(
    world: Any, voices: dict[str, Voice]
) -> None:
    table = voices_by_unit_table(unit=world.anh_son, period=PERIOD)
    assert [row[1] for row in table.rows] == [
        "Xóm 1",
        _vi("At %(unit)s itself") % {"unit": "Xã Anh Sơn"},
    ]
    assert table.rows[0][2:] == _direct_voice_row(world.anh_son_village.path)
    assert table.rows[1][2:] == _direct_voice_row(world.anh_son.path, exact=True)
    assert table.totals[2:] == _direct_voice_row(world.anh_son.path)
    village = voices_by_unit_table(unit=world.anh_son_village, period=PERIOD)
    assert [row[1] for row in village.rows] == ["Xóm 1"]
    assert village.totals[2:] == _direct_voice_row(world.anh_son_village.path)


def test_deadlines_per_body_count_on_time_late_and_overdue(
    world: Any, voices: dict[str, Voice], commune_officer: Any
) -> None:
    table = deadlines_by_body_table(unit=world.nghe_an, period=PERIOD)
    assert [row[1] for row in table.rows] == ["Đảng ủy xã Anh Sơn"]
    body = world.anh_son_body
    received = _in_period(assignee=body, unit__path__startswith=world.nghe_an.path)
    answered_n = _in_period(assignee=body, answered_at__isnull=False)
    overdue = _in_period(assignee=body, status__in=OPEN_STATUSES, due_on__lt=TODAY)
    _number, _name, n, answered_count, on_time, late, rate, average, open_overdue = table.rows[0]
    assert (n, answered_count, on_time, late) == (received, answered_n, 1, 1)
    assert rate == 50.0
    days = [
        (timezone.localdate(v.answered_at) - v.received_on).days
        for v in Voice.objects.filter(assignee=body, answered_at__isnull=False)
    ]
    assert average == round(sum(days) / len(days), 1)
    assert open_overdue == overdue
    assert table.totals[2:6] == [n, answered_count, on_time, late]


def test_an_overdue_voice_given_to_a_body_shows_in_its_row(
    world: Any, voices: dict[str, Voice], provincial_staff: Any
) -> None:
    from danvan.voices.services_routing import case_assign

    voice = voices["overdue"]
    case_assign(
        actor=Actor.of_user(provincial_staff),
        voice=voice,
        expected_version=voice.version,
        body=world.muong_xen_body,
    )
    table = deadlines_by_body_table(unit=world.nghe_an, period=PERIOD)
    rows = {row[1]: row for row in table.rows}
    assert rows["Đảng ủy xã Mường Xén"][2] == 1
    assert rows["Đảng ủy xã Mường Xén"][-1] == 1
    assert rows["Đảng ủy xã Mường Xén"][6] is None  # no answer yet: no rate
    assert table.totals[-1] == 1


def _values(world: Any, unit: Any, **overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "name": "Dân vận khéo vận động hiến đất làm đường",
        "holder": "collective",
        "field": Field.ECONOMY,
        "level": Level.COMMUNE,
        "period": make_period(),
        "year": 2026,
        "lead_body": world.anh_son_body,
        "starts_on": datetime.date(2026, 3, 1),
        **PARTS_TEXT,
    }
    values.update(overrides)
    return values


@pytest.fixture
def models(world: Any) -> None:
    register(world, None)
    register(world, None, field=Field.CULTURE_SOCIETY)
    register(
        world,
        None,
        unit=world.anh_son_village,
        level=Level.VILLAGE,
        lead_body=world.village_body,
    )
    model_record_existing(
        actor=Actor.system("test"),
        unit=world.nghe_an,
        values=_values(world, world.nghe_an, level=Level.PROVINCE, lead_body=world.province_body),
        status=ModelStatus.HONORED,
        commendation=CommendationInput(
            decision_number="12/QĐ-UBND",
            decided_on=TODAY - datetime.timedelta(days=5),
            issuer="UBND tỉnh Nghệ An",
            title="Bằng khen",
            level=Level.PROVINCE,
        ),
    )
    model_record_existing(  # honored long before the period: registered now, not honored now
        actor=Actor.system("test"),
        unit=world.muong_xen,
        values=_values(world, world.muong_xen, lead_body=world.muong_xen_body),
        status=ModelStatus.HONORED,
        commendation=CommendationInput(
            decision_number="3/QĐ-UBND",
            decided_on=datetime.date(2020, 5, 1),
            issuer="UBND huyện Mường Xén",
            title="Giấy khen",
        ),
    )
    model_record_existing(  # another province
        actor=Actor.system("test"),
        unit=world.hoan_kiem,
        values=_values(world, world.hoan_kiem, lead_body=world.hoan_kiem_body),
    )


def test_models_by_field_and_level_count_registrations_and_commendations(
    world: Any, models: None
) -> None:
    from danvan.skillful.models import Commendation, MobilizationModel

    table = models_by_field_table(unit=world.nghe_an, period=PERIOD)
    assert len(table.rows) == len(Field.values)
    levels = list(Level.values)
    for row, field in zip(table.rows, Field.values, strict=True):
        expected: list[int] = []
        for level in levels:
            expected += [
                MobilizationModel.objects.filter(
                    unit__path__startswith="/40/", field=field, level=level
                ).count(),
                Commendation.objects.filter(
                    model__unit__path__startswith="/40/",
                    model__field=field,
                    level=level,
                    decided_on__gte=PERIOD.start,
                ).count(),
            ]
        assert row[2:-2] == expected
        assert row[-2:] == [sum(expected[0::2]), sum(expected[1::2])]
    assert table.totals[2:] == [sum(c) for c in zip(*(r[2:] for r in table.rows), strict=True)]
    assert table.totals[-2:] == [5, 1]


def test_the_workbook_is_in_vietnamese_with_a_frozen_header_and_totals_equal_to_the_sums(
    world: Any, voices: dict[str, Voice], models: None
) -> None:
    data = statistics_workbook(unit=world.nghe_an, period=parse_period(f"{TODAY.year}"))
    book = load_workbook(io.BytesIO(data))
    assert len(book.worksheets) == 3
    voices_sheet, bodies_sheet, models_sheet = book.worksheets
    assert voices_sheet.title == _vi("Voices by unit")
    assert voices_sheet["A2"].value == _vi("Unit: %(unit)s") % {"unit": "Tỉnh Nghệ An"}
    assert f"năm {TODAY.year}" in voices_sheet["A3"].value
    # The two-level header: STT and Đơn vị over both rows, kinds over Received/Answered.
    assert voices_sheet["B6"].value == "Đơn vị"
    assert "B6:B7" in {str(r) for r in voices_sheet.merged_cells.ranges}
    assert voices_sheet["C6"].value == "Ý kiến, nguyện vọng"
    assert voices_sheet["C7"].value == "Đã tiếp nhận"
    assert voices_sheet.freeze_panes == "C8"
    assert voices_sheet.print_title_rows == "$6:$7"
    assert voices_sheet.page_setup.orientation == "landscape"
    assert str(voices_sheet.page_setup.paperSize) == voices_sheet.PAPERSIZE_A4
    assert voices_sheet.sheet_properties.pageSetUpPr.fitToPage is True
    for sheet in (voices_sheet, bodies_sheet, models_sheet):
        rows = list(sheet.iter_rows(min_row=8))
        data_rows = [r for r in rows if isinstance(r[0].value, int)]
        total = next(r for r in rows if r[1].value == _vi("Grand total"))
        assert total[1].font.b
        assert sheet.freeze_panes is not None
        for column in range(2, len(total)):
            if total[column].number_format != "#,##0":
                continue
            assert total[column].value == sum(r[column].value or 0 for r in data_rows)
    read_back = {
        r[1]: list(r[2:]) for r in voices_sheet.iter_rows(min_row=8, values_only=True) if r[1]
    }
    year = ReportPeriod("year", datetime.date(TODAY.year, 1, 1), datetime.date(TODAY.year, 12, 31))
    for name, path in (("Xã Anh Sơn", world.anh_son.path), ("Xã Mường Xén", world.muong_xen.path)):
        assert read_back[name] == _direct_voice_row(path, period=year)
    assert read_back[_vi("Grand total")] == _direct_voice_row(world.nghe_an.path, period=year)
    assert models_sheet["B6"].value == "Lĩnh vực"
    assert models_sheet["C6"].value == "Cấp thôn, tổ dân phố"
    assert bodies_sheet["B6"].value == "Cơ quan, tổ chức chịu trách nhiệm"


def test_one_table_only_and_an_unknown_table_is_refused(world: Any) -> None:
    data = statistics_workbook(unit=world.anh_son, period=PERIOD, tables=["models"])
    book = load_workbook(io.BytesIO(data))
    assert [s.title for s in book.worksheets] == [_vi("Models by field")]
    with pytest.raises(KeyError):
        statistics_workbook(unit=world.anh_son, period=PERIOD, tables=["nope"])


def test_the_voices_table_reads_a_fixed_number_of_queries(
    world: Any, voices: dict[str, Voice]
) -> None:
    with CaptureQueriesContext(connection) as few:
        voices_by_unit_table(unit=world.nghe_an, period=PERIOD)
        deadlines_by_body_table(unit=world.nghe_an, period=PERIOD)
    for _n in range(5):
        submit(world, unit=world.muong_xen_village, kind="opinion", submitter_name="")
    with CaptureQueriesContext(connection) as many:
        voices_by_unit_table(unit=world.nghe_an, period=PERIOD)
        deadlines_by_body_table(unit=world.nghe_an, period=PERIOD)
    assert len(many) == len(few) <= 12
