"""Demo voices for the Nghệ An demo province: a year of realistic intake across kinds, topics,
channels and communes, some answered and published, some still open and overdue.

Everything goes through the real services, so due dates, timelines and audit rows are real.
Deterministic (a fixed random seed) and run once: a second ``seed_demo`` adds nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db.models import Prefetch, Q
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.organizations.models import Body, BodyKind
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.models import Topic, Voice, VoiceEvent
from danvan.voices.services import voice_submit
from danvan.voices.services_answer import DECIDED_KINDS, case_answer, case_close, case_publish
from danvan.voices.services_citizen import complaint_file_second, voice_rate
from danvan.voices.services_handling import case_coordinate, case_extend
from danvan.voices.services_routing import case_accept, case_assign

DEMO_COUNT = 2400
PROVINCE = "40"

KINDS = [
    ("reflection", 40),
    ("opinion", 18),
    ("voter_recommendation", 15),
    ("complaint_first", 12),
    ("complaint_second", 3),
    ("denunciation", 5),
    ("reception", 7),
]
CHANNEL_OF_KIND = {
    "voter_recommendation": ["voter_contact"],
    "reception": ["reception"],
    "complaint_first": ["letter", "reception", "web"],
    "complaint_second": ["letter", "reception"],
    "denunciation": ["letter", "web"],
    "reflection": ["web", "officer", "hotline", "social_media", "letter"],
    "opinion": ["officer", "web", "social_media"],
}
TOPIC_OF_KIND = {
    "complaint_first": ["land", "land", "land", "social_policy", "environment"],
    "complaint_second": ["land"],
    "denunciation": ["officials_conduct", "officials_conduct", "land"],
}

TEXTS = {
    "land": [
        "Gia đình tôi bị thu hồi {area} m² đất nông nghiệp ở {place} để làm {project} nhưng giá "
        "bồi thường thấp hơn giá thị trường, đề nghị xem xét lại.",
        "Đến nay đã hơn {months} tháng mà hộ tôi ở {place} vẫn chưa nhận được tiền hỗ trợ tái "
        "định cư của dự án {project}.",
        "Ranh giới thửa đất giữa nhà tôi và hộ liền kề ở {place} bị đo sai khi cấp giấy chứng "
        "nhận, đề nghị đo đạc lại.",
        "Đề nghị xã sớm cấp giấy chứng nhận quyền sử dụng đất cho các hộ ở {place}, hồ sơ nộp "
        "từ {months} tháng trước.",
    ],
    "infrastructure": [
        "Đường liên xóm từ {place} ra trung tâm xã xuống cấp, nhiều ổ gà, mùa mưa ngập sâu, "
        "đề nghị sớm sửa chữa.",
        "Cầu tràn qua suối ở {place} bị sạt lở hai đầu, học sinh đi học rất nguy hiểm.",
        "Đèn đường trên trục chính qua {place} hỏng đã {months} tháng chưa được thay.",
        "Kênh mương nội đồng ở {place} bị bồi lấp, không dẫn được nước cho vụ {season}.",
    ],
    "environment": [
        "Trại chăn nuôi lợn gần {place} xả nước thải ra mương, mùi hôi thối ảnh hưởng sức khỏe "
        "người dân.",
        "Rác thải sinh hoạt ở {place} không được thu gom thường xuyên, tồn đọng nhiều ngày.",
        "Xe chở vật liệu của {project} làm rơi vãi đất cát, bụi bẩn trên đường qua {place}.",
    ],
    "social_policy": [
        "Đề nghị xem xét đưa hộ bà {name} ở {place} vào danh sách hộ nghèo vì hoàn cảnh khó khăn.",
        "Chế độ trợ cấp người có công của gia đình tôi ở {place} bị chậm chi trả {months} tháng.",
        "Đề nghị hỗ trợ xây nhà tạm cho các hộ bị ảnh hưởng lũ ở {place}.",
    ],
    "health": [
        "Trạm y tế xã thiếu thuốc thiết yếu, người dân ở {place} phải lên tuyến trên mua.",
        "Đề nghị tổ chức tiêm chủng lưu động cho trẻ em ở {place} vì đường sá xa xôi.",
    ],
    "education": [
        "Điểm trường ở {place} xuống cấp, mái dột, đề nghị sửa chữa trước năm học mới.",
        "Đề nghị bố trí thêm giáo viên cho điểm trường {place}, hiện một giáo viên dạy ghép lớp.",
    ],
    "public_order": [
        "Tình trạng thanh niên tụ tập đua xe vào ban đêm trên đường qua {place} gây mất an ninh.",
        "Xảy ra nhiều vụ trộm gia súc ở {place} trong {months} tháng gần đây.",
    ],
    "officials_conduct": [
        "Cán bộ địa chính xã gây khó khăn, yêu cầu nộp thêm tiền ngoài quy định khi làm hồ sơ "
        "đất ở {place}.",
        "Việc bình xét hộ nghèo ở {place} không công khai, có dấu hiệu thiên vị người nhà cán bộ.",
    ],
    "religion_ethnicity": [
        "Đề nghị hỗ trợ kinh phí tu sửa nhà văn hóa cộng đồng của đồng bào ở {place}.",
    ],
    "other": [
        "Đề nghị tăng thời lượng phát thanh tiếng dân tộc trên loa truyền thanh ở {place}.",
        "Người dân ở {place} hoan nghênh việc xã tổ chức đối thoại, đề nghị duy trì hằng quý.",
    ],
}
PROJECTS = [
    "đường giao thông nối Quốc lộ 7",
    "khu công nghiệp Thọ Lộc",
    "đường ven biển Nghi Sơn – Cửa Lò",
    "hồ chứa nước Bản Mồng",
    "khu tái định cư",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Phan", "Võ", "Đặng", "Hồ", "Lương", "Vi", "Lô"]
MIDDLE = ["Văn", "Thị", "Đình", "Xuân", "Hữu", "Thị Thanh", "Văn Hoài"]
GIVEN = [
    "An",
    "Bình",
    "Chung",
    "Dung",
    "Hà",
    "Hải",
    "Hoa",
    "Lan",
    "Minh",
    "Nga",
    "Sơn",
    "Tâm",
    "Thảo",
]
ANSWER = (
    "Ủy ban nhân dân đã kiểm tra thực tế, làm việc với các bên liên quan và có văn bản trả lời: "
    "nội dung phản ánh {verdict}. Đề nghị công dân liên hệ bộ phận một cửa để được hướng dẫn thêm."
)


#: How citizens rate published answers: mostly satisfied, some not.
SATISFACTION = [("5", 30), ("4", 35), ("3", 15), ("2", 12), ("1", 8)]


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _w in weighted], weights=[w for _k, w in weighted])[0]


@dataclass(frozen=True)
class _Province:
    """What the demo's voices are drawn from: the province's current communes and villages, the
    national topics, and the people's committee each case is assigned to."""

    today: datetime.date
    units: list[AdministrativeUnit]
    villages: list[AdministrativeUnit]
    topics: dict[str, Topic]
    committees: dict[int, Body]
    provincial_committee: Body | None

    def body_for(self, unit: AdministrativeUnit) -> Body | None:
        """The committee of the unit's commune (a village's is its parent's), else the
        province's."""
        commune = unit.parent if unit.tier == UnitTier.VILLAGE and unit.parent else unit
        return self.committees.get(commune.pk) or self.provincial_committee


