"""Build the evaluation set for issue grouping and topics (deterministic, seeded).

    .venv/bin/python bench/insight_eval/build.py [--seed 2026] [--groups 460] [--train 2400]

Writes ``voices.jsonl`` (the test set: gold issue groups and topics) and ``train.jsonl`` (a topic
training set written from different phrasings and different matters) next to this file, and
prints the counts the README reports. See ``README.md`` here for how and why.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import string
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from matters import MATTERS, TRAIN_ONLY, VOTER, Matter
from train_phrasings import TRAIN_EXTRA

PROVINCE = 40  # Nghệ An

# --------------------------------------------------------------------------- communes


def nghe_an_communes() -> list[tuple[str, str]]:
    """(5-digit code, name) of Nghệ An's communes and wards, as ``danvan/units/services.py``
    loads them from the ``vietnam-provinces`` package."""
    from vietnam_provinces import Ward

    rows = [
        (f"{int(w.code):05d}", str(w.name))
        for w in Ward.iter_all()
        if int(w.province_code) == PROVINCE
    ]
    rows.sort()
    if len(rows) < 100:
        raise SystemExit(f"expected Nghệ An's ~130 communes, got {len(rows)}")
    return rows


# ------------------------------------------------------------------------- name pools

GIVEN = [
    "Hùng",
    "Bình",
    "Toàn",
    "Tám",
    "Hoa",
    "Lan",
    "Sơn",
    "Thắng",
    "Hải",
    "Minh",
    "Tuấn",
    "Dũng",
    "Hương",
    "Mai",
    "Cường",
    "Đức",
    "Phương",
    "Thủy",
    "Hòa",
    "Quý",
    "Lộc",
    "Nga",
    "Tâm",
    "Vinh",
    "Khánh",
    "Long",
    "Thanh",
    "Xuân",
    "Chiến",
    "Nghĩa",
    "Hiền",
    "Tuyết",
    "Lương",
    "Việt",
    "Kỳ",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Hồ", "Phan", "Võ", "Đặng", "Hoàng", "Cao", "Lương", "Vi", "Lò"]
MIDDLE_M = ["Văn", "Đình", "Xuân", "Hữu", "Công", "Quang"]
MIDDLE_F = ["Thị", "Thị", "Ngọc"]
PLACE_WORDS = [
    "Tân Hồng",
    "Đồng Bụt",
    "Bàu Sen",
    "Cồn Mốc",
    "Rú Nài",
    "Khe Su",
    "Hồng Lĩnh",
    "Lam Hồng",
    "Phúc Thịnh",
    "An Hòa",
    "Thuận Phong",
    "Đại Thành",
    "Kim Liên",
    "Hòa Sơn",
    "Vĩnh Thành",
    "Bãi Ngang",
    "Cửa Hội",
    "Nam Sơn",
    "Bắc Sơn",
    "Xuân Hòa",
    "Trung Thủy",
    "Hưng Lợi",
    "Đồng Văn",
    "Yên Lạc",
    "Phú Thủy",
    "Lạc Sơn",
    "Nghĩa Thuận",
    "Tràng Kè",
    "Đông Xuân",
    "Hạ Long",
]
BAN_NAMES = [
    "Na Khốm",
    "Huồi Pao",
    "Xốp Mạt",
    "Piêng Lằm",
    "Cà Moong",
    "Nà Xằng",
    "Khe Nạc",
    "Pủng Cỏ",
    "Huồi Cọ",
    "Nậm Khiềng",
    "Tà Cạ",
    "Phà Lõm",
    "Xiềng Hương",
    "Mường Piệt",
    "Hua Na",
    "Cha Lo",
    "Nà Tỳ",
    "Khe Kiền",
    "Pha Lài",
    "Bông Phương",
    "Xốp Cháo",
    "Huồi Mới",
    "Na Hỷ",
    "Lưu Thắng",
]
STREETS = [
    "Lê Lợi",
    "Nguyễn Trãi",
    "Trần Phú",
    "Phan Đình Phùng",
    "Hồ Tùng Mậu",
    "Mai Hắc Đế",
    "Nguyễn Sinh Sắc",
    "Lê Hồng Phong",
    "Quang Trung",
    "Nguyễn Du",
    "Phan Bội Châu",
    "Hoàng Hoa Thám",
]
RIVERS = ["Lam", "Cả", "Hiếu", "Giăng", "Con", "Nậm Mộ", "Cấm", "Hoàng Mai", "Dinh", "Bưởi"]
FESTIVALS = [
    "đền Cờn",
    "đền Quả Sơn",
    "Hang Bua",
    "đền Chín Gian",
    "đền Vạn Lộc",
    "làng Vạc",
    "đền Hoàng Mười",
    "đền Bạch Mã",
    "đền Cuông",
    "Xăng Khan",
]


def person(rng: random.Random) -> str:
    female = rng.random() < 0.35
    middle = rng.choice(MIDDLE_F if female else MIDDLE_M)
    return f"{rng.choice(FAMILY)} {middle} {rng.choice(GIVEN)}"


def mr(rng: random.Random, name: str) -> str:
    return ("bà " if " Thị " in name else "ông ") + name


# Each slot value is a list of aliases: one is chosen per voice (people name the same place in
# different ways). The first alias is the canonical one (the gold key).


def hamlet(style: str, rng: random.Random) -> list[str]:
    if style == "ban":
        name = rng.choice(BAN_NAMES)
        return [f"bản {name}", f"bản {name}", name]
    if style == "khoi":
        k = rng.randint(1, 18)
        return [f"khối {k}", f"khối {k}", f"khối {k:02d}", f"tổ dân phố {k}"]
    if style == "thon":
        name = rng.choice(PLACE_WORDS)
        return [f"thôn {name}", f"thôn {name}", f"xóm {name}"]
    k = rng.randint(1, 16)
    return [f"xóm {k}", f"xóm {k}", f"xóm {k}", f"x{k}", f"xóm {k:02d}"]


def road(rng: random.Random, xom: str) -> list[str]:
    r = rng.random()
    if r < 0.35:
        s = rng.choice(STREETS)
        return [f"đường {s}", f"đường {s}", s]
    if r < 0.55:
        n = rng.choice([534, 535, 538, 545, 598, 205])
        return [f"đường tỉnh {n}", f"ĐT{n}", f"tỉnh lộ {n}"]
    if r < 0.8:
        return ["đường liên xóm", "đường liên xóm", "đường bê tông liên xóm"]
    w = rng.choice(PLACE_WORDS)
    return [f"đường ra đồng {w}", f"đường nội đồng {w}", f"đường ra cánh đồng {w}"]


def school(rng: random.Random) -> list[str]:
    w = rng.choice(PLACE_WORDS)
    level = rng.random()
    if level < 0.4:
        return [f"Trường Tiểu học {w}", f"trường tiểu học {w}", f"trường cấp 1 {w}", f"TH {w}"]
    if level < 0.75:
        return [f"Trường THCS {w}", f"trường THCS {w}", f"trường cấp 2 {w}"]
    return [f"Trường Mầm non {w}", f"trường mầm non {w}", f"MN {w}"]


def project(rng: random.Random) -> list[str]:
    w = rng.choice(PLACE_WORDS)
    kind = rng.choice(
        [
            ("dự án Khu công nghiệp {w}", "KCN {w}", "dự án KCN {w}"),
            ("dự án đường ven biển", "đường ven biển", "dự án đường ven biển Nghi Sơn - Cửa Lò"),
            ("dự án nâng cấp Quốc lộ 7", "dự án QL7", "Quốc lộ 7 mở rộng"),
            ("dự án cao tốc Bắc - Nam", "cao tốc Bắc Nam", "dự án đường cao tốc"),
            ("dự án khu đô thị {w}", "khu đô thị {w}", "dự án KĐT {w}"),
            ("dự án hồ chứa nước {w}", "hồ chứa nước {w}", "dự án hồ {w}"),
            ("dự án đường tránh {w}", "đường tránh {w}", "dự án tuyến tránh {w}"),
            ("dự án trang trại điện mặt trời {w}", "điện mặt trời {w}", "dự án điện mặt trời"),
        ]
    )
    return [k.format(w=w) for k in kind]


def slot_values(rng: random.Random, style: str, commune: str) -> dict[str, list[str]]:
    """Fresh values for every slot: a new place and new objects."""
    xom = hamlet(style, rng)
    w = rng.choice(PLACE_WORDS)
    owner = person(rng)
    official = person(rng)
    citizen = person(rng)
    cs = rng.choice(
        [
            "cơ sở chế biến hải sản {w}",
            "nhà máy tinh bột sắn {w}",
            "xưởng chế biến mủ cao su {w}",
            "cơ sở giết mổ gia súc {w}",
        ]
    ).format(w=w)
    return {
        "xa": [commune[:1].lower() + commune[1:], commune.split(" ", 1)[1]],
        "xom": xom,
        "duong": road(rng, xom[0]),
        "truong": school(rng),
        "duan": project(rng),
        "trai": [mr(rng, owner), f"nhà {owner.split()[-1]}", mr(rng, owner)],
        "cscb": [cs, cs.replace("cơ sở", "xưởng") if "cơ sở" in cs else cs],
        "lo": [rng.choice(PLACE_WORDS), f"của {mr(rng, person(rng))}"][:1],
        "mo": [rng.choice(["Lèn Voi", "Hòn Mỏ", "Rú Đất", "Núi Thần", "Lèn Cờ", "Đồi Bò"])],
        "bai": [rng.choice(["Đồng Bụt", "Rú Nài", "Bàu Trạng", "Cồn Mốc", "Khe Su", "Đồng Tràng"])],
        "song": [rng.choice(RIVERS)],
        "cau": (lambda c: [c, c.replace("cầu treo", "cầu")])(
            rng.choice(["cầu treo {w}", "cầu tràn {w}", "cầu Khe {w}", "cầu gỗ {w}"]).format(
                w=rng.choice(PLACE_WORDS)
            )
        ),
        "cho": [f"chợ {w}", f"chợ {w}", f"chợ {w.split()[0]}"],
        "kara": (lambda k: [f"karaoke {k}", f"karaoke {k}", k])(
            rng.choice(["Hoàng Gia", "Sao Mai", "Thiên Đường", "Ánh Dương", "Tuấn Hải", "Mây Hồng"])
        ),
        "cty": [
            rng.choice(
                [
                    f"Công ty TNHH may {w}",
                    f"Công ty giày da {w}",
                    f"Công ty CP gỗ {w}",
                    f"Công ty TNHH chế biến nông sản {w}",
                ]
            )
        ],
        "pk": [
            rng.choice(
                [f"phòng khám tư {w}", f"quầy thuốc {w}", f"cơ sở đông y {w}", f"phòng khám {w}"]
            )
        ],
        "canbo": [
            f"{mr(rng, official)}",
            f"{mr(rng, official)}",
            f"đồng chí {official}",
            official,
        ],
        "ho": [citizen, citizen, mr(rng, citizen)],
        "chua": [f"chùa {w}", f"chùa {w}", f"Chùa {w}"],
        "gx": [f"giáo xứ {w}", f"Giáo xứ {w}", f"GX {w}"],
        "ban": hamlet("ban", rng),
        "lehoi": [rng.choice(FESTIVALS)],
    }


NUMERIC = {"n", "tien", "nam", "thang"}


def fields_of(text: str) -> list[str]:
    """The slots a template uses, in order of appearance (a set would make the random draws
    depend on PYTHONHASHSEED)."""
    return list(dict.fromkeys(f for _, f, _, _ in string.Formatter().parse(text) if f))


def key_slots(matter: Matter) -> tuple[str, ...]:
    """The slots that name the place of a matter's issue, besides the commune: those EVERY test
    phrasing of the matter names, so that any voice tells which of two issues of the same
    matter in one commune it belongs to (two groups differ in at least one of these)."""
    tests = matter.phrasings[:-1]
    used = set(fields_of(tests[0]))
    for p in tests[1:]:
        used &= set(fields_of(p))
    if matter.code in ONE_SOURCE:
        return ONE_SOURCE[matter.code]
    return tuple(sorted(used - NUMERIC - {"xa"}))


# Matters whose issue is one source, whichever hamlet the writer lives in: a project's price
# (set for the whole project), one plant's waste water, one landfill's smoke.
ONE_SOURCE = {
    "gpmb_price": ("duan",),
    "plant_wastewater": ("cscb",),
    "landfill_smoke": ("bai",),
}


# ---------------------------------------------------------------------- wrapping


OPENERS = [
    "Kính gửi UBND {xa}.",
    "Kính gửi Ủy ban nhân dân {xa},",
    "Kính gửi các cấp chính quyền.",
    "Kính gửi đồng chí Chủ tịch UBND xã.",
    "Tôi xin phản ánh sự việc sau:",
    "Thưa các đồng chí lãnh đạo,",
    "Tôi là {ho}, trú tại {xom}, {xa}.",
    "Em chào anh chị cán bộ xã,",
    "Xin chào,",
    "Cho tôi hỏi,",
]
VOTER_OPENERS = [
    "Cử tri {xom} kiến nghị:",
    "Tại buổi tiếp xúc cử tri, bà con {xom} phản ánh:",
    "Ý kiến cử tri {xa}:",
    "Cử tri đề nghị:",
]
CLOSERS = [
    "Đề nghị các cấp xem xét giải quyết.",
    "Rất mong được quan tâm.",
    "Bà con rất bức xúc.",
    "Xin trân trọng cảm ơn!",
    "Mong các cấp sớm giải quyết dứt điểm.",
    "Đề nghị trả lời cho dân được biết.",
    "Việc này đã phản ánh nhiều lần.",
    "Xin cảm ơn.",
    "Mong được hồi âm sớm.",
    "Nhân dân rất mong chờ.",
]
CONTEXT = [
    "Sự việc đã kéo dài từ đầu năm đến nay.",
    "Chúng tôi đã báo với trưởng xóm nhưng chưa có kết quả.",
    "Tôi đã gọi điện cho xã mấy lần.",
    "Tại buổi họp xóm tháng trước, nhiều hộ cũng đã nêu ý kiến này.",
    "Gia đình tôi sống ở đây đã hơn 20 năm.",
    "Hiện nay tình hình càng ngày càng nghiêm trọng hơn.",
    "Tôi gửi kèm ảnh chụp hiện trạng.",
    "Nếu không giải quyết chúng tôi sẽ gửi đơn lên huyện.",
]


# ------------------------------------------------------------------------ noise

_OLD_TO_NEW = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}  # fmt: skip
_OLD_TONE = re.compile("(" + "|".join(_OLD_TO_NEW) + r")(?=\W|$)")

ABBREVIATIONS: list[tuple[str, list[str]]] = [
    ("không", ["ko", "k", "hok", "kg", "khong"]),
    ("được", ["dc", "đc", "đươc"]),
    ("điều kiện", ["đk", "dk"]),
    ("với", ["vs", "vói"]),
    ("người", ["ng", "ngừoi"]),
    ("Ủy ban nhân dân", ["UBND"]),
    ("Hội đồng nhân dân", ["HĐND"]),
    ("Mặt trận Tổ quốc", ["MTTQ"]),
    ("giải phóng mặt bằng", ["GPMB"]),
    ("thành phố", ["tp", "TP"]),
    ("số điện thoại", ["sđt", "sdt"]),
    ("bảo hiểm y tế", ["BHYT", "bhyt"]),
    ("bảo hiểm xã hội", ["BHXH"]),
    ("học sinh", ["hs", "HS"]),
    ("giáo viên", ["gv", "GV"]),
    ("gia đình", ["gđ", "gd"]),
    ("rồi", ["r", "roài"]),
    ("biết", ["bít", "bjết"]),
    ("quá", ["wa", "qá"]),
    ("gì", ["j"]),
    ("trường hợp", ["TH", "th"]),
    ("đồng chí", ["đ/c", "đc"]),
    ("chính quyền", ["cq", "CQ"]),
    ("cán bộ", ["cb", "CB"]),
    ("bà con", ["bc", "b/c"]),
    ("nghìn", ["k", "ngàn"]),
    ("triệu", ["tr"]),
    ("trách nhiệm", ["TN"]),
    ("đề nghị", ["đn", "ĐN", "dn"]),
    ("xem xét", ["xem xet", "xx"]),
    ("giải quyết", ["gq", "GQ", "giai quyet"]),
]


# Abbreviations and teencode as they appear in the texts (in the phrasings or added by noise).
ABBREV_TOKEN = re.compile(
    r"(?<!\w)(ko|k|hok|kg|dc|đc|đươc|đk|dk|vs|ng|ngừoi|UBND|HĐND|MTTQ|GPMB|tp|TP|sđt|sdt|BHYT|bhyt|"
    r"BHXH|hs|HS|gv|GV|gđ|gd|r|roài|bít|bjết|wa|qá|j|TH|th|đ/c|cq|CQ|cb|CB|bc|b/c|tr|TN|đn|ĐN|dn|"
    r"xx|gq|GQ|KCN|THCS|TH|MN|QL7|KĐT|GX|GCNQSD|ĐT\d+|x\d+|\d+k)(?!\w)"
)


def strip_diacritics(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    )


def has_diacritics(text: str) -> bool:
    return strip_diacritics(text) != text


def abbreviate(text: str, rng: random.Random) -> tuple[str, bool]:
    changed = False
    for long, shorts in ABBREVIATIONS:
        pattern = re.compile(r"(?<!\w)" + re.escape(long) + r"(?!\w)", re.IGNORECASE)

        def repl(m: re.Match[str], shorts: list[str] = shorts) -> str:
            nonlocal changed
            if rng.random() < 0.7:
                changed = True
                return rng.choice(shorts)
            return m.group(0)

        text = pattern.sub(repl, text)
    return text, changed


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 3 or not word.isalpha() or not word.islower():
        return word
    i = rng.randrange(len(word) - 1)
    op = rng.random()
    if op < 0.35:
        return word[:i] + word[i + 1 :]  # dropped letter
    if op < 0.65:
        return word[: i + 1] + word[i] + word[i + 1 :]  # doubled letter
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]  # swapped letters


@dataclass
class Flags:
    no_diacritics: bool = False
    abbreviated: bool = False
    typos: bool = False
    caps: bool = False
    new_tone: bool = False
    wrapped: bool = False
    long: bool = False


def add_noise(text: str, rng: random.Random, flags: Flags, sms: bool) -> str:
    # Tone placement: about half the writers put the tone the "new" way (hoà, thuỷ).
    if rng.random() < 0.45 and _OLD_TONE.search(text):
        text = _OLD_TONE.sub(lambda m: _OLD_TO_NEW[m.group(1)], text)
        flags.new_tone = True
    if rng.random() < (0.45 if sms else 0.2):
        text, flags.abbreviated = abbreviate(text, rng)
    if rng.random() < 0.3:
        words = text.split(" ")
        hit = False
        for i, w in enumerate(words):
            if rng.random() < 0.04:
                words[i] = typo(w, rng)
                hit = hit or words[i] != w
        text = " ".join(words)
        flags.typos = hit
    if rng.random() < 0.08:
        text = strip_diacritics(text)
    flags.no_diacritics = not has_diacritics(text)
    r = rng.random()
    if r < 0.03:
        text = text.upper()
        flags.caps = True
    elif r < 0.13:
        text = text.rstrip(".") + rng.choice(["!!!", "...", " !!", "??", "!"])
    elif r < 0.2:
        text = text[:1].lower() + text[1:]
        text = text.rstrip(".")
    return text


# ---------------------------------------------------------------------- groups


@dataclass
class Group:
    gid: str
    matter: Matter
    unit: str
    commune: str
    style: str
    slots: dict[str, list[str]]
    numbers: dict[str, int]
    size: int = 0
    voices: list[dict[str, str]] = field(default_factory=list)


def numbers(rng: random.Random) -> dict[str, int]:
    return {
        "n": rng.randint(5, 60),
        "tien": rng.choice([45, 60, 80, 95, 120, 150, 180, 250, 300, 350, 450, 500]),
        "nam": rng.randint(2, 9),
        "thang": rng.randint(2, 8),
    }


def group_size(rng: random.Random) -> int:
    r = rng.random()
    if r < 0.42:
        return 1
    if r < 0.60:
        return 2
    if r < 0.70:
        return 3
    if r < 0.87:
        return rng.randint(4, 9)
    if r < 0.95:
        return rng.randint(10, 20)
    return rng.randint(21, 40)


def fill(template: str, g: Group, rng: random.Random, extra: dict[str, str] | None = None) -> str:
    values: dict[str, str] = {}
    for name in fields_of(template):
        if name in NUMERIC:
            base = g.numbers[name]
            # People estimate numbers differently; amounts of money stay as announced.
            if name == "n" and rng.random() < 0.3:
                base = max(2, base + rng.randint(-3, 3))
            values[name] = str(base)
        else:
            values[name] = rng.choice(g.slots[name])
    if extra:
        values.update(extra)
    return template.format(**values)


def pick_phrasing(phrasings: tuple[str, ...], rng: random.Random) -> str:
    """Messages typed without diacritics are common but not the rule: half weight."""
    weights = [1.0 if has_diacritics(p.format_map(_Blank())) else 0.5 for p in phrasings]
    return rng.choices(phrasings, weights)[0]


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def render(
    g: Group, phrasing: str, kind: str, rng: random.Random, more: str | None = None
) -> tuple[str, Flags]:
    """One voice: the phrasing filled for the group, sometimes wrapped in a salutation, context
    and a closing formula; ``more`` (another phrasing of the same matter) makes a long letter
    that tells the problem twice with some context between."""
    flags = Flags()
    body = fill(phrasing, g, rng)
    if not has_diacritics(phrasing.format_map(_Blank())):
        # A message typed without diacritics names its places without them too.
        body = strip_diacritics(body)
    sms = len(body) < 90 or not has_diacritics(body)
    parts = [body]
    if not sms:
        # No second salutation before a text that already has one.
        if rng.random() < 0.3 and not re.match(r"(Kính gửi|Cử tri|Tôi là)", body):
            parts.insert(0, rng.choice(VOTER_OPENERS if kind == VOTER else OPENERS))
        if rng.random() < 0.25:
            parts.insert(len(parts), rng.choice(CONTEXT))
        if more is not None:
            parts.extend(rng.sample(CONTEXT, 2))
            parts.append(fill(more, g, rng))
            flags.long = True
        if rng.random() < (0.8 if more else 0.35):
            parts.append(rng.choice(CLOSERS))
        flags.wrapped = len(parts) > 1
    writer = {"ho": person(rng)}  # whoever signs the opener: not the person the voice is about
    text = " ".join(fill(p, g, rng, writer) if p in OPENERS + VOTER_OPENERS else p for p in parts)
    text = add_noise(text, rng, flags, sms)
    return text, flags


def commune_style(name: str, rng: random.Random) -> str:
    if name.startswith("Phường"):
        return "khoi"
    r = rng.random()
    if r < 0.25:
        return "ban"
    if r < 0.45:
        return "thon"
    return "xom"


def build_groups(rng: random.Random, communes: list[tuple[str, str]], target: int) -> list[Group]:
    styles = {code: commune_style(name, rng) for code, name in communes}
    names = dict(communes)
    groups: list[Group] = []
    keys: set[tuple[str, str, tuple[str, ...]]] = set()
    by_family: dict[str, list[Matter]] = {}
    for m in MATTERS:
        by_family.setdefault(m.family, []).append(m)

    def key_of(
        m: Matter, unit: str, slots: dict[str, list[str]]
    ) -> tuple[str, str, tuple[str, ...]]:
        return (m.code, unit, tuple(slots[s][0] for s in key_slots(m)))

    def add(m: Matter, unit: str, slots: dict[str, list[str]], how: str) -> bool:
        k = key_of(m, unit, slots)
        if k in keys:
            return False
        keys.add(k)
        gid = f"g{len(groups) + 1:04d}"
        groups.append(Group(gid, m, unit, names[unit], styles[unit], slots, numbers(rng), size=0))
        groups[-1].numbers["how"] = 0
        hows[gid] = how
        return True

    hows: dict[str, str] = {}
    while len(groups) < target:
        r = rng.random()
        if not groups or r < 0.45:
            m = rng.choice(MATTERS)
            unit = rng.choice(communes)[0]
            add(m, unit, slot_values(rng, styles[unit], names[unit]), "fresh")
        elif r < 0.70:
            # Hard negative: another problem of the same family at the very same place.
            base = rng.choice(groups)
            others = [m for m in by_family[base.matter.family] if m.code != base.matter.code]
            if others:
                add(rng.choice(others), base.unit, dict(base.slots), "same place, other problem")
        elif r < 0.85:
            # The same complaint template in another commune: another issue.
            base = rng.choice(groups)
            unit = rng.choice(communes)[0]
            if unit != base.unit:
                add(base.matter, unit, slot_values(rng, styles[unit], names[unit]), "other commune")
        else:
            # The same matter in another hamlet (or another road, school...) of one commune.
            base = rng.choice(groups)
            fresh = slot_values(rng, base.style, base.commune)
            if key_slots(base.matter):
                add(base.matter, base.unit, fresh, "same commune, other place")
    for g in groups:
        del g.numbers["how"]
    build_groups.hows = hows  # type: ignore[attr-defined]
    return groups


# ------------------------------------------------------------------------ main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--groups", type=int, default=480)
    parser.add_argument("--train", type=int, default=2600)
    parser.add_argument("--out", type=Path, default=HERE)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    communes = nghe_an_communes()

    # Sanity of the bank: at least 80 matters, 4+ test phrasings each, every slot known.
    assert len(MATTERS) >= 80, len(MATTERS)
    probe = slot_values(random.Random(0), "xom", "Xã Thử")
    for m in MATTERS + TRAIN_ONLY:
        for p in m.phrasings:
            unknown = set(fields_of(p)) - set(probe) - NUMERIC
            assert not unknown, (m.code, unknown)
    for m in MATTERS:
        assert len(m.phrasings) - 1 >= 4, m.code
        extra = TRAIN_EXTRA[m.code]
        assert not set(extra) & set(m.phrasings), m.code
        for p in extra:
            unknown = set(fields_of(p)) - set(probe) - NUMERIC
            assert not unknown, (m.code, unknown)
    assert set(TRAIN_EXTRA) == {m.code for m in MATTERS}, set(TRAIN_EXTRA) ^ {
        m.code for m in MATTERS
    }

    groups = build_groups(rng, communes, args.groups)
    hows: dict[str, str] = build_groups.hows  # type: ignore[attr-defined]

    records: list[dict[str, Any]] = []
    flag_counts: Counter[str] = Counter()
    for g in groups:
        g.size = group_size(rng)
        # A voter session or a whole hamlet writing about one road: the big groups.
        test_phrasings = g.matter.phrasings[:-1]
        for _ in range(g.size):
            kind = rng.choice(g.matter.kinds)
            if g.size >= 10 and VOTER in g.matter.kinds and rng.random() < 0.5:
                kind = VOTER
            phrasing = pick_phrasing(test_phrasings, rng)
            more = None
            if rng.random() < 0.08:
                others = [p for p in test_phrasings if p != phrasing and len(p) > 90]
                more = rng.choice(others) if others else None
            text, flags = render(g, phrasing, kind, rng, more)
            for name, value in vars(flags).items():
                flag_counts[name] += bool(value)
            records.append(
                {
                    "text": text,
                    "unit": g.unit,
                    "kind": kind,
                    "topic": g.matter.topic,
                    "group": g.gid,
                    "matter": g.matter.code,
                    "phrasing": test_phrasings.index(phrasing),
                    **{name: bool(value) for name, value in vars(flags).items()},
                }
            )
    rng.shuffle(records)
    for i, r in enumerate(records, 1):
        r["id"] = f"v{i:05d}"
    # For error analysis only (eval_insight.py reads them if present; methods never see them).
    meta = [
        {k: r[k] for k in ("id", "group", "matter", "phrasing", *vars(Flags()))} for r in records
    ]
    group_rows = [
        {
            "group": g.gid,
            "matter": g.matter.code,
            "topic": g.matter.topic,
            "family": g.matter.family,
            "unit": g.unit,
            "key_slots": list(key_slots(g.matter)),
            "place": {name: g.slots[name][0] for name in key_slots(g.matter)},
            "made": hows[g.gid],
            "size": g.size,
        }
        for g in groups
    ]
    records = [{k: r[k] for k in ("id", "text", "unit", "kind", "topic", "group")} for r in records]

    # The training set: the held-out LAST phrasing of every test matter, the extra phrasings of
    # train_phrasings.py, and every phrasing of the training-only matters; fresh places (new
    # slot values), its own seed stream.
    train_rng = random.Random(args.seed + 1)
    styles = {code: commune_style(name, train_rng) for code, name in communes}
    names = dict(communes)
    pool: list[tuple[Matter, str]] = [(m, m.phrasings[-1]) for m in MATTERS]
    pool += [(m, p) for m in MATTERS for p in TRAIN_EXTRA[m.code]]
    pool += [(m, p) for m in TRAIN_ONLY for p in m.phrasings]
    train: list[dict[str, str]] = []
    for i in range(args.train):
        m, phrasing = train_rng.choice(pool)
        unit = train_rng.choice(communes)[0]
        g = Group(
            f"t{i:05d}",
            m,
            unit,
            names[unit],
            styles[unit],
            slot_values(train_rng, styles[unit], names[unit]),
            numbers(train_rng),
        )
        kind = train_rng.choice(m.kinds)
        text, _ = render(g, phrasing, kind, train_rng)
        train.append(
            {
                "id": f"t{i + 1:05d}",
                "text": text,
                "unit": unit,
                "kind": kind,
                "topic": m.topic,
                "group": f"train-{m.code}",
            }
        )
    test_texts = {r["text"] for r in records}
    overlap = sum(t["text"] in test_texts for t in train)

    args.out.mkdir(parents=True, exist_ok=True)
    outputs = (
        ("voices.jsonl", records),
        ("train.jsonl", train),
        ("voices_meta.jsonl", meta),
        ("groups.jsonl", group_rows),
    )
    for name, rows in outputs:
        with open(args.out / name, "w", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")

    # ---- the counts the README reports
    sizes = Counter(g.size for g in groups)
    buckets = Counter()
    for s, c in sizes.items():
        b = (
            "1"
            if s == 1
            else "2"
            if s == 2
            else "3"
            if s == 3
            else "4-9"
            if s < 10
            else "10-20"
            if s <= 20
            else "21-40"
        )
        buckets[b] += c
    print(
        f"test voices {len(records)}, gold groups {len(groups)}, communes {len({g.unit for g in groups})}"
    )
    print(f"matters used {len({g.matter.code for g in groups})} of {len(MATTERS)}")
    print("group sizes:", {b: buckets[b] for b in ("1", "2", "3", "4-9", "10-20", "21-40")})
    print("largest group:", max(g.size for g in groups))
    print("groups by how they were made:", dict(Counter(hows.values())))
    n = len(records)
    for name in vars(Flags()):
        print(f"  {name}: {flag_counts[name]} ({flag_counts[name] / n:.1%})")
    abbrev = sum(bool(ABBREV_TOKEN.search(r["text"])) for r in records)
    print(f"  any abbreviation or teencode (as written or added): {abbrev} ({abbrev / n:.1%})")
    print("topics (test voices):", dict(sorted(Counter(r["topic"] for r in records).items())))
    print("kinds (test voices):", dict(sorted(Counter(r["kind"] for r in records).items())))
    print(
        f"train voices {len(train)}; topics:",
        dict(sorted(Counter(t["topic"] for t in train).items())),
    )
    print(f"train texts identical to a test text: {overlap}")


if __name__ == "__main__":
    main()
