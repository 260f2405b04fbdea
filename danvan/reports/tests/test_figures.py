"""Every figure of a report equals a count made directly over the voices, issues, alerts, models and
reports of the unit and period, for the period itself, the one before and a year earlier."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db.models import Q, QuerySet
from django.utils import timezone, translation

from danvan.alerts.models import Alert, AlertLevel, AlertRule, AlertStatus
from danvan.alerts.rules import reason_sentence
from danvan.alerts.scan import alerts_scan
from danvan.alerts.services import alert_acknowledge
from danvan.audit.context import Actor
from danvan.insight.models import Issue, IssueStatus
from danvan.insight.services_matching import voice_analyse
from danvan.insight.trained import forget_trained
from danvan.organizations.models import BodyKind
from danvan.organizations.services import body_create
from danvan.reports.figures import report_figures
from danvan.reports.figures_text import quote, unit_label
from danvan.reports.models import Report, ReportStatus
from danvan.reports.periods import ReportPeriod, parse_period, period_containing
from danvan.reports.services import (
    report_approve,
    report_edit,
    report_generate,
    report_issue,
    report_submit,
)
from danvan.reports.snapshot import Snapshot
from danvan.skillful.models import (
    Commendation,
    Holder,
    Level,
    MobilizationModel,
    ModelStatus,
)
from danvan.skillful.models import Field as ModelField
from danvan.skillful.services_registry import CommendationInput, model_record_existing
from danvan.skillful.tests.factories_registry import PARTS_TEXT, make_period, register
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import OPEN_STATUSES, Channel, Topic, Voice, VoiceKind, VoiceStatus
from danvan.voices.services import voice_submit
from danvan.voices.services_answer import case_answer
from danvan.voices.services_routing import case_accept, case_assign, case_refuse

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("test")
NAME = "Nguyễn Văn An"
FLOOD = [
    "Đường xóm 7 bị ngập sâu mỗi khi mưa, nước tràn vào nhà dân",
    "Cử tri xóm 7 đề nghị nâng cốt đường, đường ngập úng kéo dài sau mỗi trận mưa",
    "Kính gửi UBND xã, con đường xóm 7 ngập lụt, học sinh không đi học được",
]
CLINIC = [
    "Trạm y tế bản Na Xái thiếu thuốc thiết yếu, người dân phải đi xa mua thuốc",
    "Trạm y tế bản Na Xái không có thuốc, đề nghị cấp bổ sung thuốc cho trạm",
]


@pytest.fixture(autouse=True)
def _clean_tables() -> Iterator[None]:
    """As in the dashboards' tests: a flush on SQLite may leave bucket rows without voices."""
    from danvan.dashboards.models import Bucket, VoiceFact

    if not Voice.objects.exists():
        VoiceFact.objects.all().delete()
        Bucket.objects.all().delete()
    forget_trained()
    yield


@dataclass
class Data:
    today: datetime.date
    quarter: ReportPeriod
    month: ReportPeriod
    days: ReportPeriod
    surge_alert: Alert
    child_report: Report


def topic(code: str) -> Topic:
    return Topic.objects.get(code=code, province=None)


def submit(unit: Any, day: datetime.date, **overrides: Any) -> Voice:
    values: dict[str, Any] = {
        "actor": SYSTEM,
        "kind": VoiceKind.REFLECTION,
        "channel": Channel.WEB,
        "unit": unit,
        "topic": topic("land"),
        "text": "Chưa nhận được tiền bồi thường khi thu hồi đất làm đường.",
        "received_on": day,
        "submitter_name": NAME,
    }
    values.update(overrides)
    return voice_submit(**values)


