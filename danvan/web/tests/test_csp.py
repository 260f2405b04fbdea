"""The Content-Security-Policy: sent with every HTML page, and nothing in the templates or the
project's scripts that it would block or that would put data in as markup."""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.test import RequestFactory
from django.urls import reverse

from danvan.web.middleware import ContentSecurityPolicyMiddleware, tile_source

PROJECT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(PROJECT.glob("*/templates/**/*.html"))
SCRIPTS = sorted(p for p in PROJECT.glob("*/static/**/*.js") if "vendor" not in p.parts)

OFFICER_PAGES = (
    "web:home",
    "units:list",
    "organizations:list",
    "voices:inbox",
    "voices:topics",
    "insight:list",
    "alerts:list",
    "dashboards:dashboard",
    "dashboards:map",
    "reports:list",
    "search:search",
    "skillful:list",
    "voter_contact:list",
    "deadlines:calculator",
    "notifications:list",
    "audit:list",
    "accounts:profile",
)
PUBLIC_PAGES = (
    "accounts:login",
    "voices_public:submit",
    "voices_public:lookup",
    "skillful_public:showcase",
)


def policy(response: HttpResponse) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_strict(response: HttpResponse) -> None:
    assert response["Content-Type"].startswith("text/html")
    directives = policy(response)
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in directives["style-src"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]


@pytest.mark.django_db
@pytest.mark.parametrize("name", OFFICER_PAGES)
def test_every_officer_page_is_sent_with_the_policy(name, login, request):
    # The audit log is the leader's; the topics are the provincial staff's.
    user = request.getfixturevalue("leader" if name == "audit:list" else "provincial_staff")
    response = login(user).get(reverse(name))

    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_every_public_page_is_sent_with_the_policy(name, client):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.django_db
def test_error_pages_and_the_admin_are_sent_with_the_policy(client, login, system_admin):
    assert_strict(client.get("/no-such-page/"))
    response = login(system_admin).get(reverse("admin:index"))
    assert response.status_code == 200
    assert_strict(response)


def test_a_response_with_its_own_policy_keeps_it_and_json_gets_none(settings):
    request = RequestFactory().get("/")
    own = HttpResponse("<p>x</p>")
    own["Content-Security-Policy"] = "default-src 'none'"

    kept = ContentSecurityPolicyMiddleware(lambda r: own)(request)
    data = ContentSecurityPolicyMiddleware(lambda r: JsonResponse({"a": 1}))(request)

    assert kept["Content-Security-Policy"] == "default-src 'none'"
    assert "Content-Security-Policy" not in data


def test_the_map_tile_server_is_allowed_for_images(settings):
    settings.DANVAN_MAP_TILE_URL = "https://{s}.tiles.example.vn/{z}/{x}/{y}.png"
    request = RequestFactory().get("/")

    response = ContentSecurityPolicyMiddleware(lambda r: HttpResponse("<p>x</p>"))(request)

    assert policy(response)["img-src"] == ["'self'", "data:", "https://*.tiles.example.vn"]
    assert tile_source("/tiles/{z}/{x}/{y}.png") == ""
    assert tile_source("https://t{s}.example.vn/{z}.png") == "https:"


# What the policy would block, or what would turn data into markup, must not come back.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")")
HANDLER = re.compile(r"<[^>]*\s(on[a-z]+|hx-on[^=\s]*)\s*=", re.IGNORECASE | re.DOTALL)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE | re.DOTALL)
STYLE_BLOCK = re.compile(r"<style\b[^>]*>(.*?)</style>", re.DOTALL)
HTML_SINK = re.compile(r"\.(innerHTML|outerHTML)\s*\+?=|insertAdjacentHTML|document\.write")
LEAFLET_CONTENT = re.compile(
    r"\b(bindTooltip|bindPopup|setTooltipContent|setPopupContent)\(([^)]*)"
)


def test_the_scan_finds_the_templates_and_scripts():
    assert len(TEMPLATES) > 80
    assert PROJECT / "dashboards" / "static" / "dashboards" / "map.js" in SCRIPTS


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_templates_have_no_inline_script_handler_or_style(path):
    text = path.read_text(encoding="utf-8")

    assert not INLINE_SCRIPT.search(text), "inline <script>: move it to a static file"
    assert not HANDLER.search(text), "inline event handler: use a data-* attribute and app.js"
    assert not JS_URL.search(text), "javascript: URL"
    assert not STYLE_ATTRIBUTE.search(text), "style attribute: use a class in a stylesheet"
    allowed = settings.SECURE_CSP["style-src"]
    for block in STYLE_BLOCK.findall(text):
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed, "<style> block whose hash SECURE_CSP lacks"


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(PROJECT)))
def test_scripts_put_data_in_as_text_not_markup(path):
    text = path.read_text(encoding="utf-8")

    assert not HTML_SINK.search(text), "HTML sink: build elements and set textContent"
    for _method, argument in LEAFLET_CONTENT.findall(text):
        # Leaflet takes a string as HTML: pass an element whose textContent holds the data.
        assert not re.search(r"[\"'`+]", argument), argument
