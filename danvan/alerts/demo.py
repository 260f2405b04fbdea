"""The demo's hot spot: a surge of land complaints in one commune, and the scan that sees it.

``alerts_demo_seed(actor=..., commune=...)`` tops up the commune's land voices so that the last
``DANVAN_ALERTS_SURGE_DAYS`` days hold a surge at the caution level against the commune's own
history (planting one land voice per earlier period first when it has none), then runs the scan
for ``today`` and returns the land surge alert. The demo seed (``danvan/demo/seed.py``) calls it
once after its voices, for a commune of the demo province (``seed_alerts``); it is idempotent
enough for a re-run: a second call adds no voice when the surge is already there.
"""

from __future__ import annotations

import datetime
import math

from django.utils import timezone

from danvan.alerts import rules
from danvan.alerts.models import Alert, AlertRule
from danvan.alerts.scan import alerts_scan
from danvan.audit.context import Actor
from danvan.insight.services_matching import voice_analyse
from danvan.insight.tasks import deferred_analysis
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import Channel, Topic, Voice, VoiceKind
from danvan.voices.services import voice_submit

SURGE_COMMUNE = "16849"  # Xã in Kỳ Sơn, a quiet highland commune

LAND_TEXTS = (
    "Đề nghị xem xét lại việc đo đạc, cắm mốc giải phóng mặt bằng dự án mở rộng đường qua xóm.",
    "Khiếu nại mức bồi thường đất nông nghiệp bị thu hồi thấp hơn giá thị trường.",
    "Gia đình chưa nhận được tiền hỗ trợ tái định cư dù đã bàn giao mặt bằng.",
    "Phản ánh việc lấn chiếm đất hành lang kênh mương chưa được xử lý.",
    "Đề nghị cấp giấy chứng nhận quyền sử dụng đất đã nộp hồ sơ quá hạn.",
)
NAMES = ("Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường", "Phạm Thị Dung", "Hoàng Văn Em")


def _land_counts(
    commune: AdministrativeUnit, topic: Topic, today: datetime.date, t: rules.Thresholds
) -> list[int]:
    days = t.surge_days
    counts = [0] * (t.surge_history + 1)
    start = today - datetime.timedelta(days=(t.surge_history + 1) * days - 1)
    for received_on in Voice.objects.filter(
        unit__path__startswith=commune.path,
        topic=topic,
        received_on__gte=start,
        received_on__lte=today,
    ).values_list("received_on", flat=True):
        counts[(today - received_on).days // days] += 1
    return counts


def _submit(
    actor: Actor, commune: AdministrativeUnit, topic: Topic, day: datetime.date, n: int
) -> None:
    voice_submit(
        actor=actor,
        kind=VoiceKind.COMPLAINT_FIRST,
        channel=Channel.OFFICER,
        unit=commune,
        topic=topic,
        text=LAND_TEXTS[n % len(LAND_TEXTS)],
        received_on=day,
        submitter_name=f"{NAMES[n % len(NAMES)]} ({n + 1})",
        submitter_address=commune.name,
    )


def alerts_demo_seed(
    *, actor: Actor, commune: AdministrativeUnit, today: datetime.date | None = None
) -> Alert | None:
    """Plant a caution-level surge of land complaints in ``commune`` and run the scan."""
    today = today or timezone.localdate()
    t = rules.thresholds()
    topic = Topic.objects.get(code="land", province__isnull=True)
    counts = _land_counts(commune, topic, today, t)
    planted = 0
    if sum(counts[1:]) == 0:
        for k in range(1, t.surge_history + 1):
            _submit(actor, commune, topic, today - datetime.timedelta(days=k * t.surge_days), k)
            counts[k] += 1
            planted += 1
    history = counts[1:]
    mean = sum(history) / len(history)
    std = math.sqrt(sum((h - mean) ** 2 for h in history) / len(history))
    sigma = max(std, math.sqrt(mean), 1.0)
    wanted = max(t.surge_min, math.ceil(mean + t.surge_levels[1] * sigma))
    for n in range(max(0, wanted - counts[0])):
        # Spread over the recent period, never in the future.
        day = today - datetime.timedelta(days=n % t.surge_days)
        _submit(actor, commune, topic, day, planted + n)
    alerts_scan(today=today, actor=actor)
    return (
        Alert.objects.filter(rule=AlertRule.SURGE, unit=commune, topic=topic)
        .order_by("-id")
        .first()
    )


def seed_alerts(actor: Actor, lines: list[str]) -> None:
    """The demo's alert: the land surge in ``SURGE_COMMUNE``, its voices analysed into issues as
    the others were (after ``insight.demo.seed_insight``)."""
    today = timezone.localdate()
    surge_commune = AdministrativeUnit.objects.get(code=SURGE_COMMUNE)
    with deferred_analysis():
        alert = alerts_demo_seed(actor=actor, commune=surge_commune, today=today)
    # The voices not yet in an issue, whether their commit has run or not (inside a caller's
    # transaction it has not, and nothing was queued for them yet).
    for voice_id in (
        Voice.objects.filter(issue__isnull=True)
        .order_by("received_on", "id")
        .values_list("id", flat=True)
    ):
        voice_analyse(voice_id=voice_id)
    lines.append(
        "alerts: "
        + (
            f"{alert.get_level_display()} alert on land in {surge_commune.name}"
            if alert
            else "no alert raised"
        )
    )