def handle(voice: Voice, action: str, body: Any = None, accepted_on: Any = None) -> Voice:
    """``accept``, ``refuse``, ``assign`` (accept first) or ``answer`` (accept, assign, answer)."""
    if action == "refuse":
        return case_refuse(
            actor=SYSTEM,
            voice=voice,
            expected_version=voice.version,
            reason="Không thuộc thẩm quyền.",
        )
    voice = case_accept(
        actor=SYSTEM,
        voice=voice,
        expected_version=voice.version,
        accepted_on=accepted_on or voice.received_on,
    )
    if action == "accept":
        return voice
    voice = case_assign(actor=SYSTEM, voice=voice, expected_version=voice.version, body=body)
    if action == "assign":
        return voice
    return case_answer(
        actor=SYSTEM, voice=voice, expected_version=voice.version, text="Đã trả lời."
    )


def analysed(voice: Voice) -> Voice:
    voice_analyse(voice_id=voice.pk)
    voice.refresh_from_db()
    return voice


@pytest.fixture
def data(world: Any, commune_officer: Any) -> Data:
    today = timezone.localdate()
    quarter = period_containing("quarter", today).previous()
    previous, last_year = quarter.previous(), quarter.last_year()
    month = period_containing("month", today)
    days = parse_period(f"{today - datetime.timedelta(days=29)}..{today}")
    village, commune = world.anh_son_village, world.anh_son
    other_village, other_commune = world.muong_xen_village, world.muong_xen
    body, other_body = world.anh_son_body, world.muong_xen_body

    def at(period: ReportPeriod, offset: int) -> datetime.date:
        return min(period.start + datetime.timedelta(days=offset), today)

    # Voices of every kind, channel and topic; in the quarter, the one before, a year before,
    # recently, and one in another province (never counted).
    q = [at(quarter, 0), at(quarter, 17), at(quarter, 40), quarter.end]
    kinds = [
        (VoiceKind.COMPLAINT_FIRST, "answer"),
        (VoiceKind.COMPLAINT_FIRST, "refuse"),
        (VoiceKind.COMPLAINT_FIRST, "accept"),
        (VoiceKind.COMPLAINT_FIRST, None),
        (VoiceKind.COMPLAINT_SECOND, "assign"),
        (VoiceKind.DENUNCIATION, "answer"),
        (VoiceKind.DENUNCIATION, "accept"),
        (VoiceKind.VOTER_RECOMMENDATION, "answer"),
        (VoiceKind.VOTER_RECOMMENDATION, None),
        (VoiceKind.OPINION, "answer"),
        (VoiceKind.REFLECTION, "assign"),
        (VoiceKind.RECEPTION, None),
    ]
    places = [
        (village, body),
        (commune, body),
        (other_village, other_body),
        (other_commune, other_body),
    ]
    channels = [Channel.WEB, Channel.HOTLINE, Channel.LETTER, Channel.VOTER_CONTACT]
    topics = [topic("land"), topic("health"), topic("environment")]
    for i, (kind, action) in enumerate(kinds):
        unit, unit_body = places[i % len(places)]
        voice = submit(
            unit,
            q[i % len(q)],
            kind=kind,
            channel=channels[i % len(channels)],
            topic=topics[i % len(topics)],
        )
        if action:
            handle(voice, action, unit_body)
    for i, (kind, action) in enumerate(kinds[:6]):
        unit, unit_body = places[(i + 1) % len(places)]
        voice = submit(unit, at(previous, 3 + i * 9), kind=kind, topic=topics[(i + 1) % 3])
        if action:
            handle(voice, action, unit_body)
    for i, (kind, action) in enumerate(kinds[::3]):
        unit, unit_body = places[(i + 2) % len(places)]
        voice = submit(unit, at(last_year, 5 + i * 20), kind=kind, channel=Channel.LETTER)
        if action:
            handle(voice, action, unit_body)
    submit(village, quarter.start - datetime.timedelta(days=400))  # in no column
    submit(world.hoan_kiem, q[1], kind=VoiceKind.COMPLAINT_FIRST)  # another province

    # Recent complaints: one answered within its time, one accepted and overdue.
    handle(
        submit(village, today - datetime.timedelta(days=3), kind=VoiceKind.COMPLAINT_FIRST),
        "answer",
        body,
    )
    handle(
        submit(commune, today - datetime.timedelta(days=60), kind=VoiceKind.COMPLAINT_FIRST),
        "accept",
    )

    # Two issues in the quarter (and one flood voice the quarter before).
    flood = [analysed(submit(village, q[1], topic=topic("infrastructure"), text=t)) for t in FLOOD]
    analysed(submit(village, at(previous, 20), topic=topic("infrastructure"), text=FLOOD[0]))
    for text in CLINIC:
        analysed(submit(other_village, q[2], topic=topic("health"), text=text))
    assert len({v.issue_id for v in flood}) == 1

    # A surge of environment voices raised an alert in the quarter; a land one today.
    scan_day = at(quarter, 30)
    for n in range(5):
        submit(other_village, scan_day - datetime.timedelta(days=n), topic=topic("environment"))
    alerts_scan(today=scan_day)
    surge = Alert.objects.get(rule=AlertRule.SURGE, unit=other_commune)
    surge = alert_acknowledge(
        actor=SYSTEM, alert=surge, expected_version=surge.version, note="Đã cử cán bộ xuống bản."
    )
    for n in range(5):
        submit(village, today - datetime.timedelta(days=n), topic=topic("social_policy"))
    alerts_scan(today=today)

    # Models: one registered now, one honored in the quarter.
    register(world, None)
    model_record_existing(
        actor=SYSTEM,
        unit=other_commune,
        values={
            "name": "Dân vận khéo giữ gìn vệ sinh môi trường bản",
            "holder": Holder.COLLECTIVE,
            "field": ModelField.CULTURE_SOCIETY,
            "level": Level.COMMUNE,
            "period": make_period(),
            "year": quarter.start.year,
            "lead_body": other_body,
            "starts_on": quarter.start - datetime.timedelta(days=100),
            **PARTS_TEXT,
        },
        status=ModelStatus.HONORED,
        commendation=CommendationInput("12/QĐ-UBND", at(quarter, 50), "UBND tỉnh", "Bằng khen"),
    )

    # Reports of the communes below, drafted, approved and issued through the services.
    def issued(unit: Any, period: ReportPeriod, day: datetime.date, proposals: str) -> Report:
        committee = body_create(
            actor=SYSTEM,
            unit=unit,
            kind=BodyKind.PEOPLES_COMMITTEE,
            name=f"Ủy ban nhân dân {unit_label(unit.name, unit.kind)} ({proposals})",
            short_name="UBND",
        )
        report = report_generate(actor=SYSTEM, body=committee, period=period)
        report = report_edit(
            actor=SYSTEM,
            report=report,
            expected_version=report.version,
            proposals=proposals,
            signer_name="Hoàng Văn Minh",
            signer_position="CHỦ TỊCH",
        )
        report = report_submit(actor=SYSTEM, report=report, expected_version=report.version)
        report = report_approve(actor=SYSTEM, report=report, expected_version=report.version)
        return report_issue(
            actor=SYSTEM, report=report, expected_version=report.version, issued_on=day
        )

    issued(commune, quarter, quarter.end, "Đề nghị thứ nhất.")
    child = issued(commune, quarter, at(quarter, 95), "Đề nghị sửa đường xóm 7.")
    report_generate(actor=SYSTEM, body=child.body, period=quarter)  # a draft: not counted
    september = period_containing("month", quarter.end)
    issued(other_commune, september, quarter.end, "Đề nghị của tháng.")  # another period
    return Data(today, quarter, month, days, surge, child)