def _province_load(today: datetime.date) -> _Province:
    province = AdministrativeUnit.objects.get(code=PROVINCE)
    units = list(
        AdministrativeUnit.objects.current()
        .filter(path__startswith=province.path, tier__in=[UnitTier.COMMUNE, UnitTier.VILLAGE])
        .select_related("parent")
    )
    committees = {
        b.unit_id: b for b in Body.objects.filter(kind=BodyKind.PEOPLES_COMMITTEE, is_active=True)
    }
    return _Province(
        today=today,
        units=units,
        villages=[u for u in units if u.tier == UnitTier.VILLAGE],
        topics={t.code: t for t in Topic.objects.filter(province=None)},
        committees=committees,
        provincial_committee=committees.get(province.pk),
    )


def seed_voices(actor: Actor, lines: list[str], *, count: int = DEMO_COUNT) -> None:
    if Voice.objects.filter(submission_key__startswith="demo-").exists():
        lines.append("voices: already seeded")
        return
    rng = random.Random(2026)  # noqa: S311 - demo data, reproducible on purpose
    province = _province_load(timezone.localdate())
    counts = {"open": 0, "answered": 0, "overdue": 0, "second": 0}
    for i in range(count):
        voice = _voice_submit(actor, rng, province, index=i)
        _case_follow(actor, rng, province, voice, index=i, counts=counts)
    _spread_timelines(province.today)
    lines.append(
        f"voices: {count} created ({counts['answered']} answered, {counts['open']} open, "
        f"{counts['overdue']} of them overdue, {counts['second']} second complaints)"
    )


