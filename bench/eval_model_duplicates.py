"""How well the near-duplicate check of "Skillful Mass Mobilization" models separates a model
registered again from a different model of the same field, and how long it takes.

    .venv/bin/python bench/eval_model_duplicates.py [--seed 7] [--models 2500]

Texts are written from sentence pools per field (situations, goals, methods, forces, resources,
outputs, sustainability) as real registration forms are: models of one field share much of their
vocabulary and some boilerplate. Pairs:

- positives (a model registered again): the same text with the place and the model's name
  changed; with its sentences reordered; with small edits (a sentence dropped, numbers changed,
  a few words replaced, some text typed without diacritics); and all of these at once;
- negatives: two different models of the same field, half of them in the same commune (the hard
  case: same place, same field, different practice).

It prints precision and recall by threshold, then times ``near_duplicate_pairs`` (the whole
set, blocked by field) and one model against its field (what ``check_model`` does).
No database: the functions are those of ``danvan/skillful/similarity.py``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "danvan.settings")
django.setup()

from danvan.skillful.similarity import (
    NEAR_DUPLICATE_THRESHOLD,
    jaccard,
    near_duplicate_pairs,
    shingles,
)

PLACES = [
    "xã Anh Sơn",
    "xã Mường Xén",
    "xã Diễn Châu",
    "phường Vinh Tân",
    "xã Quỳnh Lưu",
    "xã Con Cuông",
    "xã Nam Đàn",
    "phường Cửa Lò",
    "xã Yên Thành",
    "xã Thanh Chương",
    "xã Đô Lương",
    "xã Quế Phong",
    "xã Tương Dương",
    "phường Hoàng Mai",
    "xã Nghi Lộc",
    "xã Hưng Nguyên",
    "xã Kỳ Sơn",
    "xã Tân Kỳ",
]
HAMLETS = ["xóm 1", "xóm 3", "bản Na Xái", "thôn Đông", "khối 5", "bản Huồi Giảng", "xóm Trung"]

POOLS: dict[str, dict[str, list[str]]] = {
    "economy": {
        "name": [
            "Dân vận khéo trong xây dựng đường giao thông nông thôn",
            "Vận động nhân dân hiến đất mở rộng đường",
            "Tổ hợp tác trồng chè an toàn",
            "Chuyển đổi cây trồng trên đất lúa kém hiệu quả",
            "Phụ nữ giúp nhau phát triển kinh tế",
            "Vận động giải phóng mặt bằng dự án khu công nghiệp",
            "Nuôi bò nhốt chuồng gắn với trồng cỏ",
            "Hợp tác xã dịch vụ nông nghiệp kiểu mới",
            "Dồn điền đổi thửa tạo cánh đồng lớn",
            "Sản phẩm OCOP từ cam Vinh",
        ],
        "sentences": [
            "Đường giao thông nội đồng xuống cấp, lầy lội vào mùa mưa, việc đi lại khó khăn",
            "Nhiều hộ còn sản xuất nhỏ lẻ, manh mún, thu nhập thấp và bấp bênh",
            "Diện tích lúa trên đất trũng thường xuyên bị ngập, năng suất thấp",
            "Giá thu mua nông sản không ổn định, người dân bị tư thương ép giá",
            "Dự án cần thu hồi đất của nhiều hộ nhưng người dân còn băn khoăn về giá bồi thường",
            "Tỷ lệ hộ nghèo còn cao so với bình quân chung của tỉnh",
            "Chi bộ họp bàn, ra nghị quyết chuyên đề và phân công đảng viên phụ trách từng nhóm hộ",
            "Tổ dân vận đến từng nhà tuyên truyền, vận động, lắng nghe ý kiến của nhân dân",
            "Công khai phương án bồi thường, hỗ trợ tái định cư tại nhà văn hóa thôn",
            "Tổ chức tập huấn kỹ thuật canh tác theo tiêu chuẩn VietGAP cho các hộ tham gia",
            "Liên kết với doanh nghiệp bao tiêu sản phẩm với giá ổn định",
            "Thành lập tổ hợp tác, xây dựng quy chế hoạt động và quỹ tương trợ",
            "Đảng viên, cán bộ gương mẫu hiến đất, tháo dỡ tường rào trước",
            "Đối thoại trực tiếp với các hộ còn vướng mắc, giải thích chính sách pháp luật",
            "Huy động người dân đóng góp ngày công, vật liệu để làm đường",
            "Chị em phụ nữ góp vốn xoay vòng giúp nhau mua giống, phân bón",
            "Đưa giống cây trồng mới có giá trị kinh tế cao vào sản xuất",
            "Xây dựng nhãn hiệu, truy xuất nguồn gốc và đưa sản phẩm lên sàn thương mại điện tử",
            "Mặt trận và các đoàn thể giám sát việc sử dụng các khoản đóng góp của nhân dân",
            "Biểu dương, khen thưởng kịp thời các hộ tiêu biểu trong phong trào",
            "Ngân sách nhà nước hỗ trợ xi măng, nhân dân đóng góp phần còn lại",
            "Vốn vay ưu đãi từ Ngân hàng Chính sách xã hội cho hộ nghèo và cận nghèo",
            "Duy trì tổ tự quản bảo dưỡng đường, họp định kỳ mỗi quý",
            "Mô hình có thể nhân rộng ra các thôn, xóm có điều kiện tương tự",
        ],
        "outputs": [
            "Hoàn thành {n} km đường bê tông",
            "{n} hộ hiến {m} m2 đất",
            "Thu nhập bình quân tăng {n} triệu đồng mỗi năm",
            "Bàn giao {n} ha mặt bằng đúng tiến độ",
            "{n} hộ thoát nghèo",
            "{n} tấn sản phẩm được bao tiêu",
        ],
    },
    "culture_society": {
        "name": [
            "Khu dân cư văn hóa không rác thải nhựa",
            "Dòng họ khuyến học khuyến tài",
            "Câu lạc bộ dân ca ví giặm",
            "Xóm không có người nghiện ma túy",
            "Vận động bỏ hủ tục trong việc cưới việc tang",
            "Nhà nhân ái cho hộ khó khăn",
            "Tuyến đường hoa thanh niên",
            "Đỡ đầu học sinh nghèo vượt khó",
            "Phân loại rác thải tại nguồn",
            "Bảo hiểm y tế toàn dân",
        ],
        "sentences": [
            "Rác thải sinh hoạt đổ bừa bãi ven đường, gây ô nhiễm môi trường",
            "Một số hủ tục trong việc cưới, việc tang còn tốn kém, lãng phí",
            "Nhiều học sinh có hoàn cảnh khó khăn có nguy cơ bỏ học",
            "Tỷ lệ người dân tham gia bảo hiểm y tế còn thấp",
            "Các làn điệu dân ca ví giặm đang dần mai một trong giới trẻ",
            "Một số hộ gia đình chính sách còn ở nhà tạm, dột nát",
            "Ban công tác Mặt trận phối hợp với chi hội phụ nữ phát động phong trào",
            "Mỗi hộ gia đình ký cam kết thực hiện nếp sống văn minh",
            "Hướng dẫn người dân phân loại rác hữu cơ để ủ phân bón cây",
            "Vận động các dòng họ lập quỹ khuyến học, khen thưởng con cháu học giỏi",
            "Tổ chức sinh hoạt câu lạc bộ hằng tháng tại nhà văn hóa",
            "Kêu gọi các nhà hảo tâm, con em xa quê ủng hộ xây nhà",
            "Đoàn viên thanh niên trồng hoa, dọn vệ sinh các tuyến đường vào sáng chủ nhật",
            "Thăm hỏi, tặng quà các gia đình chính sách vào dịp lễ, tết",
            "Đưa nội dung bảo vệ môi trường vào hương ước, quy ước của thôn",
            "Người có uy tín trong cộng đồng làm gương và vận động con cháu",
            "Trạm y tế phối hợp tuyên truyền về lợi ích của bảo hiểm y tế",
            "Nhân dân đóng góp ngày công, các đoàn thể hỗ trợ vật liệu",
            "Quỹ do các dòng họ và nhà hảo tâm đóng góp",
            "Gắn mô hình với phong trào toàn dân đoàn kết xây dựng đời sống văn hóa",
            "Định kỳ sơ kết, rút kinh nghiệm và nhân rộng ra các khu dân cư khác",
            "Kinh phí từ ngân sách xã và xã hội hóa",
        ],
        "outputs": [
            "{n} hộ phân loại rác tại nguồn",
            "Xây mới {n} nhà nhân ái",
            "{n} học sinh được đỡ đầu",
            "Tỷ lệ tham gia bảo hiểm y tế đạt {n}%",
            "{n} đám cưới tổ chức tiết kiệm",
            "Trồng {n} km đường hoa",
        ],
    },
}

PERSON_WORDS = {"nhân dân": "người dân", "vận động": "tuyên truyền", "hộ gia đình": "gia đình"}


def strip_marks(text: str) -> str:
    from danvan.lib.text import fold

    return fold(text)


#: ``--boilerplate``: units copy the pools' sentences word for word (the harder case).
BOILERPLATE = False


def own_words(rng: random.Random, sentence: str, place: str) -> str:
    """Each unit writes a shared idea in its own words: a couple of words left out, a local
    detail added."""
    if BOILERPLATE:
        return sentence
    words = sentence.split()
    for _ in range(2 if len(words) > 8 else 0):
        words.pop(rng.randrange(1, len(words)))
    if rng.random() < 0.4:
        words.insert(rng.randrange(1, len(words)), rng.choice([place, *LOCAL]))
    return " ".join(words)


LOCAL = [
    "ở thôn",
    "hằng năm",
    "từ năm 2023",
    "theo kế hoạch",
    "của chi bộ",
    "tại cơ sở",
    "kịp thời",
]


def make_model(rng: random.Random, field: str, place: str) -> dict[str, str]:
    pool = POOLS[field]
    sentences = [own_words(rng, s, place) for s in rng.sample(pool["sentences"], 12)]
    parts = {
        "name": f"{rng.choice(pool['name'])} ở {rng.choice(HAMLETS)}",
        "situation": ". ".join(sentences[0:2]) + f" tại {place}.",
        "goals": f"Đến năm {rng.randint(2026, 2030)} {sentences[2].lower()}.",
        "content": ". ".join(sentences[3:7]) + ".",
        "area_and_target": f"Các hộ dân của {place}, trước hết là {rng.choice(HAMLETS)}.",
        "forces": ". ".join(sentences[7:9]) + ".",
        "resources": sentences[9] + ".",
        "expected_outputs": ". ".join(
            o.format(n=rng.randint(2, 400), m=rng.randint(100, 9000))
            for o in rng.sample(pool["outputs"], 2)
        )
        + ".",
        "sustainability": ". ".join(sentences[10:12]) + ".",
    }
    return parts


def renamed(parts: dict[str, str], old: str, new: str, rng: random.Random) -> dict[str, str]:
    out = {k: v.replace(old, new) for k, v in parts.items()}
    out["name"] = (
        rng.choice(["Mô hình ", "Điển hình ", ""]) + out["name"].split(" ở ")[0] + " kiểu mẫu"
    )
    return out


def reordered(parts: dict[str, str], rng: random.Random) -> dict[str, str]:
    out = {}
    for key, text in parts.items():
        sentences = [s for s in text.split(". ") if s]
        rng.shuffle(sentences)
        out[key] = ". ".join(sentences)
    return out


def edited(parts: dict[str, str], rng: random.Random) -> dict[str, str]:
    out = dict(parts)
    sentences = out["content"].split(". ")
    sentences.pop(rng.randrange(len(sentences)))  # a sentence dropped
    out["content"] = ". ".join(sentences)
    out["expected_outputs"] = "".join(
        str(rng.randint(1, 9)) if ch.isdigit() else ch for ch in out["expected_outputs"]
    )
    for old, new in PERSON_WORDS.items():
        out["situation"] = out["situation"].replace(old, new)
    out["forces"] = strip_marks(out["forces"])  # typed without diacritics
    return out


def doc(parts: dict[str, str]) -> frozenset[str]:
    return shingles(parts.values())


def evaluate(rng: random.Random, per_kind: int) -> list[tuple[str, float, bool]]:
    rows: list[tuple[str, float, bool]] = []
    fields = list(POOLS)
    for _ in range(per_kind):
        field = rng.choice(fields)
        place, other_place = rng.sample(PLACES, 2)
        original = make_model(rng, field, place)
        base = doc(original)
        moved = renamed(original, place, other_place, rng)
        variants = {
            "renamed": moved,
            "reordered": reordered(original, rng),
            "edited": edited(original, rng),
            "all three": edited(reordered(moved, rng), rng),
        }
        for name, variant in variants.items():
            rows.append((name, jaccard(base, doc(variant)), True))
        rows.append(
            ("other model, same commune", jaccard(base, doc(make_model(rng, field, place))), False)
        )
        rows.append(
            (
                "other model, other commune",
                jaccard(base, doc(make_model(rng, field, other_place))),
                False,
            )
        )
    return rows


def report(rows: list[tuple[str, float, bool]]) -> None:
    print(
        f"{len(rows)} pairs: {sum(r[2] for r in rows)} near-duplicates, "
        f"{sum(not r[2] for r in rows)} different models of the same field\n"
    )
    print("similarity by kind of pair: min / median / max")
    for kind in dict.fromkeys(r[0] for r in rows):
        values = [r[1] for r in rows if r[0] == kind]
        print(
            f"  {kind:28} {min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"
        )
    print("\nthreshold  precision  recall")
    for threshold in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7):
        flagged = [r for r in rows if r[1] >= threshold]
        true = sum(r[2] for r in flagged)
        positives = sum(r[2] for r in rows)
        precision = true / len(flagged) if flagged else 1.0
        mark = "  <- chosen" if threshold == NEAR_DUPLICATE_THRESHOLD else ""
        print(f"  {threshold:.2f}      {precision:.3f}      {true / positives:.3f}{mark}")


def timing(rng: random.Random, count: int) -> None:
    fields = list(POOLS)
    docs_by_field: dict[str, dict[int, frozenset[str]]] = {f: {} for f in fields}
    started = time.perf_counter()
    planted: set[tuple[int, int]] = set()
    for i in range(count):
        field = fields[i % len(fields)]
        parts = make_model(rng, field, rng.choice(PLACES))
        docs_by_field[field][i] = doc(parts)
        if i % 50 == 0:  # one in 50 registered again elsewhere
            docs_by_field[field][count + i] = doc(edited(reordered(parts, rng), rng))
            planted.add((i, count + i))
    shingled = time.perf_counter() - started
    started = time.perf_counter()
    found: set[tuple[int, int]] = set()
    for docs in docs_by_field.values():
        found |= set(near_duplicate_pairs(docs))
    elapsed = time.perf_counter() - started
    total = sum(len(d) for d in docs_by_field.values())
    print(
        f"\n{total} models in {len(fields)} fields, {len(planted)} planted copies: shingles "
        f"{shingled:.2f} s, all pairs by field {elapsed:.2f} s; {len(found)} pairs found, "
        f"{len(found & planted)} of them planted"
    )
    docs = docs_by_field[fields[0]]
    one = next(iter(docs.values()))
    started = time.perf_counter()
    for other in docs.values():
        jaccard(one, other)
    print(
        f"one model against its field ({len(docs)} models): "
        f"{(time.perf_counter() - started) * 1000:.1f} ms of comparisons"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pairs", type=int, default=500, help="originals (6 pairs each)")
    parser.add_argument("--models", type=int, default=2500)
    parser.add_argument(
        "--boilerplate",
        action="store_true",
        help="different models copy the same sentences word for word",
    )
    args = parser.parse_args()
    global BOILERPLATE
    BOILERPLATE = args.boilerplate
    rng = random.Random(args.seed)
    report(evaluate(rng, args.pairs))
    timing(rng, args.models)


if __name__ == "__main__":
    main()
