"""End to end in headless Chromium: logging in as each role, two-factor setup, the phone layout.

Run only these with ``pytest -m browser``; leave them out with ``-m "not browser"``.
"""

from __future__ import annotations

import base64
import os
import re
from pathlib import Path
from typing import Any

import pytest

from danvan.accounts.models import User
from danvan.conftest import BROWSER_PASSWORD

# Playwright's sync API runs an event loop in this thread; the ORM calls the fixtures make
# between browser steps are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed: apt-get install chromium", allow_module_level=True)

sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
PASSWORD = BROWSER_PASSWORD
PHONE = {"width": 375, "height": 667}
ROLE_USERS = (
    "system_admin",
    "provincial_staff",
    "commune_officer",
    "village_member",
    "leader",
    "observer",
    "nobody",
)


def setup_key(shown: str) -> bytes:
    """The secret of the setup page, shown as hex or, as authenticator apps want it, base32."""
    text = re.sub(r"\s", "", shown)
    if re.fullmatch(r"[0-9a-fA-F]{40}", text):
        return bytes.fromhex(text)
    return base64.b32decode(text.upper() + "=" * (-len(text) % 8))


def log_in(page: Any, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("main form button[type=submit]").click()


def expect_home(page: Any, base_url: str, user: User) -> None:
    expect(page).to_have_url(f"{base_url}/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator("main h1")).to_have_text(f"Xin chào, {user.full_name}")
    expect(page.locator(".nav-user")).to_have_text(user.full_name)


@pytest.mark.parametrize("who", [w for w in ROLE_USERS if w != "system_admin"])
def test_each_role_logs_in_and_sees_the_home_page_in_vietnamese(
    who, live_server, new_page, with_password
):
    user = with_password(who)
    page = new_page()

    log_in(page, live_server.url, user)

    expect_home(page, live_server.url, user)
    if who == "nobody":
        card = page.locator("main .card[role=status]")
        expect(card).to_be_visible()
        expect(card.locator("h2")).to_have_text("Bạn chưa thuộc đơn vị nào")
        expect(page.locator("main .stat")).to_have_count(0)
    else:
        expect(page.locator("main .stat")).to_have_count(3)
        expect(page.locator("[data-testid=roles] .badge")).to_have_count(1)


def test_the_system_administrator_must_set_up_two_factor_then_reaches_home(
    live_server, new_page, with_password
):
    from django_otp.oath import totp

    user = with_password("system_admin")
    page = new_page()

    log_in(page, live_server.url, user)

    expect(page).to_have_url(f"{live_server.url}/accounts/2fa/setup/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    key = setup_key(page.locator("code.secret").inner_text())
    assert len(key) == 20
    page.fill("#id_token", f"{totp(key):06d}")
    page.locator("main form[action$='/2fa/setup/'] button[type=submit]").click()

    codes = page.locator("ol.backup-codes li code")
    expect(codes).to_have_count(10)
    assert all(re.fullmatch(r"\d{8}", code) for code in codes.all_inner_texts())
    page.locator("main .actions a.button[href='/']").click()

    expect_home(page, live_server.url, user)
    expect(page.locator("#main-nav a[href='/admin/']")).to_have_count(1)


def test_the_phone_layout_has_a_menu_and_a_unit_search_with_suggestions(
    live_server, new_page, with_password
):
    user = with_password("provincial_staff")
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    log_in(page, live_server.url, user)
    expect_home(page, live_server.url, user)

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-phone.png"), full_page=True)
    # Nothing sticks out sideways on a narrow screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    nav = page.locator("#main-nav")
    toggle = page.locator("[data-nav-toggle]")
    expect(nav).to_be_hidden()
    expect(toggle).to_have_attribute("aria-expanded", "false")
    toggle.click()
    expect(nav).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.screenshot(path=str(ARTIFACTS / "home-phone-menu.png"))

    nav.locator("summary", has_text="Quản trị").click()
    nav.locator("a[href='/units/']").click()
    expect(page).to_have_url(f"{live_server.url}/units/")
    search = page.locator("#unit-q")
    search.press_sequentially("Nghe An")
    suggestion = page.locator("#unit-suggestions [data-unit-code='40']")
    expect(suggestion).to_be_visible()
    expect(suggestion).to_contain_text("Nghệ An")
    page.screenshot(path=str(ARTIFACTS / "unit-search-phone.png"))
    suggestion.click()

    expect(search).to_have_value("Nghệ An")
    expect(page.locator("[data-unit-picker] input[name=code]")).to_have_value("40")
    expect(page.locator("#unit-suggestions li")).to_have_count(0)


def header_rows(page: Any) -> int:
    """How many lines the header's brand and menu entries take (their middles 12 px apart)."""
    return page.evaluate(
        """() => {
            const middles = [document.querySelector('.brand'),
                             ...document.querySelectorAll('#main-nav > *')]
                .map((el) => { const r = el.getBoundingClientRect(); return (r.top + r.bottom) / 2; })
                .sort((a, b) => a - b);
            return middles.filter((m, i) => i === 0 || m - middles[i - 1] > 12).length;
        }"""
    )


def test_the_menu_fits_one_line_at_1280_pixels_in_both_languages(
    live_server, new_page, with_password
):
    user = with_password("leader")  # the most entries after the administrator: the audit log
    page = new_page(viewport={"width": 1280, "height": 800})
    log_in(page, live_server.url, user)
    expect_home(page, live_server.url, user)
    ARTIFACTS.mkdir(exist_ok=True)

    for language in ("vi", "en"):
        if language == "en":
            page.select_option("#lang-select", "en")
            expect(page.locator("html")).to_have_attribute("lang", "en")
        page.screenshot(path=str(ARTIFACTS / f"header-1280-{language}.png"))
        assert header_rows(page) == 1, language
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        # A group drops down over the page and holds its links.
        group = page.locator("#main-nav details").filter(has=page.locator("a[href='/audit/']"))
        group.locator("summary").click()
        expect(group.locator("a[href='/audit/']")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / f"header-1280-{language}-open.png"))
        assert header_rows(page) == 1
        page.keyboard.press("Escape")
        expect(group.locator("a[href='/audit/']")).to_be_hidden()


def test_the_phone_menu_and_its_groups_work_without_javascript(
    live_server, new_page, with_password
):
    user = with_password("provincial_staff")
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False)
    log_in(page, live_server.url, user)
    expect(page.locator("main h1")).to_have_text(f"Xin chào, {user.full_name}")

    nav = page.locator("#main-nav")
    expect(page.locator("[data-nav-toggle]")).to_be_hidden()
    expect(nav).to_be_visible()
    expect(nav.locator("a[href='/units/']")).to_be_hidden()
    nav.locator("summary", has_text="Quản trị").click()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "menu-phone-no-js.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    nav.locator("a[href='/units/']").click()
    expect(page).to_have_url(f"{live_server.url}/units/")
