"""What a voice is about and where: problems, places, names, and the rules on them."""

from __future__ import annotations

from danvan.insight.grouping import similarity
from danvan.insight.signatures import concepts_of, places_conflict, signature


def places(text: str) -> dict[str, set[str]]:
    return {kind: set(names) for kind, names in signature(text).places.items()}


def test_a_hamlet_is_the_same_however_its_number_is_written():
    assert places("Đường xóm 03 bị sụt lún")["hamlet"] == {"3"}
    assert places("duong xom3 bi sut lun")["hamlet"] == {"3"}
    assert places("Cử tri x3 đề nghị")["hamlet"] == {"3"}
    assert places("ổ gà ở xxom 3")["hamlet"] == {"3"}


def test_a_capitalised_name_after_a_place_word_is_the_place():
    assert places("Bản Na Lướt thiếu nước sạch")["hamlet"] == {"na luot"}
    assert places("Trường tiểu học Nghi Phong thu tiền")["school"] == {"nghi phong"}
    assert places("trường cấp 2 Đại Thành")["school"] == {"dai thanh"}
    assert places("cho Dong Van ban qua")["market"] == {"dong van"}


def test_everyday_words_are_not_places():
    assert "hamlet" not in places("Con cháu thờ cúng tổ tiên")
    assert places("Đường liên xóm bị hỏng nặng") == {}
    assert "market" not in places("mat ga mat cho lien tuc")


def test_the_writers_own_name_and_address_are_not_the_matters():
    found = places("Tôi là Đặng Hữu Hùng, trú tại xóm 11. Chợ Tân Hồng lấn chiếm lòng đường.")
    assert found.get("market") == {"tan hong"}
    assert "hamlet" not in found
    assert "person" not in found


def test_a_problem_written_with_marks_needs_its_marks():
    assert concepts_of("Cống thoát nước bị tắc") >= {"drainage"}
    assert "drainage" not in concepts_of("Công an xã không xử lý")
    assert "road_damage" in concepts_of("duong xom 3 bi sut lun")
    # A lone syllable typed without marks is too ambiguous: "chua" is far more often "chưa".
    assert "religion" not in concepts_of("xa chua giai quyet")
    assert "religion" in concepts_of("Đất của chùa bị lấn chiếm")


def test_two_different_hamlets_rule_a_match_out_and_one_hamlet_does_not():
    three = signature("Đường xóm 3 bị sụt lún")
    five = signature("Đường xóm 5 bị sụt lún")
    assert places_conflict(three.places, five.places)
    assert similarity(three, five) == 0.0
    assert similarity(three, signature("duong xom 3 sut lun qua, xe ko di dc")) > 0.7


def test_the_same_place_with_another_problem_scores_lower_than_the_same_problem():
    road = signature("Đường xóm 3 bị sụt lún, nhiều ổ gà")
    same = signature("Mặt đường xóm 3 xuống cấp, ổ gà khắp nơi")
    ditch = signature("Mương thoát nước xóm 3 bị tắc cống, nước tràn vào nhà")
    assert similarity(road, same) > similarity(road, ditch)