# --- Direct counts ------------------------------------------------------------------------------


def voices(unit: AdministrativeUnit, start: datetime.date, end: datetime.date) -> QuerySet[Voice]:
    return Voice.objects.filter(unit__path__startswith=unit.path, received_on__range=(start, end))


def columns(unit: AdministrativeUnit, period: ReportPeriod, **where: Any) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        voices(unit, p.start, p.end).filter(**where).count()
        for p in (period, period.previous(), period.last_year())
    )


def on_time(voice: Voice) -> bool:
    """The dashboards' rule (README "On time"), straight from the voice and its due dates."""
    if voice.answered_at is None:
        return False
    answered_on = timezone.localdate(voice.answered_at)
    steps = [
        d.due_on for d in voice.deadlines.all() if d.step in ("answer", "resolve") and d.due_on
    ]
    due = min(steps) if steps else voice.due_on
    return due is None or answered_on <= due


def cases(
    unit: AdministrativeUnit, period: ReportPeriod, today: datetime.date, kinds: list[str]
) -> dict[str, int]:
    got = voices(unit, period.start, period.end).filter(kind__in=kinds)
    resolved = list(got.filter(answered_at__isnull=False).prefetch_related("deadlines"))
    in_time = sum(on_time(v) for v in resolved)
    return {
        "received": got.count(),
        "accepted": got.exclude(status=VoiceStatus.REFUSED)
        .filter(Q(accepted_on__isnull=False) | ~Q(status=VoiceStatus.RECEIVED))
        .count(),
        "refused": got.filter(status=VoiceStatus.REFUSED).count(),
        "resolved": len(resolved),
        "resolved_on_time": in_time,
        "resolved_late": len(resolved) - in_time,
        "pending": got.filter(status__in=OPEN_STATUSES).count(),
        "overdue": got.filter(status__in=OPEN_STATUSES, due_on__lt=today).count(),
    }


