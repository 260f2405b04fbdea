"""Demo models of the "Skillful Mass Mobilization" movement in the demo province (Nghệ An, "40").

Some hundreds of models across the four fields, the three levels and the periods 2021–2025 and
2026–2030, each with 2–4 indicators and 1–3 yearly reports. Some report no progress and some carry
no evidence, so that the formalism checks have something to find; a few models of the last period
were honored with a commendation and adopted elsewhere, and a few were registered again by another
commune with near-identical content. Everything goes through the real services; a fixed random
seed makes it reproducible, and a second run adds nothing.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import random
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from danvan.audit.context import Actor
from danvan.organizations.models import Body, BodyKind
from danvan.skillful.checks import check_all
from danvan.skillful.demo_evaluation import seed_evaluations
from danvan.skillful.models import EmulationPeriod, Holder, Level, MobilizationModel, ModelStatus
from danvan.skillful.models import Field as ModelField
from danvan.skillful.services_periods import period_create
from danvan.skillful.services_registry import (
    LEVEL_OF_TIER,
    CommendationInput,
    IndicatorInput,
    model_adopt,
    model_record_existing,
)
from danvan.skillful.services_reporting import evidence_add, indicator_report
from danvan.units.models import AdministrativeUnit, UnitTier
from danvan.voices.attachments import attachment_check

DEMO_COUNT = 300
PROVINCE = "40"

#: Name patterns per field ({place} is the unit's name), with the indicators each may declare.
NAMES: dict[str, list[str]] = {
    ModelField.ECONOMY: [
        "Dân vận khéo vận động Nhân dân hiến đất mở rộng đường giao thông ở {place}",
        "Vận động Nhân dân chuyển đổi cây trồng, phát triển vùng cam hàng hóa ở {place}",
        "Tổ hợp tác chăn nuôi bò sinh sản giúp hộ nghèo thoát nghèo ở {place}",
        "Dân vận khéo trong giải phóng mặt bằng dự án đường ven biển qua {place}",
        "Vận động Nhân dân dồn điền đổi thửa, xây dựng cánh đồng lớn ở {place}",
        "Mô hình “Hội viên nông dân giúp nhau làm kinh tế” ở {place}",
    ],
    ModelField.CULTURE_SOCIETY: [
        "Dân vận khéo xây dựng khu dân cư văn hóa, xanh – sạch – đẹp ở {place}",
        "Tuyến đường hoa, đường điện chiếu sáng do phụ nữ tự quản ở {place}",
        "Vận động xóa bỏ hủ tục trong việc cưới, việc tang ở {place}",
        "Mô hình “Ngôi nhà Đại đoàn kết” hỗ trợ hộ khó khăn ở {place}",
        "Vận động Nhân dân phân loại rác thải tại nguồn ở {place}",
        "Câu lạc bộ dân ca ví, giặm gìn giữ văn hóa ở {place}",
    ],
    ModelField.DEFENCE_SECURITY: [
        "Tổ tự quản an ninh trật tự, phòng chống ma túy ở {place}",
        "Camera an ninh do Nhân dân đóng góp lắp đặt ở {place}",
        "Mô hình “Khu dân cư không có tội phạm và tệ nạn xã hội” ở {place}",
        "Dân vận khéo trong hòa giải mâu thuẫn ở cơ sở tại {place}",
        "Đồng bào dân tộc tham gia bảo vệ đường biên, mốc giới ở {place}",
    ],
    ModelField.PARTY_BUILDING: [
        "Cấp ủy đối thoại trực tiếp với Nhân dân định kỳ ở {place}",
        "Đảng viên phụ trách hộ gia đình ở {place}",
        "Chi bộ sinh hoạt chuyên đề gắn với giải quyết kiến nghị của Nhân dân ở {place}",
        "Dân vận chính quyền: giải quyết thủ tục hành chính “một lần đến” ở {place}",
    ],
}

INDICATORS: dict[str, list[tuple[str, str, int, int]]] = {
    ModelField.ECONOMY: [
        ("Số hộ được vận động tham gia", "hộ", 0, 120),
        ("Diện tích đất Nhân dân hiến", "m²", 0, 3500),
        ("Đường bê tông hoàn thành", "m", 0, 2500),
        ("Ngày công Nhân dân đóng góp", "ngày công", 0, 1800),
        ("Tiền Nhân dân đóng góp", "triệu đồng", 0, 900),
        ("Số hộ thoát nghèo", "hộ", 0, 25),
    ],
    ModelField.CULTURE_SOCIETY: [
        ("Số hộ đạt gia đình văn hóa", "hộ", 150, 240),
        ("Đường hoa, điện chiếu sáng", "m", 0, 1500),
        ("Số hộ phân loại rác tại nguồn", "hộ", 10, 200),
        ("Nhà Đại đoàn kết được xây", "nhà", 0, 12),
        ("Số buổi sinh hoạt câu lạc bộ", "buổi", 0, 48),
    ],
    ModelField.DEFENCE_SECURITY: [
        ("Số camera an ninh lắp đặt", "chiếc", 0, 40),
        ("Số vụ mâu thuẫn được hòa giải thành", "vụ", 0, 30),
        ("Số vụ việc về trật tự xã hội", "vụ", 18, 5),
        ("Số tin báo tội phạm từ Nhân dân", "tin", 0, 60),
    ],
    ModelField.PARTY_BUILDING: [
        ("Số buổi đối thoại với Nhân dân", "buổi", 0, 12),
        ("Kiến nghị của Nhân dân được giải quyết", "kiến nghị", 0, 150),
        ("Số hộ có đảng viên phụ trách", "hộ", 0, 400),
        ("Tỷ lệ hồ sơ giải quyết đúng hạn", "%", 70, 100),
    ],
}

#: Each part of a demo registration is two or three sentences drawn from its pool, in a random
#: order, so that two demo models read as different registrations (the near-duplicate check must
#: fire only on the copies planted on purpose, as it would on real registrations).
PARTS: dict[str, list[str]] = {
    "situation": [
        "Trước khi có mô hình, ở {place} {problem}.",
        "Một bộ phận Nhân dân còn trông chờ, ỷ lại vào sự hỗ trợ của Nhà nước.",
        "Nhiều hộ chưa hiểu đầy đủ chủ trương, còn băn khoăn khi được vận động đóng góp.",
        "Năm {start}, qua tiếp xúc cử tri, người dân kiến nghị nhiều lần về vấn đề này.",
        "Các đoàn thể hoạt động còn hình thức, sinh hoạt chưa thu hút hội viên trẻ.",
        "Địa bàn rộng, dân cư phân tán, đi lại khó khăn vào mùa mưa lũ.",
        "Thu nhập bình quân thấp hơn mức chung của xã, tỷ lệ hộ cận nghèo còn cao.",
    ],
    "goals": [
        "Đến năm {end}, đạt các chỉ tiêu đã đăng ký.",
        "Trên {share}% hộ dân đồng thuận, tự nguyện tham gia.",
        "Không để phát sinh đơn thư khiếu nại, khiếu kiện vượt cấp liên quan đến nội dung này.",
        "Nâng cao vai trò nêu gương của cán bộ, đảng viên ở khu dân cư.",
        "Góp phần hoàn thành tiêu chí nông thôn mới nâng cao của xã.",
        "Mỗi năm có ít nhất {events} buổi sinh hoạt, đối thoại với Nhân dân.",
    ],
    "content": [
        "Cấp ủy ban hành kế hoạch, phân công đảng viên phụ trách từng nhóm hộ.",
        "Tổ chức họp dân bàn bạc công khai theo phương châm dân biết, dân bàn, dân làm, dân kiểm tra.",
        "Vận động đến từng hộ, {method}.",
        "Công khai các khoản đóng góp trên loa truyền thanh và bảng tin nhà văn hóa.",
        "Xây dựng hương ước, quy ước để Nhân dân cùng thực hiện.",
        "Sơ kết từng quý, khen thưởng kịp thời hộ gia đình làm tốt.",
        "Phối hợp với doanh nghiệp đóng chân trên địa bàn hỗ trợ vật tư.",
    ],
    "area_and_target": [
        "Địa bàn {place}.",
        "Đối tượng là các hộ gia đình, trước hết là hộ có đảng viên.",
        "Ưu tiên hội viên phụ nữ, thanh niên và người cao tuổi.",
        "Tập trung vào {households} hộ ở các tuyến đường trục chính.",
        "Bao gồm cả đồng bào dân tộc thiểu số sinh sống xen kẽ.",
    ],
    "forces": [
        "Mặt trận Tổ quốc chủ trì, các đoàn thể phối hợp.",
        "Hội Nông dân, Hội Liên hiệp Phụ nữ, Đoàn Thanh niên, Hội Cựu chiến binh.",
        "Tổ dân vận thôn, trưởng thôn và người có uy tín trong cộng đồng.",
        "Chi bộ phân công {members} đảng viên trực tiếp tham gia.",
        "Công an xã và lực lượng bảo vệ an ninh trật tự ở cơ sở.",
    ],
    "resources": [
        "Nhân dân đóng góp tiền, ngày công và hiến đất.",
        "Ngân sách xã hỗ trợ khoảng {budget} triệu đồng.",
        "Huy động con em xa quê và các nhà hảo tâm ủng hộ.",
        "Lồng ghép nguồn vốn chương trình mục tiêu quốc gia.",
        "Doanh nghiệp trên địa bàn tài trợ vật liệu, máy móc.",
    ],
    "expected_outputs": [
        "Hoàn thành các chỉ tiêu đã đăng ký đúng thời hạn.",
        "Nâng cao đồng thuận xã hội, niềm tin của Nhân dân với cấp ủy, chính quyền.",
        "Giảm số vụ việc phải giải quyết ở cấp trên.",
        "Cảnh quan khu dân cư sáng, xanh, sạch, đẹp hơn.",
        "Thu nhập của các hộ tham gia tăng rõ rệt.",
    ],
    "sustainability": [
        "Có quy chế hoạt động và kinh phí duy trì từ đóng góp của Nhân dân.",
        "Có thể nhân rộng ra các {scope} khác trong huyện cũ.",
        "Giao cho chi hội phụ nữ và đoàn thanh niên duy trì thường xuyên.",
        "Đưa nội dung vào nghị quyết của chi bộ hằng năm để theo dõi, đôn đốc.",
        "Cách làm đơn giản, chi phí thấp, dễ áp dụng ở nơi khác.",
    ],
}


def _part(rng: random.Random, pool: list[str], **values: Any) -> str:
    """Two or three sentences of a part's pool, in a random order, filled in."""
    chosen = rng.sample(pool, k=min(len(pool), rng.randint(2, 3)))
    return " ".join(sentence.format(**values) for sentence in chosen)


