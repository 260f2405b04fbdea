"""The demo's insight: one flooded road told by twenty people, grouped.

``seed_insight`` runs after the demo voices exist:

1. Twenty residents of Xóm 5 (Xã Anh Sơn) write about their flooded road, each in their own
   words: with and without marks, in teencode, as a voter-meeting minute, in capitals. The same
   road in Xã Mường Xén gets three voices of its own (another commune: another issue).
2. The topic classifier and the grouping threshold are trained on the demo's voices.
3. Every demo voice is analysed in the order received, as the background task does live.

Then the demo seed plants the land surge of ``danvan.alerts.demo.seed_alerts``.

Idempotent: the planted voices carry idempotency keys; a second run adds nothing.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from danvan.audit.context import Actor
from danvan.insight.models import Issue, TopicModel
from danvan.insight.services_matching import voice_analyse
from danvan.insight.services_training import insight_train
from danvan.insight.tasks import deferred_analysis
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit

FLOOD_COMMUNE = "17329"  # Xã Anh Sơn
FLOOD_VILLAGE = "Xóm 5"
OTHER_COMMUNE = "16813"  # Xã Mường Xén

#: How twenty people tell one flooded road.
FLOOD_VOICES = [
    "Đường xóm 5 cứ mưa là ngập sâu cả nửa mét, nước tràn vào nhà dân, đề nghị xã khơi thông.",
    "duong xom 5 ngap qua, mua 1 tieng la ngap het, xe may chet may giua duong",
    "Kính gửi UBND xã Anh Sơn. Tuyến đường xóm 5 thường xuyên ngập úng sau mỗi trận mưa, "
    "học sinh không đến trường được. Đề nghị nâng cốt đường.",
    "Cử tri xóm 5 kiến nghị: đường trong xóm bị ngập lụt kéo dài, đề nghị xã có phương án "
    "xử lý dứt điểm trước mùa mưa bão.",
    "đường xóm 5 ngập nước mấy hôm nay rồi, ko đi lại đc, mn rất bức xúc",
    "DUONG XOM 5 NGAP NANG, DE NGHI XA XU LY GAP",
    "Nước ngập đường xóm 5 tràn cả vào sân nhà tôi, lối đi chung bị ngập sâu, người già đi lại "
    "rất nguy hiểm.",
    "Bà con xóm 5 phản ánh đường làng ngập úng lâu ngày, nước đọng bốc mùi, muỗi nhiều.",
    "Xin hỏi bao giờ xã sửa đường xóm 5? Mưa xong là ngập, trẻ con phải lội nước đi học.",
    "duong xom5 ngap sau, nuoc tran vao nha dan, de nghi UBND xa kiem tra",
    "Tại buổi tiếp xúc cử tri, bà con xóm 5 phản ánh tuyến đường chính của xóm ngập sâu mỗi "
    "khi mưa lớn, đề nghị nâng cấp.",
    "Đường xóm 5 bị ngập, xe đạp của cháu bị nước cuốn, mong xã quan tâm.",
    "đường xóm 5 mưa là ngập, đề nghị làm lại đường cho cao lên",
    "Kính gửi các cấp. Con đường qua xóm 5 trũng thấp nên ngập úng quanh năm, đề nghị đầu tư "
    "nâng cốt nền đường.",
    "xom 5 duong ngap lut, k co cho thoat nuoc, nha nao cung bi nuoc vao",
    "Tôi ở xóm 5, đường trước nhà ngập quá đầu gối sau trận mưa đêm qua.",
    "Đề nghị xã sớm xử lý tình trạng ngập đường ở xóm 5, bà con đi làm đồng rất vất vả.",
    "Đường xóm 5 ngập sâu nhiều ngày, đồ đạc trong nhà hư hỏng, đề nghị hỗ trợ.",
    "Cử tri x5 đề nghị nâng cấp đường, mùa mưa đường ngập nặng, đi lại khó khăn.",
    "ĐƯỜNG XÓM 5 NGẬP LỤT, ĐỀ NGHỊ CÁC CẤP QUAN TÂM GIẢI QUYẾT SỚM!",
]
OTHER_COMMUNE_VOICES = FLOOD_VOICES[:3]


def _plant(
    actor: Actor,
    unit: AdministrativeUnit,
    texts: list[str],
    topic: Topic,
    key: str,
    today: datetime.date,
) -> int:
    made = 0
    for n, text in enumerate(texts):
        voice = voice_submit(
            actor=actor,
            kind="voter_recommendation" if "cử tri" in text.lower() else "reflection",
            channel="voter_contact" if "cử tri" in text.lower() else "web",
            unit=unit,
            topic=topic,
            text=text,
            received_on=today - datetime.timedelta(days=len(texts) - n),
            is_anonymous=True,
            submission_key=f"demo-{key}-{n}",
        )
        made += not voice.replayed
    return made


def seed_insight(actor: Actor, lines: list[str]) -> bool:
    """Plant the flood voices, train the topic model and analyse the voices; False when it was
    already done (then the demo's alerts are not seeded again either)."""
    today = timezone.localdate()
    infrastructure = Topic.objects.get(code="infrastructure", province=None)
    commune = AdministrativeUnit.objects.get(code=FLOOD_COMMUNE)
    village = commune.children.filter(name=FLOOD_VILLAGE).first() or commune
    other = AdministrativeUnit.objects.get(code=OTHER_COMMUNE)
    other_village = other.children.order_by("name").first() or other
    with deferred_analysis():
        planted = _plant(actor, village, FLOOD_VOICES, infrastructure, "flood", today)
        planted += _plant(
            actor, other_village, OTHER_COMMUNE_VOICES, infrastructure, "flood-other", today
        )
    if not planted and TopicModel.objects.exists():
        lines.append("insight: already seeded")
        return False
    model = insight_train(actor=actor)
    waiting = list(
        Voice.objects.filter(issue__isnull=True)
        .order_by("received_on", "id")
        .values_list("id", flat=True)
    )
    for voice_id in waiting:
        voice_analyse(voice_id=voice_id)
    flood = Issue.objects.filter(unit=commune, voices__submission_key="demo-flood-0").first()
    lines.append(
        f"insight: {planted} voices planted, {len(waiting)} analysed into "
        f"{Issue.objects.filter(merged_into__isnull=True).count()} issues; the flooded road of "
        f"{FLOOD_VILLAGE} has {flood.voice_count if flood else 0} voices; topic model trained on "
        f"{model.samples if model else 0} voices"
        + (f" (held-out accuracy {model.accuracy:.2f})" if model and model.accuracy else "")
    )
    return True