def table(rows: list[Any]) -> dict[str, tuple[int, int, int]]:
    return {r.key: (r.n, r.previous, r.last_year) for r in rows}


def expected_table(
    unit: AdministrativeUnit, period: ReportPeriod, field: str, values: list[Any]
) -> dict[str, tuple[int, int, int]]:
    result = {str(v): columns(unit, period, **{field: v}) for v in values}
    return {k: v for k, v in result.items() if any(v)}


def assert_sorted(rows: list[Any]) -> None:
    assert [r.n for r in rows] == sorted((r.n for r in rows), reverse=True)


def assert_figures(
    snapshot: Snapshot, unit: AdministrativeUnit, period: ReportPeriod, today: datetime.date
) -> None:
    p, prev, ly = period, period.previous(), period.last_year()
    assert snapshot.unit_code == unit.code
    assert snapshot.period.code == p.code and snapshot.period.label == p.label_vi()
    assert (snapshot.period.previous_start, snapshot.period.last_year_end) == (
        prev.start.isoformat(),
        ly.end.isoformat(),
    )
    assert (snapshot.total.n, snapshot.total.previous, snapshot.total.last_year) == columns(unit, p)

    # Tables by kind, topic, channel and unit below; no row that is zero everywhere.
    assert table(snapshot.by_kind) == expected_table(unit, p, "kind", list(VoiceKind.values))
    assert table(snapshot.by_channel) == expected_table(unit, p, "channel", list(Channel.values))
    topic_ids = list(Topic.objects.values_list("pk", flat=True))
    assert table(snapshot.by_topic) == expected_table(unit, p, "topic_id", topic_ids)
    children = AdministrativeUnit.objects.current().filter(parent=unit)
    expected_units = {
        c.code: tuple(voices(c, x.start, x.end).count() for x in (p, prev, ly)) for c in children
    }
    assert table(snapshot.by_unit) == {k: v for k, v in expected_units.items() if any(v)}
    for rows in (snapshot.by_kind, snapshot.by_topic, snapshot.by_channel, snapshot.by_unit):
        assert_sorted(rows)
    with translation.override("vi"):
        assert {r.key: r.label for r in snapshot.by_kind} == {
            r.key: str(VoiceKind(r.key).label) for r in snapshot.by_kind
        }
        assert {r.key: r.label for r in snapshot.by_channel} == {
            r.key: str(Channel(r.key).label) for r in snapshot.by_channel
        }
    assert {r.key: r.label for r in snapshot.by_topic} == {
        r.key: Topic.objects.get(pk=r.key).name for r in snapshot.by_topic
    }
    assert {r.key: r.label for r in snapshot.by_unit} == {
        c.code: unit_label(c.name, c.kind) for c in children if any(expected_units[c.code])
    }

    # What became of them.
    in_period = voices(unit, p.start, p.end)
    answered = list(in_period.filter(answered_at__isnull=False).prefetch_related("deadlines"))
    assert snapshot.answered == len(answered)
    assert snapshot.answered_on_time == sum(on_time(v) for v in answered)
    days = [(timezone.localdate(v.answered_at) - v.received_on).days for v in answered]
    assert snapshot.average_days == (round(sum(days) / len(days), 1) if days else None)
    assert snapshot.overdue == in_period.filter(status__in=OPEN_STATUSES, due_on__lt=today).count()

    # The trend: per day up to 62 days, else per month; the previous period step by step.
    by_month = p.days > 62

    def steps(x: ReportPeriod) -> list[int]:
        counts: Counter[str] = Counter()
        day = x.start
        while day <= x.end:
            counts[f"{day:%m/%Y}" if by_month else f"{day:%d/%m}"] += 0
            day += datetime.timedelta(days=1)
        for received_on in voices(unit, x.start, x.end).values_list("received_on", flat=True):
            counts[f"{received_on:%m/%Y}" if by_month else f"{received_on:%d/%m}"] += 1
        return list(counts.values())

    now, before = steps(p), steps(prev)
    assert [t.n for t in snapshot.trend] == now
    assert [t.previous for t in snapshot.trend] == [
        before[i] if i < len(before) else 0 for i in range(len(now))
    ]
    assert sum(t.n for t in snapshot.trend) == snapshot.total.n

    # Complaints, denunciations, voters' recommendations.
    complaints = cases(unit, p, today, [VoiceKind.COMPLAINT_FIRST, VoiceKind.COMPLAINT_SECOND])
    assert vars(snapshot.complaints) == complaints
    assert vars(snapshot.denunciations) == cases(unit, p, today, [VoiceKind.DENUNCIATION])
    voters = cases(unit, p, today, [VoiceKind.VOTER_RECOMMENDATION])
    assert vars(snapshot.voter_recommendations) == {
        "received": voters["received"],
        "answered": voters["resolved"],
        "answered_on_time": voters["resolved_on_time"],
        "pending": voters["pending"],
    }

    # The largest issues of the period, in the people's words.
    per_issue = Counter(in_period.filter(issue__isnull=False).values_list("issue_id", flat=True))
    top = sorted(per_issue.items(), key=lambda item: (-item[1], item[0]))[:5]
    assert [(c.issue_id, c.voices) for c in snapshot.concerns] == top
    for concern in snapshot.concerns:
        issue = Issue.objects.get(pk=concern.issue_id)
        assert concern.total_voices == issue.voice_count == issue.voices.count()
        assert concern.title == issue.title
        assert concern.text in [
            quote(t) for t in in_period.filter(issue=issue).values_list("text", flat=True)
        ]
        assert NAME not in concern.text
        with translation.override("vi"):
            assert concern.status == str(IssueStatus(issue.status).label)

    # Hot spots: raised in the period, or before and still active in it.
    alerts = Alert.objects.filter(unit__path__startswith=unit.path, raised_on__lte=p.end).filter(
        Q(raised_on__gte=p.start) | Q(closed_at__isnull=True) | Q(closed_at__date__gte=p.start)
    )
    assert sorted(h.alert_id for h in snapshot.hot_spots) == sorted(a.pk for a in alerts)
    with translation.override("vi"):
        for spot in snapshot.hot_spots:
            alert = Alert.objects.get(pk=spot.alert_id)
            assert spot.reason == reason_sentence(alert.rule, alert.reason)
            assert spot.level_label == str(AlertLevel(alert.level).label)
            assert spot.rule_label == str(AlertRule(alert.rule).label)
            assert spot.status_label == str(AlertStatus(alert.status).label)
            assert (alert.acknowledge_note in spot.handling) if alert.acknowledge_note else True

    # Models of "Skillful Mass Mobilization".
    models = MobilizationModel.objects.filter(unit__path__startswith=unit.path)
    assert (
        snapshot.models.registered
        == models.filter(created_at__date__range=(p.start, p.end)).count()
    )
    # Under way when the report is drafted, as the models list shows them.
    assert snapshot.models.total_active == models.filter(status=ModelStatus.UNDER_WAY).count()
    honored = Commendation.objects.filter(model__in=models, decided_on__range=(p.start, p.end))
    assert snapshot.models.honored == honored.values("model").distinct().count()
    assert sorted(snapshot.models.honored_names) == sorted(
        set(honored.values_list("model__name", flat=True))
    )

    # The issued reports of the units below for the same period: the latest of each.
    issued = Report.objects.filter(
        unit__in=children, period_code=p.code, status=ReportStatus.ISSUED
    ).order_by("unit_id", "-issued_on", "-id")
    latest: dict[int, Report] = {}
    for r in issued:
        latest.setdefault(r.unit_id, r)
    assert sorted(c.report_id for c in snapshot.children_reports) == sorted(
        r.pk for r in latest.values()
    )
    for child in snapshot.children_reports:
        report = Report.objects.get(pk=child.report_id)
        assert child.symbol == report.symbol
        assert child.issued_on == report.issued_on.isoformat()  # type: ignore[union-attr]
        assert child.received == report.figures["total"]["n"]
        assert child.complaints == report.figures["complaints"]["received"]
        assert child.resolved_on_time == report.figures["complaints"]["resolved_on_time"]
        assert child.proposals == report.proposals