def _voice_submit(actor: Actor, rng: random.Random, province: _Province, *, index: int) -> Voice:
    """One demo voice taken in: its kind, place, topic, text, day and sender drawn at random."""
    kind = _pick(rng, KINDS)
    # Half of the voices come from the villages the demo knows, half from any commune.
    villages = province.villages
    unit = rng.choice(villages) if villages and rng.random() < 0.5 else rng.choice(province.units)
    topic_code = rng.choice(TOPIC_OF_KIND.get(kind, list(TEXTS)))
    text = rng.choice(TEXTS[topic_code]).format(
        place=unit.name,
        area=rng.choice([120, 250, 360, 500, 1200]),
        project=rng.choice(PROJECTS),
        months=rng.randint(2, 18),
        season=rng.choice(["đông xuân", "hè thu"]),
        name=f"{rng.choice(FAMILY)} Thị {rng.choice(GIVEN)}",
    )
    # Spread over the year, a little more in recent months (not a surge everywhere).
    received = province.today - datetime.timedelta(days=int(rng.triangular(0, 365, 150)))
    named = kind in ("complaint_first", "complaint_second", "denunciation") or rng.random() < 0.6
    return voice_submit(
        actor=actor,
        kind=kind,
        channel=rng.choice(CHANNEL_OF_KIND[kind]),
        unit=unit,
        topic=province.topics[topic_code],
        text=text,
        received_on=received,
        is_anonymous=not named,
        submitter_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        if named
        else "",
        submitter_contact=f"09{rng.randint(10_000_000, 99_999_999)}" if named else "",
        joint=kind == "voter_recommendation" and rng.random() < 0.2,
        submission_key=f"demo-{index}",
    )


def _case_follow(
    actor: Actor,
    rng: random.Random,
    province: _Province,
    voice: Voice,
    *,
    index: int,
    counts: dict[str, int],
) -> None:
    """What became of the voice since it was received: a few days old or left aside, it is still
    open; else it is accepted and assigned, and older cases are mostly answered while a share is
    left unanswered and runs late."""
    age = (province.today - voice.received_on).days
    if age < 3 or rng.random() < 0.08:
        counts["open"] += 1
        return  # just received
    voice = _case_route(actor, rng, province, voice)
    if age > 20 and rng.random() < 0.82:
        _case_answer(actor, rng, voice, index=index, counts=counts)
    else:
        counts["open"] += 1
        if voice.due_on is not None and voice.due_on < province.today:
            counts["overdue"] += 1


