"""The issues list finds an issue by words typed with or without marks."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.mark.parametrize("typed", ["tiem chung", "tiêm chủng", "TIEM CHUNG"])
def test_words_without_marks_find_the_issue(say, login, commune_officer, typed):
    vaccine = say("Trạm y tế chưa tiêm chủng cho trẻ ở xóm, đề nghị xã kiểm tra.", topic="health")
    road = say("Đường xóm bị sạt lở sau mưa lớn, đề nghị sửa gấp.")
    assert vaccine.issue_id != road.issue_id
    page = login(commune_officer).get(reverse("insight:list"), {"q": typed}).content.decode()
    assert reverse("insight:issue", args=[vaccine.issue_id]) in page
    assert reverse("insight:issue", args=[road.issue_id]) not in page