# --- Tests --------------------------------------------------------------------------------------


def test_a_provincial_quarter_equals_direct_counts_in_every_column(data: Data, world: Any) -> None:
    snapshot = report_figures(unit=world.nghe_an, period=data.quarter, today=data.today)

    assert_figures(snapshot, world.nghe_an, data.quarter, data.today)
    assert snapshot.unit_name == "tỉnh Nghệ An"
    # The data reach every part of the report (the checks above are not all about zeros).
    assert snapshot.total.n and snapshot.total.previous and snapshot.total.last_year
    assert len(snapshot.trend) == 3 and snapshot.trend[0].label == f"{data.quarter.start:%m/%Y}"
    assert snapshot.complaints.received and snapshot.complaints.refused
    assert snapshot.complaints.resolved_late and snapshot.complaints.pending
    assert snapshot.denunciations.resolved and snapshot.voter_recommendations.answered
    assert [c.voices for c in snapshot.concerns][:2] == [3, 2]
    assert snapshot.concerns[0].total_voices == 4
    assert [h.alert_id for h in snapshot.hot_spots] == [data.surge_alert.pk]
    assert "Đã cử cán bộ xuống bản." in snapshot.hot_spots[0].handling
    assert snapshot.models.honored == 1 and snapshot.models.honored_names
    assert [c.report_id for c in snapshot.children_reports] == [data.child_report.pk]
    assert snapshot.children_reports[0].unit == "xã Anh Sơn"