def _case_route(actor: Actor, rng: random.Random, province: _Province, voice: Voice) -> Voice:
    """Accepted within a few days and assigned to the commune's committee; a few cases ask the
    province's committee to coordinate, some denunciations have their time limit extended."""
    body = province.body_for(voice.unit)  # the unit as taken in, its commune already loaded
    accepted = min(province.today, voice.received_on + datetime.timedelta(days=rng.randint(1, 6)))
    voice = case_accept(
        actor=actor, voice=voice, expected_version=voice.version, accepted_on=accepted
    )
    if body is not None:
        voice = case_assign(actor=actor, voice=voice, expected_version=voice.version, body=body)
    provincial = province.provincial_committee
    if provincial is not None and body is not None and body != provincial and rng.random() < 0.06:
        voice = case_coordinate(
            actor=actor,
            voice=voice,
            expected_version=voice.version,
            bodies=[provincial],
            request="Đề nghị phối hợp kiểm tra, xác minh và có ý kiến bằng văn bản.",
        )
    if voice.kind == "denunciation" and rng.random() < 0.3 and voice.due_on is not None:
        voice = case_extend(
            actor=actor,
            voice=voice,
            expected_version=voice.version,
            step="resolve",
            reason="Vụ việc phức tạp, cần xác minh tại nhiều cơ quan, đơn vị.",
            complexity="complex",
        )
    return voice


def _case_answer(
    actor: Actor, rng: random.Random, voice: Voice, *, index: int, counts: dict[str, int]
) -> None:
    """Answered, and mostly published; half the published answers are rated, a few first
    complaints go on to a second one, and most of the rest are closed."""
    verdict = rng.choice(["là đúng, đã chỉ đạo khắc phục", "đúng một phần", "không có cơ sở"])
    voice = case_answer(
        actor=actor,
        voice=voice,
        expected_version=voice.version,
        text=ANSWER.format(verdict=verdict),
    )
    counts["answered"] += 1
    if rng.random() >= 0.9:
        return
    voice = case_publish(actor=actor, voice=voice, expected_version=voice.version)
    if rng.random() < 0.5:
        voice = voice_rate(
            actor=Actor(user=None, ip=None, label="citizen"),
            voice=voice,
            expected_version=voice.version,
            score=int(_pick(rng, SATISFACTION)),
        )
    if voice.kind == "complaint_first" and rng.random() < 0.15:
        complaint_file_second(
            actor=actor,
            first=voice,
            expected_version=voice.version,
            text="Tôi không đồng ý với quyết định giải quyết khiếu nại lần đầu, "
            "đề nghị cấp trên xem xét lại.",
            channel="letter",
            submission_key=f"demo-second-{index}",
        )
        counts["second"] += 1
    # A complaint or denunciation closes only once its written decision is issued
    # (danvan.decisions); the demo leaves those published.
    elif rng.random() < 0.7 and voice.kind not in DECIDED_KINDS:
        case_close(actor=actor, voice=voice, expected_version=voice.version)


def _spread_timelines(today: datetime.date) -> None:
    """The services stamp every event "now"; spread each demo case's events between its day of
    receipt and today, in their order, so the demo's timelines read like real ones."""
    tz = timezone.get_current_timezone()
    changed_events: list[VoiceEvent] = []
    changed_voices: list[Voice] = []
    voices = Voice.objects.filter(
        Q(submission_key__startswith="demo-") | Q(previous__submission_key__startswith="demo-")
    ).prefetch_related(Prefetch("events", queryset=VoiceEvent.objects.order_by("id")))
    for voice in voices:
        events = list(voice.events.all())
        start = voice.accepted_on or voice.received_on
        span = max((min(today, start + datetime.timedelta(days=45)) - start).days, 0)
        for index, event in enumerate(events):
            if index == 0:
                day = voice.received_on
            else:
                day = start + datetime.timedelta(days=span * index // max(len(events) - 1, 1))
            event.at = datetime.datetime.combine(
                day, datetime.time(8 + index % 9, (index * 17) % 60), tzinfo=tz
            )
            changed_events.append(event)
            if event.action == "answer":
                voice.answered_at = event.at
            elif event.action == "publish":
                voice.published_at = event.at
            elif event.action == "close":
                voice.closed_at = event.at
        changed_voices.append(voice)
    VoiceEvent.objects.bulk_update(changed_events, ["at"], batch_size=2000)
    Voice.objects.bulk_update(
        changed_voices, ["answered_at", "published_at", "closed_at"], batch_size=2000
    )
