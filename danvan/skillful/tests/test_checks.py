"""The formalism checks: each one raises its flag with the numbers, and stays quiet otherwise."""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from danvan.audit.context import Actor
from danvan.skillful import checks, checks_findings, similarity
from danvan.skillful.models import (
    EmulationPeriod,
    Evidence,
    Field,
    FlagKind,
    FormalismFlag,
    Holder,
    Indicator,
    IndicatorReport,
    Level,
    MobilizationModel,
    ModelStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reasons_in_english(settings: Any) -> None:
    """Flags' reasons are written in the site's language; these tests read them in English."""
    settings.LANGUAGE_CODE = "en"


TODAY = datetime.date(2026, 11, 20)
_codes = itertools.count(1)

CONTENT = {
    "situation": (
        "Trước đây đường giao thông nông thôn ở xóm xuống cấp, lầy lội vào mùa mưa. "
        "Nhiều hộ gia đình đi lại khó khăn, việc vận chuyển nông sản gặp trở ngại."
    ),
    "goals": "Bê tông hóa 100% đường xóm trong hai năm. Mỗi hộ hiến đất và góp ngày công.",
    "content": (
        "Chi bộ họp bàn, phân công đảng viên phụ trách từng cụm dân cư. Tổ dân vận đến từng "
        "nhà vận động hiến đất, tháo dỡ tường rào. Công khai danh sách đóng góp tại nhà văn hóa."
    ),
    "area_and_target": "Toàn bộ các hộ dân trong xóm, ưu tiên các tuyến đường liên gia.",
    "forces": "Chi bộ, ban công tác Mặt trận, chi hội phụ nữ, chi đoàn thanh niên, cựu chiến binh.",
    "resources": "Nhân dân đóng góp tiền và ngày công, ngân sách xã hỗ trợ xi măng.",
    "expected_outputs": "Hoàn thành 3 km đường bê tông, 120 hộ hiến 2.000 m2 đất.",
    "sustainability": "Thành lập tổ tự quản duy tu đường, nhân rộng ra các xóm khác trong xã.",
}

OTHER_CONTENT = {
    "situation": "Tình trạng trộm cắp vặt và tệ nạn xã hội gia tăng ở khu dân cư giáp ranh.",
    "goals": "Giảm 50% vụ việc mất trật tự, không để phát sinh điểm nóng.",
    "content": (
        "Lắp đặt camera an ninh tại các ngã ba, tổ tuần tra thanh niên đi tuần ban đêm, "
        "nhóm Zalo báo tin giữa công an xã và người dân."
    ),
    "area_and_target": "Các hộ kinh doanh và thanh niên trong khu dân cư.",
    "forces": "Công an xã, dân quân, đoàn thanh niên, trưởng thôn.",
    "resources": "Doanh nghiệp tài trợ camera, quỹ an ninh thôn.",
    "expected_outputs": "20 camera, 4 tổ tuần tra, giảm một nửa số vụ trộm cắp.",
    "sustainability": "Quy chế phối hợp giữa công an và tổ tự quản được duy trì hằng năm.",
}


def period() -> EmulationPeriod:
    found, _created = EmulationPeriod.objects.get_or_create(
        name="2021–2025",
        defaults={"starts_on": datetime.date(2021, 1, 1), "ends_on": datetime.date(2025, 12, 31)},
    )
    return found


def make_model(
    unit: Any,
    body: Any,
    *,
    name: str = "Đường xóm sạch đẹp",
    field: str = Field.ECONOMY,
    level: str = Level.COMMUNE,
    status: str = ModelStatus.UNDER_WAY,
    starts_on: datetime.date = datetime.date(2026, 10, 1),
    year: int = 2026,
    content: dict[str, str] | None = None,
    **extra: Any,
) -> MobilizationModel:
    return MobilizationModel.objects.create(
        code=f"MH-T{next(_codes):05d}",
        name=name,
        holder=extra.pop("holder", Holder.COLLECTIVE),
        field=field,
        level=level,
        current_level=level,
        unit=unit,
        period=period(),
        year=year,
        lead_body=body,
        status=status,
        starts_on=starts_on,
        **(content or CONTENT),
        **extra,
    )


def add_evidence(model: MobilizationModel) -> Evidence:
    return Evidence.objects.create(
        model=model, file="skillful/evidence/x.jpg", content_type="image/jpeg", size=1, sha256="0"
    )


def report(indicator: Indicator, label: str, value: str, day: datetime.date) -> None:
    IndicatorReport.objects.create(
        indicator=indicator, period_label=label, reported_on=day, value=Decimal(value)
    )


def flag(model: MobilizationModel, kind: str) -> FormalismFlag | None:
    return FormalismFlag.objects.filter(model=model, kind=kind).first()


# --- No progress ----------------------------------------------------------------------------


def _with_indicator(world: Any, *values: str, baseline: str = "10", target: str = "50") -> Any:
    model = make_model(world.anh_son, world.anh_son_body)
    indicator = Indicator.objects.create(
        model=model,
        name="Hộ tham gia",
        unit_of_measure="hộ",
        baseline=Decimal(baseline),
        target=Decimal(target),
    )
    for i, value in enumerate(values):
        report(indicator, f"2026-Q{i + 1}", value, datetime.date(2026, 3 * i + 1, 1))
    return model


def test_an_indicator_stuck_at_its_baseline_is_flagged_with_its_values_and_periods(
    world: Any, english: None
) -> None:
    model = _with_indicator(world, "12", "10")
    checks.check_model(model, today=TODAY)
    found = flag(model, FlagKind.NO_PROGRESS)
    assert found is not None
    assert "Hộ tham gia" in found.reason
    assert "2026-Q1: 12" in found.reason and "2026-Q2: 10" in found.reason
    assert "baseline 10" in found.reason and "target 50" in found.reason


def test_an_indicator_falling_towards_a_lower_target_is_progress(world: Any) -> None:
    model = _with_indicator(world, "40", "30", baseline="50", target="0")
    checks.check_model(model, today=TODAY)
    assert flag(model, FlagKind.NO_PROGRESS) is None


def test_one_report_or_steady_progress_is_not_flagged(world: Any) -> None:
    once = _with_indicator(world, "10")
    rising = _with_indicator(world, "20", "30")
    kept_gain = _with_indicator(world, "30", "30")  # above its baseline: it progressed once
    for model in (once, rising, kept_gain):
        checks.check_model(model, today=TODAY)
        assert flag(model, FlagKind.NO_PROGRESS) is None


# --- Near-duplicates ------------------------------------------------------------------------


def _renamed(text: str) -> str:
    return text.replace("xóm", "bản").replace("Chi bộ", "Đảng ủy")


def test_the_same_content_registered_by_another_commune_is_flagged_pointing_at_the_first(
    world: Any, english: None
) -> None:
    first = make_model(world.anh_son, world.anh_son_body)
    content = {k: _renamed(v) for k, v in CONTENT.items()}
    # Sentences reordered too.
    content["content"] = " ".join(reversed(CONTENT["content"].split(". ")))
    copy = make_model(
        world.muong_xen, world.muong_xen_body, name="Bản làng văn minh", content=content
    )
    checks.check_model(copy, today=TODAY)
    checks.check_model(first, today=TODAY)
    found = flag(copy, FlagKind.NEAR_DUPLICATE)
    assert found is not None and found.other == first
    assert first.code in found.reason and "Xã Anh Sơn" in found.reason and "%" in found.reason
    assert flag(first, FlagKind.NEAR_DUPLICATE) is None  # the first registration is not


def test_different_models_of_a_field_a_replication_and_a_new_round_are_not_duplicates(
    world: Any,
) -> None:
    first = make_model(world.anh_son, world.anh_son_body)
    next_round = make_model(world.anh_son, world.anh_son_body, year=2027)
    other = make_model(world.muong_xen, world.muong_xen_body, content=OTHER_CONTENT, name="An ninh")
    for model in (next_round, other):
        checks.check_model(model, today=TODAY)
        assert flag(model, FlagKind.NEAR_DUPLICATE) is None
    next_round.delete()
    adopted = make_model(world.muong_xen, world.muong_xen_body, origin=first)
    checks.check_model(adopted, today=TODAY)
    assert flag(adopted, FlagKind.NEAR_DUPLICATE) is None


def test_a_copy_in_another_field_is_not_compared(world: Any) -> None:
    make_model(world.anh_son, world.anh_son_body)
    copy = make_model(world.muong_xen, world.muong_xen_body, field=Field.CULTURE_SOCIETY)
    checks.check_model(copy, today=TODAY)
    assert flag(copy, FlagKind.NEAR_DUPLICATE) is None


def test_check_all_finds_the_same_duplicates_as_one_model_at_a_time(world: Any) -> None:
    first = make_model(world.anh_son, world.anh_son_body)
    copy = make_model(world.muong_xen, world.muong_xen_body, name="Tên khác")
    make_model(world.muong_xen, world.muong_xen_body, content=OTHER_CONTENT, name="An ninh")
    checks.check_all(today=TODAY)
    found = flag(copy, FlagKind.NEAR_DUPLICATE)
    assert found is not None and found.other == first
    assert FormalismFlag.objects.filter(kind=FlagKind.NEAR_DUPLICATE).count() == 1


def test_shingles_ignore_diacritics_case_and_the_order_of_sentences() -> None:
    a = similarity.shingles(["Vận động nhân dân hiến đất. Làm đường bê tông."])
    b = similarity.shingles(["lam duong be tong. VAN DONG NHAN DAN HIEN DAT"])
    assert a == b and similarity.jaccard(a, b) == 1.0


# --- Rising complaints ----------------------------------------------------------------------


def _voices(world: Any, unit: Any, topic: str, kind: str, days: list[datetime.date]) -> None:
    from danvan.voices.models import Topic, Voice

    topic_row = Topic.objects.get(code=topic, province__isnull=True)
    fields = {f.name for f in Voice._meta.get_fields()}
    for day in days:
        values: dict[str, Any] = {
            "tracking_code": f"T{next(_codes):09d}",
            "kind": kind,
            "channel": "letter",
            "unit": unit,
            "topic": topic_row,
            "text": "Đường bị ngập",
            "received_on": day,
        }
        if "province" in fields:
            values["province"] = world.nghe_an
        Voice.objects.create(**values)


def _rising_model(world: Any) -> MobilizationModel:
    return make_model(world.anh_son, world.anh_son_body, starts_on=datetime.date(2025, 1, 1))


def test_complaints_in_the_models_field_rising_in_its_area_are_flagged_with_the_counts(
    world: Any, english: None
) -> None:
    model = _rising_model(world)
    recent = [datetime.date(2026, 9, d) for d in range(1, 7)]  # 6 in the last six months
    before = [datetime.date(2026, 2, d) for d in range(1, 4)]  # 3 in the six months before
    _voices(world, world.anh_son_village, "land", "complaint_first", recent)
    _voices(world, world.anh_son, "infrastructure", "reflection", before)
    checks.check_model(model, today=TODAY)
    found = flag(model, FlagKind.RISING_COMPLAINTS)
    assert found is not None
    assert found.reason.startswith("6 complaints") and "against 3" in found.reason


def test_complaints_elsewhere_in_another_field_of_another_kind_or_not_rising_are_ignored(
    world: Any, settings: Any
) -> None:
    model = _rising_model(world)
    recent = [datetime.date(2026, 9, d) for d in range(1, 7)]
    _voices(world, world.muong_xen, "land", "complaint_first", recent)  # another commune
    _voices(world, world.anh_son, "health", "complaint_first", recent)  # another field
    _voices(world, world.anh_son, "land", "opinion", recent)  # an opinion, not a complaint
    checks.check_model(model, today=TODAY)
    assert flag(model, FlagKind.RISING_COMPLAINTS) is None

    _voices(world, world.anh_son, "land", "denunciation", recent)
    _voices(
        world,
        world.anh_son,
        "land",
        "denunciation",
        [datetime.date(2026, 3, d) for d in range(1, 6)],
    )
    checks.check_model(model, today=TODAY)  # 6 against 5: a rise of 20 %, under 50 %
    assert flag(model, FlagKind.RISING_COMPLAINTS) is None

    settings.DANVAN_SKILLFUL_COMPLAINTS_RISE_PERCENT = 10
    checks.check_model(model, today=TODAY)
    assert flag(model, FlagKind.RISING_COMPLAINTS) is not None


# --- No evidence ----------------------------------------------------------------------------


def test_a_model_under_way_for_months_or_proposed_without_evidence_is_flagged(
    world: Any, english: None
) -> None:
    old = make_model(world.anh_son, world.anh_son_body, starts_on=datetime.date(2026, 1, 5))
    proposed = make_model(world.anh_son, world.anh_son_body, status=ModelStatus.PROPOSED)
    checks.check_model(old, today=TODAY)
    checks.check_model(proposed, today=TODAY)
    old_flag = flag(old, FlagKind.NO_EVIDENCE)
    assert old_flag is not None and "319 days after it started on 05/01/2026" in old_flag.reason
    assert flag(proposed, FlagKind.NO_EVIDENCE) is not None


def test_a_new_model_or_one_with_evidence_is_not_flagged_and_evidence_clears_the_flag(
    world: Any,
) -> None:
    new = make_model(world.anh_son, world.anh_son_body, starts_on=datetime.date(2026, 10, 1))
    proposed = make_model(world.anh_son, world.anh_son_body, status=ModelStatus.PROPOSED)
    checks.check_model(new, today=TODAY)
    checks.check_model(proposed, today=TODAY)
    assert flag(new, FlagKind.NO_EVIDENCE) is None
    assert flag(proposed, FlagKind.NO_EVIDENCE) is not None
    add_evidence(proposed)
    report = checks.check_model(proposed, today=TODAY)
    assert report.removed == 1 and flag(proposed, FlagKind.NO_EVIDENCE) is None


# --- Dismissing -----------------------------------------------------------------------------


def test_a_dismissed_flag_stays_dismissed_until_its_numbers_change(world: Any, leader: Any) -> None:
    model = _with_indicator(world, "12", "10")
    checks.check_model(model, today=TODAY)
    found = flag(model, FlagKind.NO_PROGRESS)
    assert found is not None
    checks.flag_dismiss(actor=Actor.of_user(leader), flag=found, note="Mưa lũ, đã xác minh")
    checks.check_model(model, today=TODAY)
    found.refresh_from_db()
    assert found.dismissed_at is not None and found.dismissed_note == "Mưa lũ, đã xác minh"

    indicator = model.indicators.get()
    report(indicator, "2026-Q3", "9", datetime.date(2026, 8, 1))
    checks.check_model(model, today=TODAY)
    found.refresh_from_db()
    assert found.dismissed_at is None and "2026-Q3: 9" in found.reason


def test_only_reviewers_dismiss_and_they_must_say_why(
    world: Any, leader: Any, commune_officer: Any
) -> None:
    model = _with_indicator(world, "12", "10")
    checks.check_model(model, today=TODAY)
    found = flag(model, FlagKind.NO_PROGRESS)
    assert found is not None
    with pytest.raises(PermissionDenied):
        checks.flag_dismiss(actor=Actor.of_user(commune_officer), flag=found, note="Không sao")
    with pytest.raises(ValidationError):
        checks.flag_dismiss(actor=Actor.of_user(leader), flag=found, note="  ")


def test_the_command_and_the_task_check_every_model(world: Any, capsys: Any) -> None:
    proposed = make_model(world.anh_son, world.anh_son_body, status=ModelStatus.PROPOSED)
    call_command("check_models")
    assert flag(proposed, FlagKind.NO_EVIDENCE) is not None
    assert "1" in capsys.readouterr().out
    FormalismFlag.objects.all().delete()
    checks.check_models_task.enqueue()
    assert flag(proposed, FlagKind.NO_EVIDENCE) is not None


# --- The flags on the model page and the scoring page -------------------------------------------


def _render_flags(model: MobilizationModel, user: Any) -> str:
    from django.template.loader import render_to_string
    from django.test import RequestFactory

    request = RequestFactory().get(f"/models/{model.code}/")
    request.user = user
    return render_to_string("skillful/_flags.html", {"model": model}, request=request)


def test_reviewers_see_the_flags_with_the_other_model_and_a_form_to_dismiss_them(
    world: Any, leader: Any, commune_officer: Any, english: None
) -> None:
    first = make_model(world.muong_xen, world.muong_xen_body)
    copy = make_model(world.anh_son, world.anh_son_body, name="Tên khác")
    checks.check_model(copy, today=TODAY)
    page = _render_flags(copy, leader)
    assert "Near-identical to another model" in page
    assert f'href="/models/{first.code}/"' in page
    assert "Dismiss the flag" in page
    # A commune officer of Anh Sơn sees the flag, not Mường Xén's page, and cannot dismiss it.
    page = _render_flags(copy, commune_officer)
    assert first.code in page and f'href="/models/{first.code}/"' not in page
    assert "Dismiss the flag" not in page


def test_a_model_without_flags_shows_nothing(world: Any, leader: Any) -> None:
    model = make_model(world.anh_son, world.anh_son_body)
    assert _render_flags(model, leader).strip() == ""


def test_dismissing_through_the_page_keeps_the_note_and_goes_back(
    world: Any, leader: Any, commune_officer: Any, login: Any
) -> None:
    from django.urls import reverse

    model = make_model(world.anh_son, world.anh_son_body, status=ModelStatus.PROPOSED)
    checks.check_model(model, today=TODAY)
    found = flag(model, FlagKind.NO_EVIDENCE)
    assert found is not None
    url = reverse("skillful:flag_dismiss", args=[found.pk])
    refused = login(commune_officer).post(url, {"note": "Không sao", "next": "/models/"})
    assert refused.status_code == 403
    response = login(leader).post(url, {"note": "Ảnh nộp bản giấy", "next": "/models/stats/"})
    assert response.status_code == 302 and response["Location"] == "/models/stats/"
    found.refresh_from_db()
    assert found.dismissed_note == "Ảnh nộp bản giấy"
    outside = login(leader).post(url, {"note": "x", "next": "https://evil.example/"})
    assert outside["Location"] == f"/models/{model.code}/"


# --- Reasons stored as numbers, written in the reader's language --------------------------------


def test_a_flag_stores_its_numbers_and_reads_in_the_readers_language(world: Any) -> None:
    from django.utils import translation

    model = _with_indicator(world, "1234.5", "1234.5", baseline="2000", target="5000")
    checks.check_model(model, today=TODAY)
    found = flag(model, FlagKind.NO_PROGRESS)
    assert found is not None and found.legacy_reason == ""
    (row,) = found.details["indicators"]
    assert row["previous"] == "1234.5" and row["latest"] == "1234.5" and row["target"] == "5000"
    with translation.override("en"):
        english_text = found.reason
    with translation.override("vi"):
        vietnamese_text = found.reason
    assert english_text.startswith("1 indicator(s) show no progress")
    assert "2026-Q2: 1,234.5" in english_text and "target 5,000" in english_text
    assert vietnamese_text.startswith("1 chỉ tiêu không có tiến triển")
    assert "2026-Q2: 1.234,5" in vietnamese_text and "5.000" in vietnamese_text


def test_the_flags_on_a_page_follow_the_readers_language(world: Any, leader: Any) -> None:
    from django.utils import translation

    model = make_model(world.anh_son, world.anh_son_body, status=ModelStatus.PROPOSED)
    checks.check_model(model, today=TODAY)
    assert flag(model, FlagKind.NO_EVIDENCE).details == {"status": "proposed"}  # type: ignore[union-attr]
    with translation.override("en"):
        assert "It was put forward (Proposed for evaluation)" in _render_flags(model, leader)
    with translation.override("vi"):
        page = _render_flags(model, leader)
    assert "It was put forward" not in page and "Proposed for evaluation" not in page


def test_an_old_row_with_a_sentence_stays_readable_and_keeps_its_dismissal_when_upgraded(
    world: Any, settings: Any
) -> None:
    from django.utils import timezone, translation

    settings.LANGUAGE_CODE = "vi"
    model = make_model(world.anh_son, world.anh_son_body, status=ModelStatus.PROPOSED)
    with translation.override("vi"):
        old_sentence = checks_findings.find_no_evidence(model, today=TODAY).reason  # type: ignore[union-attr]
    old = FormalismFlag.objects.create(
        model=model,
        kind=FlagKind.NO_EVIDENCE,
        legacy_reason=old_sentence,
        dismissed_at=timezone.now(),
        dismissed_note="Ảnh nộp bản giấy",
    )
    stale = FormalismFlag.objects.create(
        model=_with_indicator(world, "12", "10"),
        kind=FlagKind.NO_PROGRESS,
        legacy_reason="Câu cũ với số khác",
        dismissed_at=timezone.now(),
        dismissed_note="Đã xem",
    )
    assert old.reason == old_sentence  # readable as written until the checks run again

    checks.check_all(today=TODAY)
    old.refresh_from_db()
    assert old.details == {"status": "proposed"} and old.legacy_reason == ""
    assert old.dismissed_at is not None and old.dismissed_note == "Ảnh nộp bản giấy"
    stale.refresh_from_db()  # its sentence says something else: the reviewer must look again
    assert stale.details["indicators"] and stale.legacy_reason == ""
    assert stale.dismissed_at is None


def test_a_dismissed_no_evidence_flag_is_not_raised_again_only_because_days_pass(
    world: Any, leader: Any
) -> None:
    model = make_model(world.anh_son, world.anh_son_body, starts_on=datetime.date(2026, 1, 5))
    checks.check_model(model, today=TODAY)
    found = flag(model, FlagKind.NO_EVIDENCE)
    assert found is not None and found.details["days"] == 319
    checks.flag_dismiss(actor=Actor.of_user(leader), flag=found, note="Hồ sơ giấy đã xem")
    checks.check_model(model, today=TODAY + datetime.timedelta(days=1))
    found.refresh_from_db()
    assert found.details["days"] == 320 and found.dismissed_at is not None


def test_a_dismissed_flag_stays_dismissed_when_only_a_threshold_setting_changes(
    world: Any, leader: Any, monkeypatch: Any
) -> None:
    make_model(world.muong_xen, world.muong_xen_body)
    copy = make_model(world.anh_son, world.anh_son_body, name="Tên khác")
    checks.check_model(copy, today=TODAY)
    found = flag(copy, FlagKind.NEAR_DUPLICATE)
    assert found is not None and found.details["threshold"] == 60
    checks.flag_dismiss(actor=Actor.of_user(leader), flag=found, note="Đã xác minh")
    monkeypatch.setattr(similarity, "NEAR_DUPLICATE_THRESHOLD", 0.7)
    checks.check_model(copy, today=TODAY)
    found.refresh_from_db()
    assert found.details["threshold"] == 70 and found.dismissed_at is not None


# --- Audit ---------------------------------------------------------------------------------------


def _check_rows(model: MobilizationModel) -> list[Any]:
    from danvan.audit.models import AuditEntry

    return list(
        AuditEntry.objects.filter(action="skillful.flags_check", object_id=str(model.pk)).order_by(
            "id"
        )
    )


def test_a_check_that_raises_or_removes_a_flag_writes_one_audit_row_with_kinds_and_thresholds(
    world: Any,
) -> None:
    model = make_model(world.anh_son, world.anh_son_body, starts_on=datetime.date(2026, 1, 5))
    before = len(_check_rows(model))
    checks.check_model(model, today=TODAY)
    rows = _check_rows(model)[before:]
    assert len(rows) == 1
    row = rows[0]
    assert row.actor_label == "system:check_models" and row.unit_id == model.unit_id
    assert row.changes["raised"] == [FlagKind.NO_EVIDENCE]
    assert row.changes["standing"] == [FlagKind.NO_EVIDENCE]
    assert row.changes["thresholds"]["near_duplicate"] == similarity.NEAR_DUPLICATE_THRESHOLD
    assert row.changes["thresholds"]["evidence_grace_days"] == 90

    # Only the days moved on: the flag's numbers are refreshed, nothing is decided, no row.
    checks.check_model(model, today=TODAY + datetime.timedelta(days=1))
    checks.check_all(today=TODAY + datetime.timedelta(days=2))
    assert len(_check_rows(model)) == before + 1

    add_evidence(model)
    checks.check_all(today=TODAY)
    last = _check_rows(model)[-1]
    assert last.changes["removed"] == [FlagKind.NO_EVIDENCE] and last.changes["standing"] == []


def test_the_audit_row_is_written_in_the_transaction_of_the_flags_it_records(
    world: Any, monkeypatch: Any
) -> None:
    model = make_model(world.anh_son, world.anh_son_body, starts_on=datetime.date(2026, 1, 5))
    flags_before = FormalismFlag.objects.filter(model=model).count()

    def refuse(**kwargs: Any) -> None:
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(checks, "audit_record", refuse)
    with pytest.raises(RuntimeError):
        checks.check_model(model, today=TODAY)
    assert FormalismFlag.objects.filter(model=model).count() == flags_before