def test_a_commune_quarter_counts_its_villages_and_nothing_else(data: Data, world: Any) -> None:
    snapshot = report_figures(unit=world.anh_son, period=data.quarter, today=data.today)

    assert_figures(snapshot, world.anh_son, data.quarter, data.today)
    assert snapshot.unit_name == "xã Anh Sơn"
    assert [r.key for r in snapshot.by_unit] == [world.anh_son_village.code]
    assert snapshot.hot_spots == [] and snapshot.children_reports == []


def test_the_current_month_is_by_day_and_shows_the_alerts_still_active(
    data: Data, world: Any
) -> None:
    snapshot = report_figures(unit=world.nghe_an, period=data.month, today=data.today)

    assert_figures(snapshot, world.nghe_an, data.month, data.today)
    assert len(snapshot.trend) == data.month.days
    assert data.surge_alert.pk in {h.alert_id for h in snapshot.hot_spots}
    assert len(snapshot.hot_spots) == 2
    assert snapshot.models.registered == 2  # both written into Dân Vận today


def test_a_range_of_days_compares_with_the_days_before_and_a_year_earlier(
    data: Data, world: Any
) -> None:
    snapshot = report_figures(unit=world.nghe_an, period=data.days, today=data.today)

    assert_figures(snapshot, world.nghe_an, data.days, data.today)
    assert snapshot.complaints.resolved_on_time == 1
    assert snapshot.period.kind == "range"