PROBLEMS = [
    "đường giao thông nhỏ hẹp, xuống cấp",
    "rác thải chưa được thu gom, gây ô nhiễm",
    "tình hình an ninh trật tự còn phức tạp",
    "nhiều kiến nghị của Nhân dân chậm được giải quyết",
    "thu nhập của người dân thấp, nhiều hộ nghèo",
    "còn hủ tục trong việc cưới, việc tang",
]
METHODS = [
    "lồng ghép trong sinh hoạt chi bộ, chi hội",
    "phát huy vai trò người có uy tín",
    "biểu dương kịp thời hộ làm tốt",
    "giao chỉ tiêu cụ thể cho từng đoàn thể",
]
PERSONS = ["Nguyễn Văn Hùng", "Trần Thị Mai", "Lê Văn Thắng", "Hồ Thị Hoa", "Lô Văn Pình"]

#: Shares of levels and of the statuses an old-period model reached.
LEVELS = [(Level.VILLAGE, 35), (Level.COMMUNE, 55), (Level.PROVINCE, 10)]
OLD_STATUSES = [
    (ModelStatus.UNDER_WAY, 35),
    (ModelStatus.EVALUATED, 10),
    (ModelStatus.RECOGNIZED, 25),
    (ModelStatus.NOT_RECOGNIZED, 10),
    (ModelStatus.HONORED, 20),
]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


