"""The issue's "Done when", in headless Chromium on a phone: a surge of land complaints in one
commune raises a caution alert whose reason states its numbers; the commune officer
acknowledges it, then closes it with a note.

The surge is planted by the demo hook (``alerts_demo_seed``), which submits the voices through
``voice_submit`` and runs the scan, as the demo does.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings

from danvan.alerts.demo import alerts_demo_seed
from danvan.alerts.models import Alert, AlertLevel, AlertRule, AlertStatus
from danvan.audit.context import Actor
from danvan.web.tests.test_browser import ARTIFACTS, PHONE, expect, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reference_data", "reference_data_left_in_place"),
]


def test_a_land_surge_raises_a_caution_alert_that_is_acknowledged_then_closed_with_a_note(
    live_server: Any, new_page: Any, with_password: Any, world: Any
) -> None:
    officer = with_password("commune_officer")
    alert = alerts_demo_seed(actor=Actor.system("test"), commune=world.anh_son)
    assert alert is not None and alert.level == AlertLevel.CAUTION

    page = new_page(viewport=PHONE)
    log_in(page, live_server.url, officer)
    expect(page).to_have_url(f"{live_server.url}/")
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}]
    )

    page.goto(f"{live_server.url}/alerts/")
    row = page.locator(f"tr[data-alert='{alert.pk}']")
    expect(row.locator(".alert-level")).to_have_text("Caution")
    expect(row).to_contain_text("Xã Anh Sơn")
    row.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/alerts/{alert.pk}/")

    reason = page.locator("#alert-reason")
    expect(reason).to_contain_text("5 voices in the last 7 days, against 1 on average")
    expect(reason).to_contain_text("4 times σ = 1 above the average")
    expect(reason).to_contain_text("caution from 3")
    expect(page.locator("#alert-level")).to_have_text("Caution")
    # The page fits the phone: nothing wider than the screen but the voices' table, which scrolls.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"] + 1
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "alerts-caution-phone.png"), full_page=True)

    page.fill("#acknowledge-form textarea", "Đang xác minh với các hộ dân")
    page.locator("#acknowledge-form button[type=submit]").click()
    expect(page.locator("#alert-status")).to_have_text("Acknowledged")

    # The note is required: an empty one is not sent.
    page.locator("#close-form button[type=submit]").click()
    expect(page.locator("#alert-status")).to_have_text("Acknowledged")
    page.fill("#close-form textarea", "Đã đối thoại, giải thích phương án bồi thường")
    page.locator("#close-form button[type=submit]").click()
    expect(page.locator("#alert-status")).to_have_text("Closed")
    expect(page.locator("#close-note")).to_contain_text(
        re.compile("Đã đối thoại, giải thích phương án bồi thường")
    )

    alert.refresh_from_db()
    assert alert.status == AlertStatus.CLOSED
    assert alert.closed_by == officer
    assert alert.acknowledged_by == officer
    assert Alert.objects.filter(rule=AlertRule.SURGE).count() == 1