def test_a_year_and_a_village_are_read_too(data: Data, world: Any) -> None:
    year = parse_period(str(data.quarter.start.year))
    for unit in (world.nghe_an, world.muong_xen, world.muong_xen_village):
        assert_figures(
            report_figures(unit=unit, period=year, today=data.today), unit, year, data.today
        )


def test_labels_are_vietnamese_whatever_the_language_of_the_reader(data: Data, world: Any) -> None:
    with translation.override("en"):
        snapshot = report_figures(unit=world.nghe_an, period=data.quarter, today=data.today)
        assert translation.get_language() == "en"

    labels = {r.key: r.label for r in snapshot.by_kind}
    assert labels[VoiceKind.COMPLAINT_FIRST] == "Khiếu nại lần đầu"
    assert snapshot.hot_spots[0].level_label != "Serious"
    assert "voices" not in snapshot.hot_spots[0].reason


def test_the_snapshot_survives_json_and_the_number_of_queries_does_not_grow(
    data: Data, world: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(18):
        snapshot = report_figures(unit=world.nghe_an, period=data.quarter, today=data.today)

    assert Snapshot.from_json(snapshot.to_json()) == snapshot


def test_an_empty_unit_has_zeros_and_no_rows(world: Any) -> None:
    snapshot = report_figures(unit=world.hoan_kiem, period=parse_period("2026-Q3"))

    assert snapshot.total.n == 0 and snapshot.by_kind == [] and snapshot.by_unit == []
    assert snapshot.average_days is None and snapshot.concerns == []
    assert len(snapshot.trend) == 3 and all(t.n == 0 for t in snapshot.trend)
    assert snapshot.unit_name == "phường Hoàn Kiếm"


def test_a_quote_leaves_out_phone_numbers_and_emails_and_stops_at_a_word() -> None:
    text = "Gia đình tôi ở xóm 3, gọi 0912 345 678 hoặc an@example.vn.  " + "đường hỏng " * 60

    quoted = quote(text)

    assert "0912" not in quoted and "345 678" not in quoted and "example" not in quoted
    assert len(quoted) <= 301 and quoted.endswith("…")
    assert quoted[:-1].endswith(("đường", "hỏng"))
    assert quote("Ngắn  gọn\n thôi") == "Ngắn gọn thôi"


def test_unit_names_are_written_as_in_a_sentence() -> None:
    assert unit_label("Xã Anh Sơn", "commune") == "xã Anh Sơn"
    assert unit_label("Nghệ An", "province") == "tỉnh Nghệ An"
    assert unit_label("Xóm 1", "village") == "xóm 1"
    assert unit_label("Hà Nội", "central_city") == "thành phố Hà Nội"
    assert unit_label("Khe Bố", "village") == "Khe Bố"


@pytest.mark.parametrize(("probe", "concerns"), [(1, 1), (1, 2), (50, 5)])
def test_the_largest_issues_are_exact_whether_the_first_probe_settles_them_or_not(
    data: Data, world: Any, monkeypatch: pytest.MonkeyPatch, probe: int, concerns: int
) -> None:
    from danvan.reports import figures_people

    monkeypatch.setattr(figures_people, "PROBE", probe)
    monkeypatch.setattr(figures_people, "CONCERNS", concerns)
    for unit in (world.nghe_an, world.anh_son_village):
        snapshot = report_figures(unit=unit, period=data.quarter, today=data.today)

        in_period = voices(unit, data.quarter.start, data.quarter.end)
        per_issue = Counter(
            in_period.filter(issue__isnull=False).values_list("issue_id", flat=True)
        )
        top = sorted(per_issue.items(), key=lambda item: (-item[1], item[0]))[:concerns]
        assert [(c.issue_id, c.voices) for c in snapshot.concerns] == top
        assert top