def _periods(actor: Actor, province: AdministrativeUnit) -> list[EmulationPeriod]:
    periods = []
    for first, last in ((2021, 2025), (2026, 2030)):
        period = EmulationPeriod.objects.filter(
            province=province, starts_on=datetime.date(first, 1, 1)
        ).first() or period_create(
            actor=actor,
            name=f"{first}–{last}",
            starts_on=datetime.date(first, 1, 1),
            ends_on=datetime.date(last, 12, 31),
            province=province,
            yearly_rounds=True,
        )
        periods.append(period)
    return periods


def _photo() -> Any:
    """One small photo, checked once and stored for each piece of demo evidence."""
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (180, 40, 40)).save(buffer, format="JPEG")
    return attachment_check(SimpleUploadedFile("anh-minh-chung.jpg", buffer.getvalue()))


def seed_models(actor: Actor, lines: list[str], *, count: int = DEMO_COUNT) -> None:
    province = AdministrativeUnit.objects.filter(code=PROVINCE).first()
    if province is None or count <= 0:
        return
    if MobilizationModel.objects.filter(unit__path__startswith=province.path).exists():
        lines.append("models: already seeded")
    else:
        _seed(actor, lines, province, count)
    seed_evaluations(actor, lines)
    flags = check_all()
    # The registrations raised most flags as they were made: say what stands, not what this
    # last run added.
    standing = ", ".join(f"{kind} {n}" for kind, n in sorted(flags.by_kind.items()))
    lines.append(f"models: formalism flags standing: {standing or 'none'}")


