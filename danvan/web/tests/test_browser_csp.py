"""In headless Chromium, under the Content-Security-Policy: an officer's topic name is text on the
map, never markup, and the main pages run without one violation of the policy.

Run only these with ``pytest -m browser``.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.conftest import BROWSER_PASSWORD
from danvan.dashboards.tests.helpers import submit
from danvan.voices.services_topics import topic_create

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

if not Path("/usr/bin/chromium").exists():
    pytest.skip("Chromium is not installed: apt-get install chromium", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("reference_data", "reference_data_left_in_place"),
]

EVIL = "<img src=x onerror=alert(1)>"


class Watch:
    """What a page did that it must not: dialogs, policy violations, script errors."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.violations: list[str] = []
        self.errors: list[str] = []

        def on_dialog(dialog: Any) -> None:
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        def on_console(message: Any) -> None:
            if "Content Security Policy" in message.text or "Content-Security-Policy" in (
                message.text
            ):
                self.violations.append(message.text)

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))

    def assert_clean(self) -> None:
        assert self.dialogs == []
        assert self.violations == []
        assert self.errors == []


def log_in(page: Any, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", BROWSER_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")


def test_a_topic_name_with_markup_is_text_on_the_leaders_map(
    live_server, new_page, with_password, world, settings
):
    settings.DANVAN_MAP_TILE_URL = ""
    staff = with_password("provincial_staff")
    topic = topic_create(actor=Actor.of_user(staff), province=world.nghe_an, name=EVIL)
    voice = submit(world, topic=topic, latitude=Decimal("18.85"), longitude=Decimal("104.95"))
    leader = with_password("leader")

    page = new_page()
    watch = Watch(page)
    log_in(page, live_server.url, leader)
    page.goto(f"{live_server.url}/dashboard/map/?unit=40")
    expect(page.locator("[data-testid=map-points] tbody td").first).to_have_text(EVIL)
    # One point: the map is centred on it, so the pointer in the middle opens its tooltip.
    box = page.locator("#dash-map").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_have_text(re.compile(re.escape(f"{voice.tracking_code} · {EVIL} · ")))
    expect(tooltip.locator("img")).to_have_count(0)
    page.wait_for_timeout(300)  # an image's onerror would fire by now

    watch.assert_clean()


def test_the_main_pages_run_without_a_policy_violation(
    live_server, new_page, with_password, world, settings
):
    settings.DANVAN_MAP_TILE_URL = ""
    voice = submit(world, latitude=Decimal("18.85"), longitude=Decimal("104.95"))
    staff = with_password("provincial_staff")

    page = new_page()
    watch = Watch(page)
    # Citizens: the form, with the htmx search of communes and villages.
    page.goto(f"{live_server.url}/y-kien/gui/")
    page.locator("[data-unit-picker] input[type=search]").press_sequentially("Anh Son")
    expect(page.locator("#unit-suggestions [data-unit-code]").first).to_be_visible()
    page.goto(f"{live_server.url}/y-kien/tra-cuu/")
    page.goto(f"{live_server.url}/mo-hinh/")

    log_in(page, live_server.url, staff)
    for path in (
        "/",
        "/units/",
        "/bodies/",
        "/cases/",
        f"/cases/{voice.tracking_code}/",
        "/cases/topics/",
        "/issues/",
        "/alerts/",
        "/dashboard/?unit=40",
        "/dashboard/map/?unit=40",
        "/reports/",
        "/search/?q=b%E1%BB%93i+th%C6%B0%E1%BB%9Dng",
        "/models/",
        "/voter-contact/",
        "/deadlines/",
        "/notifications/",
        "/accounts/profile/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
    # The menu's behaviours and an auto-submitting select still work without inline handlers.
    page.goto(f"{live_server.url}/reports/")
    page.select_option("#status-filter", index=1)
    expect(page).to_have_url(re.compile(r"status="))

    watch.assert_clean()
