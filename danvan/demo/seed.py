"""The demo province: Nghệ An (code 40), the province of the second article in ``shared/seeds``.

Everything is created through the real services, and running it again adds nothing twice.
Each feature adds its demo data with a function called from ``seed_demo``.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction

from danvan.alerts.demo import seed_alerts
from danvan.audit.context import Actor
from danvan.decisions.demo import seed_decisions
from danvan.insight.demo import seed_insight
from danvan.insight.tasks import deferred_analysis
from danvan.lib.roles import Role
from danvan.organizations.models import Body, BodyKind, MemberOrganization, Membership
from danvan.organizations.services import body_create, membership_add
from danvan.reports.demo import seed_reports
from danvan.skillful.demo import seed_models
from danvan.units.models import AdministrativeUnit, UnitKind
from danvan.units.services import (
    unit_create_historic,
    unit_record_succession,
    unit_set_remote,
    units_load_national,
    village_create,
)
from danvan.voices.demo import DEMO_COUNT, seed_voices

PROVINCE = "40"

#: Communes of the former mountain districts Kỳ Sơn, Tương Dương, Quế Phong, Quỳ Châu and Con
#: Cuông. The flag is illustrative for the demo: the real list comes from the Prime Minister's
#: decisions on especially difficult areas and is set by an administrator.
REMOTE_COMMUNES = [
    # Kỳ Sơn
    *["16813", "16849", "16837", "16855", "16834", "16858", "16870", "16816", "16819", "16822"],
    *["16828", "16831"],
    # Tương Dương
    *["16876", "16906", "16912", "16909", "16903", "16885", "16882", "16933", "16936"],
    # Quế Phong, Quỳ Châu
    *["16738", "16750", "16756", "16774", "16744", "16777", "16792", "16801", "16804"],
    # Con Cuông
    *["17254", "17263", "17239", "17242", "17248", "17230"],
]

#: Villages and residential groups of a few communes (commune code → names).
VILLAGES: dict[str, tuple[str, list[str]]] = {
    "17329": (UnitKind.VILLAGE, [f"Xóm {n}" for n in range(1, 13)]),
    "16813": (
        UnitKind.VILLAGE,
        [
            "Bản Đình Tiến",
            "Bản Khánh Thành",
            "Bản Na Xái",
            "Bản Pa Khốm",
            "Bản Huồi Lê",
            "Bản Xốp Mạt",
            "Bản Sơn Hà",
            "Bản Lưu Thắng",
        ],
    ),
    "16681": (UnitKind.RESIDENTIAL_GROUP, [f"Khối {n}" for n in range(1, 11)]),
    "17464": (
        UnitKind.VILLAGE,
        [
            "Xóm Tân Lộc",
            "Xóm Bắc Thịnh",
            "Xóm Nam Thịnh",
            "Xóm Đông Lộc",
            "Xóm Tây Lộc",
            "Xóm Hòa Bình",
            "Xóm Trung Hậu",
            "Xóm Yên Thọ",
        ],
    ),
    "17662": (UnitKind.VILLAGE, [f"Thôn {n}" for n in range(1, 9)]),
}

#: Communes that get a full set of commune bodies.
COMMUNES_WITH_BODIES = ["17329", "16813", "16681", "17464", "17662"]

PROVINCE_BODIES: list[tuple[str, str, str, str, str]] = [
    # key, kind, name, symbol, member organization
    ("tu", BodyKind.PARTY_COMMITTEE, "Tỉnh ủy Nghệ An", "TU", ""),
    (
        "btgdv",
        BodyKind.PROPAGANDA_MASS_MOBILIZATION_COMMISSION,
        "Ban Tuyên giáo và Dân vận Tỉnh ủy Nghệ An",
        "BTGDVTU",
        "",
    ),
    ("mttq", BodyKind.FRONT_COMMITTEE, "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh Nghệ An", "MTTQ", ""),
    (
        "phunu",
        BodyKind.FRONT_MEMBER_ORGANIZATION,
        "Hội Liên hiệp Phụ nữ tỉnh Nghệ An",
        "HLHPN",
        MemberOrganization.WOMEN,
    ),
    (
        "doan",
        BodyKind.FRONT_MEMBER_ORGANIZATION,
        "Tỉnh đoàn Nghệ An",
        "TĐ",
        MemberOrganization.YOUTH,
    ),
    (
        "nongdan",
        BodyKind.FRONT_MEMBER_ORGANIZATION,
        "Hội Nông dân tỉnh Nghệ An",
        "HND",
        MemberOrganization.FARMERS,
    ),
    (
        "ccb",
        BodyKind.FRONT_MEMBER_ORGANIZATION,
        "Hội Cựu chiến binh tỉnh Nghệ An",
        "HCCB",
        MemberOrganization.VETERANS,
    ),
    (
        "ldld",
        BodyKind.FRONT_MEMBER_ORGANIZATION,
        "Liên đoàn Lao động tỉnh Nghệ An",
        "LĐLĐ",
        MemberOrganization.TRADE_UNION,
    ),
    ("hdnd", BodyKind.PEOPLES_COUNCIL, "Hội đồng nhân dân tỉnh Nghệ An", "HĐND", ""),
    ("ubnd", BodyKind.PEOPLES_COMMITTEE, "Ủy ban nhân dân tỉnh Nghệ An", "UBND", ""),
    (
        "snnmt",
        BodyKind.PEOPLES_COMMITTEE_DEPARTMENT,
        "Sở Nông nghiệp và Môi trường tỉnh Nghệ An",
        "SNNMT",
        "",
    ),
    ("sxd", BodyKind.PEOPLES_COMMITTEE_DEPARTMENT, "Sở Xây dựng tỉnh Nghệ An", "SXD", ""),
    ("thanhtra", BodyKind.PEOPLES_COMMITTEE_DEPARTMENT, "Thanh tra tỉnh Nghệ An", "TTr", ""),
]
PROVINCE_PARENTS = {
    "btgdv": "tu",
    "snnmt": "ubnd",
    "sxd": "ubnd",
    "thanhtra": "ubnd",
    "phunu": "mttq",
    "doan": "mttq",
    "nongdan": "mttq",
    "ccb": "mttq",
    "ldld": "mttq",
}

COMMUNE_BODIES: list[tuple[str, str, str, str, str]] = [
    ("du", BodyKind.PARTY_COMMITTEE, "Đảng ủy {name}", "ĐU", ""),
    ("bxdd", BodyKind.PARTY_BUILDING_COMMISSION, "Ban Xây dựng Đảng Đảng ủy {name}", "BXDĐ", ""),
    ("khoidv", BodyKind.MASS_MOBILIZATION_BLOC, "Khối dân vận {name}", "KDV", ""),
    ("mttq", BodyKind.FRONT_COMMITTEE, "Ủy ban MTTQ Việt Nam {name}", "MTTQ", ""),
    (
        "phunu",
        BodyKind.FRONT_MEMBER_ORGANIZATION,
        "Hội Liên hiệp Phụ nữ {name}",
        "HLHPN",
        MemberOrganization.WOMEN,
    ),
    (
        "doan",
        BodyKind.FRONT_MEMBER_ORGANIZATION,
        "Đoàn Thanh niên {name}",
        "ĐTN",
        MemberOrganization.YOUTH,
    ),
    (
        "nongdan",
        BodyKind.FRONT_MEMBER_ORGANIZATION,
        "Hội Nông dân {name}",
        "HND",
        MemberOrganization.FARMERS,
    ),
    (
        "ccb",
        BodyKind.FRONT_MEMBER_ORGANIZATION,
        "Hội Cựu chiến binh {name}",
        "HCCB",
        MemberOrganization.VETERANS,
    ),
    ("hdnd", BodyKind.PEOPLES_COUNCIL, "Hội đồng nhân dân {name}", "HĐND", ""),
    ("ubnd", BodyKind.PEOPLES_COMMITTEE, "Ủy ban nhân dân {name}", "UBND", ""),
]
COMMUNE_PARENTS = {
    "bxdd": "du",
    "khoidv": "du",
    "phunu": "mttq",
    "doan": "mttq",
    "nongdan": "mttq",
    "ccb": "mttq",
}

#: One account per role: username, full name, role, body (province key or commune:key), position.
ACCOUNTS: list[tuple[str, str, str, str, str]] = [
    ("quantri", "Nguyễn Văn Quản", Role.SYSTEM_ADMIN, "btgdv", "Quản trị hệ thống"),
    ("tinh", "Trần Thị Hương", Role.PROVINCIAL_STAFF, "btgdv", "Chuyên viên Phòng Dân vận"),
    ("xa", "Lê Văn Bình", Role.COMMUNE_OFFICER, "17329:bxdd", "Chuyên viên Ban Xây dựng Đảng"),
    ("thon", "Phạm Thị Lan", Role.VILLAGE_MEMBER, "17329-001:tdv", "Tổ trưởng Tổ dân vận"),
    ("lanhdao", "Hoàng Văn Minh", Role.LEADER, "btgdv", "Phó Trưởng ban"),
    ("quansat", "Đặng Thị Thu", Role.OBSERVER, "mttq", "Cán bộ Ban Dân chủ - Pháp luật"),
]


@dataclass
class SeedReport:
    created_accounts: list[tuple[str, str, str]] = field(default_factory=list)  # user, role, pw
    lines: list[str] = field(default_factory=list)


def _body(
    actor: Actor,
    unit: AdministrativeUnit,
    kind: str,
    name: str,
    symbol: str,
    member_org: str,
    parent: Body | None,
) -> Body:
    existing = Body.objects.filter(unit=unit, name=name).first()
    if existing:
        return existing
    return body_create(
        actor=actor,
        unit=unit,
        kind=kind,
        name=name,
        short_name=symbol,
        parent=parent,
        member_organization=member_org,
    )


def seed_units(actor: Actor, report: SeedReport) -> None:
    result = units_load_national(actor=actor)
    report.lines.append(f"units: {result.created} created, {result.unchanged} unchanged")
    units = {u.code: u for u in AdministrativeUnit.objects.filter(code__in=REMOTE_COMMUNES)}
    for code in REMOTE_COMMUNES:
        unit_set_remote(actor=actor, unit=units[code], is_remote=True)
    added = 0
    for commune_code, (kind, names) in VILLAGES.items():
        commune = AdministrativeUnit.objects.get(code=commune_code)
        existing = set(commune.children.values_list("name", flat=True))
        for name in names:
            if name not in existing:
                village_create(actor=actor, commune=commune, name=name, kind=kind)
                added += 1
    report.lines.append(f"villages: {added} added")
    # History: the district of Anh Sơn was abolished on 1 July 2025 and its area went to six
    # communes. Records filed under the district roll up into them (illustrative code).
    province = AdministrativeUnit.objects.get(code=PROVINCE)
    district = unit_create_historic(
        actor=actor,
        code="424",
        name="Huyện Anh Sơn",
        kind=UnitKind.DISTRICT,
        parent=province,
        valid_from=datetime.date(1963, 4, 19),
        valid_to=datetime.date(2025, 6, 30),
    )
    successors = AdministrativeUnit.objects.filter(
        code__in=["17329", "17380", "17344", "17365", "17357", "17335"]
    )
    for successor in successors:
        unit_record_succession(
            actor=actor,
            predecessors=[district],
            successor=successor,
            effective_date=datetime.date(2025, 7, 1),
            legal_basis="Nghị quyết 1678/NQ-UBTVQH15",
        )


def seed_bodies(actor: Actor, report: SeedReport) -> dict[str, Body]:
    province = AdministrativeUnit.objects.get(code=PROVINCE)
    bodies: dict[str, Body] = {}
    for key, kind, name, symbol, member_org in PROVINCE_BODIES:
        parent = bodies.get(PROVINCE_PARENTS.get(key, ""))
        bodies[key] = _body(actor, province, kind, name, symbol, member_org, parent)
    for code in COMMUNES_WITH_BODIES:
        commune = AdministrativeUnit.objects.get(code=code)
        short = commune.name.split(" ", 1)[0].lower() + " " + commune.name.split(" ", 1)[1]
        for key, kind, pattern, symbol, member_org in COMMUNE_BODIES:
            parent = bodies.get(f"{code}:{COMMUNE_PARENTS.get(key, '')}")
            bodies[f"{code}:{key}"] = _body(
                actor, commune, kind, pattern.format(name=short), symbol, member_org, parent
            )
        for village in commune.children.current().order_by("code"):
            bodies[f"{village.code}:tdv"] = _body(
                actor,
                village,
                BodyKind.MASS_MOBILIZATION_GROUP,
                f"Tổ dân vận {village.name}",
                "TDV",
                "",
                bodies.get(f"{code}:khoidv"),
            )
            bodies[f"{village.code}:bctmt"] = _body(
                actor,
                village,
                BodyKind.FRONT_WORK_BOARD,
                f"Ban công tác Mặt trận {village.name}",
                "BCTMT",
                "",
                bodies.get(f"{code}:mttq"),
            )
    report.lines.append(f"bodies: {Body.objects.count()} in all")
    return bodies


def seed_accounts(
    actor: Actor, report: SeedReport, bodies: dict[str, Body], password: str | None
) -> None:
    user_model = get_user_model()
    for username, full_name, role, body_key, position in ACCOUNTS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            secret = password or secrets.token_urlsafe(9)
            user = user_model.objects.create_user(
                username=username,
                password=secret,
                full_name=full_name,
                email=f"{username}@danvan.example",
                phone="0912" + "".join(secrets.choice("0123456789") for _ in range(6)),
                is_staff=role == Role.SYSTEM_ADMIN,
                is_superuser=role == Role.SYSTEM_ADMIN,
            )
            report.created_accounts.append((username, str(Role(role).label), secret))
        body = bodies[body_key]
        if not Membership.objects.filter(user=user, body=body).exists():
            membership_add(actor=actor, user=user, body=body, role=role, position=position)


def seed_demo(*, password: str | None = None, voices: int | None = None) -> SeedReport:
    """Build the demo; ``voices`` is how many demo voices (None: the full demo, 0: none).

    The notifications the demo's cases, alerts and reports raise are stored as usual, but no
    email is sent for them: the demo addresses are not real, and the console would fill with
    them. Emails go out when the transaction commits, so the transaction sits inside the
    override (outside it, they were sent after the override had ended)."""
    from django.test.utils import override_settings

    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        return _seed_demo(password=password, voices=voices)


def _seed_demo(*, password: str | None, voices: int | None) -> SeedReport:
    actor = Actor.system("seed_demo")
    report = SeedReport()
    seed_units(actor, report)
    bodies = seed_bodies(actor, report)
    seed_accounts(actor, report, bodies, password)
    count = DEMO_COUNT if voices is None else voices
    if count:
        # The demo's voices are analysed together afterwards, in the order received, once the
        # topic model is trained on them: not one background task each.
        with deferred_analysis():
            seed_voices(actor, report.lines, count=count)
        if seed_insight(actor, report.lines):
            seed_alerts(actor, report.lines)
    seed_models(actor, report.lines, count=300 if voices is None else min(voices, 20))
    if count:
        seed_reports(actor, report.lines, communes=COMMUNES_WITH_BODIES)
        seed_decisions(actor, report.lines)
    return report