@dataclasses.dataclass
class _Scene:
    """What every demo model is drawn from: the random generator, the periods, the bodies by
    unit, the units by level, and what was made so far."""

    rng: random.Random
    today: datetime.date
    province: AdministrativeUnit
    periods: list[EmulationPeriod]
    by_unit: dict[int, list[Body]]
    front: Body
    at_level: dict[str, list[AdministrativeUnit]]
    other_communes: list[AdministrativeUnit]
    photo: Any
    counts: dict[str, int]


def _scene(actor: Actor, province: AdministrativeUnit) -> _Scene | None:
    """The scene of the province's demo models; None when the province has no body at all."""
    rng = random.Random(2021)  # noqa: S311 - demo data, reproducible on purpose
    today = timezone.localdate()
    periods = _periods(actor, province)
    bodies = list(
        Body.objects.filter(is_active=True, unit__path__startswith=province.path).select_related(
            "unit"
        )
    )
    by_unit: dict[int, list[Body]] = {}
    for body in bodies:
        by_unit.setdefault(body.unit_id, []).append(body)
    provincial = by_unit.get(province.pk, [])
    front: Body | None = next(
        (b for b in provincial if b.kind == BodyKind.FRONT_COMMITTEE),
        provincial[0] if provincial else None,
    )
    if front is None:
        return None
    units_with_bodies = AdministrativeUnit.objects.current().filter(pk__in=list(by_unit))
    at_level: dict[str, list[AdministrativeUnit]] = {level: [] for level in Level.values}
    for unit in units_with_bodies:
        if unit.tier in LEVEL_OF_TIER:
            at_level[LEVEL_OF_TIER[unit.tier]].append(unit)
    # Communes without bodies of their own register with the provincial Front as lead body.
    other_communes = list(
        AdministrativeUnit.objects.current()
        .filter(path__startswith=province.path, tier=UnitTier.COMMUNE)
        .exclude(pk__in=list(by_unit))
        .order_by("code")[:40]
    )
    return _Scene(
        rng=rng,
        today=today,
        province=province,
        periods=periods,
        by_unit=by_unit,
        front=front,
        at_level=at_level,
        other_communes=other_communes,
        photo=_photo(),
        counts={
            "honored": 0,
            "no_progress": 0,
            "no_evidence": 0,
            "adopted": 0,
            "near_duplicate": 0,
        },
    )


