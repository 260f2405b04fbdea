"""The issue's "Done when" for search, in headless Chromium: an officer on a phone types
"sut lun" and sees the voice about "sụt lún", with the words marked, and opens its case."""

from __future__ import annotations

import datetime
import re

import pytest

# The helpers of the browser tests (and their module-level skip when Chromium is missing).
from danvan.web.tests.test_browser import ARTIFACTS, PHONE, expect, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "reference_data_left_in_place"),
]


def test_an_officer_types_without_diacritics_and_finds_the_voice(
    live_server, new_page, with_password, make_voice, world
):
    found = make_voice(
        "Đường liên xóm qua Xóm 1 bị sụt lún sau mưa lớn, xe máy đi lại rất nguy hiểm.",
        received_on=datetime.date(2026, 10, 1),
    )
    make_voice("Đèn đường hỏng đã ba tháng.", received_on=datetime.date(2026, 10, 2))
    elsewhere = make_voice("Cầu tràn bị sụt lún.", unit=world.hoan_kiem)  # Hà Nội: not theirs

    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, live_server.url, with_password("commune_officer"))
    page.goto(f"{live_server.url}/search/")
    page.fill("#search-q", "sut lun")
    page.locator("main form[role=search] button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/search/\?q=sut\+lun"))
    results = page.locator("main .search-results li.card")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(found.tracking_code)
    expect(results.first).to_contain_text("sụt lún")
    expect(results.first.locator("mark")).to_have_text(["sụt", "lún"])
    assert elsewhere.tracking_code not in page.content()
    # Nothing wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search-phone.png"), full_page=True)

    results.first.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/cases/{re.escape(found.tracking_code)}/"))
