"""Finding a case: by its tracking code, by words of its content, newest first, by a unit's name."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from danvan.audit.context import Actor
from danvan.voices.models import Topic, Voice
from danvan.voices.services import voice_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

CITIZEN = Actor(user=None, ip="203.0.113.5", label="citizen")
INBOX = reverse("voices:inbox")


def submit(unit, text: str, *, days_ago: int = 0) -> Voice:
    return voice_submit(
        actor=CITIZEN,
        kind="reflection",
        channel="web",
        unit=unit,
        topic=Topic.objects.get(code="health", province=None),
        text=text,
        received_on=timezone.localdate() - datetime.timedelta(days=days_ago),
        submitter_name="Nguyễn Văn An",
    )


def codes_on(page) -> list[str]:
    import re

    found = re.findall(r"DV-[0-9A-Z]{5}-[0-9A-Z]{5}-.", page.content.decode())
    return list(dict.fromkeys(found))  # each row names its code more than once


@pytest.fixture
def cases(world):
    return {
        "vaccine": submit(
            world.anh_son_village, "Trạm y tế xã chưa tiêm chủng cho trẻ.", days_ago=9
        ),
        "road": submit(world.anh_son_village, "Đường xóm 1 xuống cấp, ổ gà nhiều.", days_ago=1),
        "light": submit(world.anh_son_village, "Đèn đường hỏng cả tháng nay.", days_ago=5),
    }


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: c,
        lambda c: c.lower(),
        lambda c: c.replace("-", ""),
        lambda c: " ".join(c.lower().split("-")),
    ],
)
def test_a_tracking_code_as_read_over_the_phone_finds_its_case(
    cases, commune_officer, login, typed
):
    code = cases["road"].tracking_code
    page = login(commune_officer).get(INBOX, {"q": typed(code)})
    assert page.status_code == 200
    assert set(codes_on(page)) == {code}


def test_words_without_marks_find_the_content(cases, commune_officer, login):
    page = login(commune_officer).get(INBOX, {"q": "tiem chung"})
    assert set(codes_on(page)) == {cases["vaccine"].tracking_code}
    page = login(commune_officer).get(INBOX, {"q": "đèn đường"})
    assert set(codes_on(page)) == {cases["light"].tracking_code}


def test_a_search_too_short_is_an_error_not_everything(cases, commune_officer, login):
    page = login(commune_officer).get(INBOX, {"q": "a"})
    assert page.status_code == 200
    assert "Type at least 2 letters or digits." in page.content.decode()


def test_newest_first_puts_todays_cases_on_top(cases, commune_officer, login):
    page = login(commune_officer).get(INBOX, {"order": "newest"})
    found = [c for c in codes_on(page) if c in {v.tracking_code for v in cases.values()}]
    assert found == [cases[k].tracking_code for k in ("road", "light", "vaccine")]


def test_the_unit_filter_takes_a_name(cases, world, provincial_staff, login):
    client = login(provincial_staff)
    elsewhere = submit(world.muong_xen_village, "Tiêm chủng chậm ở bản.")
    by_name = client.get(INBOX, {"unit": "Xóm 1 Anh Sơn"})
    by_code = client.get(INBOX, {"unit": world.anh_son_village.code})
    picked = client.get(INBOX, {"unit": f"Xóm 1, Xã Anh Sơn ({world.anh_son_village.code})"})
    expected = {v.tracking_code for v in cases.values()}
    for page in (by_name, by_code, picked):
        assert set(codes_on(page)) == expected
    assert elsewhere.tracking_code not in codes_on(by_name)


def test_a_unit_name_that_fits_several_says_which(cases, provincial_staff, login):
    page = login(provincial_staff).get(INBOX, {"unit": "Xóm"}).content.decode()
    assert "Several units match" in page or "No unit matches" in page


def test_the_search_page_opens_a_case_by_its_code(cases, commune_officer, login):
    code = cases["road"].tracking_code
    response = login(commune_officer).get(reverse("search:search"), {"q": code.lower()})
    assert response.status_code == 302
    assert response["Location"] == reverse("voices:case", args=[code])


def test_the_search_page_does_not_open_a_case_out_of_scope(world, village_member, login):
    other = submit(world.muong_xen_village, "Tiêm chủng chậm ở bản.")
    response = login(village_member).get(reverse("search:search"), {"q": other.tracking_code})
    assert response.status_code == 200
    assert reverse("voices:case", args=[other.tracking_code]) not in response.content.decode()