def _seed(actor: Actor, lines: list[str], province: AdministrativeUnit, count: int) -> None:
    scene = _scene(actor, province)
    if scene is None:
        lines.append("models: no provincial body, none seeded")
        return
    made = [_model(actor, scene, n) for n in range(count)]
    _adopt_some(actor, scene, made)
    _register_again(actor, scene, made)
    counts = scene.counts
    lines.append(
        f"models: {len(made)} registered ({counts['honored']} honored, {counts['adopted']} "
        f"adopted elsewhere, {counts['near_duplicate']} registered again, {counts['no_progress']} "
        f"without progress, {counts['no_evidence']} without evidence)"
    )


def _commendation(rng: random.Random, level: str, year: int, place: str) -> CommendationInput:
    decided = datetime.date(min(year + 1, 2025), 12, rng.randint(1, 28))
    return CommendationInput(
        decision_number=f"{rng.randint(100, 4999)}/QĐ-UBND",
        decided_on=decided,
        issuer="Ủy ban nhân dân tỉnh Nghệ An"
        if level == Level.PROVINCE
        else f"Ủy ban nhân dân {place}",
        title="Bằng khen" if level == Level.PROVINCE else "Giấy khen",
    )


def _parts(
    rng: random.Random, *, place: str, year: int, period: EmulationPeriod, level: str
) -> dict[str, str]:
    """The text parts of a registration, each written from its pool."""
    return {
        part: _part(
            rng,
            pool,
            place=place,
            start=year,
            end=period.ends_on.year,
            problem=rng.choice(PROBLEMS),
            method=rng.choice(METHODS),
            scope="xóm" if level == Level.VILLAGE else "xã, phường",
            share=rng.choice([80, 85, 90, 95]),
            events=rng.randint(2, 12),
            households=rng.randint(40, 400),
            members=rng.randint(5, 40),
            budget=rng.choice([20, 50, 80, 120, 300]),
        )
        for part, pool in PARTS.items()
    }


def _model(actor: Actor, scene: _Scene, n: int) -> MobilizationModel:
    """The ``n``-th demo model: three in five of the old period (at the status it reached), the
    others of the running one, then its yearly reports."""
    rng, today, periods = scene.rng, scene.today, scene.periods
    level = _pick(rng, LEVELS)
    if level == Level.COMMUNE and scene.other_communes and rng.random() < 0.4:
        unit = rng.choice(scene.other_communes)
    else:
        at_level = scene.at_level
        unit = rng.choice(at_level[level] or at_level[Level.COMMUNE] or [scene.province])
        level = LEVEL_OF_TIER[unit.tier]
    lead = rng.choice(scene.by_unit.get(unit.pk) or [scene.front])
    field = rng.choice(list(NAMES))
    period = periods[0] if n % 5 < 3 else periods[1]
    last_year = min(period.ends_on.year, today.year)
    year = rng.randint(period.starts_on.year, last_year)
    starts_on = datetime.date(year, rng.randint(1, 6 if year == today.year else 12), 1)
    place = unit.name
    is_individual = rng.random() < 0.1
    status = ModelStatus.REGISTERED
    commendation = None
    if period is periods[0]:
        status = _pick(rng, OLD_STATUSES)
        if status == ModelStatus.HONORED:
            commendation = _commendation(rng, level, year, place)
    specs = rng.sample(INDICATORS[field], k=min(rng.randint(2, 4), len(INDICATORS[field])))
    model = model_record_existing(
        actor=actor,
        unit=unit,
        values={
            "name": rng.choice(NAMES[field]).format(place=place),
            "holder": Holder.INDIVIDUAL if is_individual else Holder.COLLECTIVE,
            "person_name": rng.choice(PERSONS) if is_individual else "",
            "person_consents_to_publication": is_individual and rng.random() < 0.6,
            "field": field,
            "level": level,
            "period": period,
            "year": year,
            "lead_body": lead,
            "starts_on": starts_on,
            **_parts(rng, place=place, year=year, period=period, level=level),
        },
        indicators=[IndicatorInput(a, b, Decimal(c), Decimal(d)) for a, b, c, d in specs],
        status=status,
        commendation=commendation,
    )
    if commendation:
        scene.counts["honored"] += 1
    _report(actor, scene, model, list(range(year, last_year + 1)))
    return model


