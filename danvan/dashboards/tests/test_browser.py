"""In headless Chromium: the dashboard ranks bodies by on-time answers; the map draws its points
from the vendored Leaflet with no tile server. Run only these with ``pytest -m browser``."""

from __future__ import annotations

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from danvan.accounts.models import User
from danvan.conftest import BROWSER_PASSWORD
from danvan.dashboards.tests.helpers import answered, submit

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

if not Path("/usr/bin/chromium").exists():
    pytest.skip("Chromium is not installed: apt-get install chromium", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("reference_data", "reference_data_left_in_place"),
]


def log_in(page: Any, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", BROWSER_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base_url}/")


def test_the_dashboard_ranks_bodies_by_on_time_answers(
    live_server, new_page, with_password, world, commune_officer, settings
):
    staff = with_password("provincial_staff")
    # The province's body answers one of two on time; Xã Anh Sơn's body both of its two.
    answered(world, staff, world.province_body, late=True, unit=world.muong_xen)
    answered(world, staff, world.province_body, late=False, unit=world.muong_xen)
    answered(world, commune_officer, world.anh_son_body, late=False)
    answered(world, commune_officer, world.anh_son_body, late=False)
    submit(world, latitude=Decimal("18.85"), longitude=Decimal("104.95"))
    settings.DANVAN_MAP_TILE_URL = ""

    page = new_page()
    log_in(page, live_server.url, staff)
    start = (timezone.localdate() - datetime.timedelta(days=200)).isoformat()
    page.goto(f"{live_server.url}/dashboard/?unit=40")
    # The period chosen in the form, as an officer would.
    page.select_option("#id_period", "range")
    page.fill("#id_start", start)
    page.fill("#id_end", timezone.localdate().isoformat())
    page.locator("form.filters button[type=submit]").click()
    expect(page.locator("[data-testid=total]")).to_have_text("5")

    ranking = page.locator("[data-testid=body-ranking] tbody tr")
    expect(ranking).to_have_count(2)
    expect(ranking.nth(0).locator("th")).to_have_text(world.anh_son_body.name)
    expect(ranking.nth(0)).to_contain_text("100")
    expect(ranking.nth(1).locator("th")).to_have_text(world.province_body.name)
    expect(ranking.nth(1)).to_contain_text("50")

    # Down to the commune: only its own body is ranked there.
    page.locator("[data-testid=units]").get_by_role(
        "link", name=world.anh_son.name, exact=True
    ).click()
    expect(page.locator("main h1")).to_contain_text(world.anh_son.name)
    expect(page.locator("[data-testid=body-ranking] tbody tr")).to_have_count(1)
    expect(page.locator("[data-testid=total]")).to_have_text("3")

    # On a phone, the page itself does not scroll sideways (the tables scroll in their box).
    page.set_viewport_size({"width": 375, "height": 667})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1

    # The map: Leaflet from the vendored files, the point drawn, no tile requested.
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{live_server.url}/dashboard/map/?unit=40")
    expect(page.locator("[data-testid=no-tiles]")).to_be_visible()
    expect(page.locator("#dash-map path.leaflet-interactive, #dash-map canvas")).not_to_have_count(
        0
    )
    assert all(url.startswith(live_server.url) for url in requested), requested