def _report(actor: Actor, scene: _Scene, model: MobilizationModel, years: list[int]) -> None:
    """Yearly reports from the model's year on: 1 to 3 of them, none in the future; about one
    model in eight makes no progress, three in ten show no evidence."""
    rng, today = scene.rng, scene.today
    years = years[: rng.randint(1, 3)]
    stuck = rng.random() < 0.12
    scene.counts["no_progress"] += stuck
    with_evidence = rng.random() > 0.3
    scene.counts["no_evidence"] += not with_evidence
    for indicator in model.indicators.all():
        for step, report_year in enumerate(years, start=1):
            share = (
                Decimal(0)
                if stuck
                else Decimal(min(1.0, step / len(years) * rng.uniform(0.5, 1.1)))
            )
            value = indicator.baseline + (indicator.target - indicator.baseline) * share
            reported_on = min(datetime.date(report_year, 12, 15), today)
            report = indicator_report(
                actor=actor,
                indicator=indicator,
                period_label=str(report_year),
                value=value.quantize(Decimal("1")) if value >= 0 else Decimal(0),
                reported_on=reported_on,
                note="Số liệu tổng hợp cuối năm." if step == len(years) else "",
            )
            if with_evidence and step == len(years) and indicator.order == 0:
                evidence_add(
                    actor=actor,
                    model=model,
                    upload=scene.photo,
                    report=report,
                    caption=f"Ảnh minh chứng năm {report_year}",
                )


def _communes(scene: _Scene) -> list[AdministrativeUnit]:
    return scene.at_level[Level.COMMUNE] + scene.other_communes


def _adopt_some(actor: Actor, scene: _Scene, made: list[MobilizationModel]) -> None:
    """Six honored models (below the province) adopted by other communes."""
    rng = scene.rng
    honored = [m for m in made if m.status == ModelStatus.HONORED and m.level != Level.PROVINCE]
    communes = _communes(scene)
    for origin in honored[:6]:
        target = next(
            (c for c in rng.sample(communes, len(communes)) if c.pk != origin.unit_id), None
        )
        if target is None:
            continue
        model_adopt(
            actor=actor,
            origin=origin,
            unit=target,
            lead_body=rng.choice(scene.by_unit.get(target.pk) or [scene.front]),
            period=scene.periods[1],
            starts_on=min(datetime.date(2026, 3, 1), scene.today),
        )
        scene.counts["adopted"] += 1


def _register_again(actor: Actor, scene: _Scene, made: list[MobilizationModel]) -> None:
    """Four commune models registered again by another commune with the same content: the
    near-duplicates the checks should find."""
    communes = _communes(scene)
    for original in [m for m in made if m.level == Level.COMMUNE][:4]:
        target = next((c for c in communes if c.pk != original.unit_id), None)
        if target is None:
            continue
        model_record_existing(
            actor=actor,
            unit=target,
            values={
                "name": original.name.replace("Dân vận khéo", "Mô hình dân vận khéo")
                + " (đăng ký lại)",
                "holder": Holder.COLLECTIVE,
                "field": original.field,
                "level": Level.COMMUNE,
                "period": original.period,
                "year": original.year,
                "lead_body": scene.rng.choice(scene.by_unit.get(target.pk) or [scene.front]),
                "starts_on": original.starts_on,
                **{part: getattr(original, part) for part in PARTS},
            },
            indicators=[
                IndicatorInput(i.name, i.unit_of_measure, i.baseline, i.target)
                for i in original.indicators.all()
            ],
        )
        scene.counts["near_duplicate"] += 1
