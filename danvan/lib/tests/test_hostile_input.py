"""Hostile characters at every address: never a 500, outputs stay well-formed (``lib.hostile``).

The property test walks every URL pattern of the project (resolved from the urlconf, path
parameters filled with real objects), as an anonymous visitor and as a provincial officer with
a session and an API token, sending hostile text in the query string, in form fields (the page's
own field names and common ones) and in JSON bodies. Hypothesis draws the texts; examples are
few per address and derandomized, so the test takes a bounded, repeatable time.
"""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from danvan.api.services import api_token_create
from danvan.api.tests.helpers import submit
from danvan.audit.context import Actor
from danvan.lib.hostile import RefusedInput, clean_text, xml_text
from danvan.organizations.models import Membership
from danvan.voices.models import Topic, Voice

pytestmark = pytest.mark.django_db

#: The characters the issue found, and their neighbours.
HOSTILE_CHARS = ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\ud800", "\udfff"]
HOSTILE_CHARS += ["\ufffe", "\uffff", "\x7f", "\x85"]
PLAIN = ["a", "Đ", "ệ", " ", "1", "-", ",", "2026-13-45", "<b>", "&", "%", "\n"]
hostile_text = st.lists(
    st.sampled_from(HOSTILE_CHARS) | st.sampled_from(PLAIN), min_size=1, max_size=6
).map("".join)

#: Field names tried on every address, besides those of the page's own forms.
COMMON_FIELDS = [
    "q",
    "text",
    "description",
    "reason",
    "note",
    "comment",
    "name",
    "code",
    "kind",
    "status",
    "unit",
    "topic",
    "page",
    "page_size",
    "version",
    "score",
    "start_date",
    "end_date",
    "service_code",
    "service_request_id",
    "jurisdiction_id",
    "address_id",
    "address_string",
    "first_name",
    "last_name",
    "submitter_name",
]
FIELD_NAME = re.compile(rb'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

HYPOTHESIS = settings(
    max_examples=2,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# --- The policy ---------------------------------------------------------------------------------


def test_nul_and_lone_surrogates_are_refused_and_other_control_characters_stripped():
    assert (
        clean_text("Đường\x0bliên\x0cxóm\x01\x1f\ufffe\t\r\n\x7f") == "Đường\nliên\nxóm\t\r\n\x7f"
    )
    for refused in ("a\x00b", "\ud800", "x\udfffy"):
        with pytest.raises(RefusedInput):
            clean_text(refused)
    assert xml_text("a\x00b\x0bc\ud800\uffff") == "ab\nc"


@given(st.text())
@HYPOTHESIS
def test_what_is_kept_is_always_valid_xml(text):
    try:
        kept = clean_text(text)
    except RefusedInput:
        assert "\x00" in text or re.search("[\ud800-\udfff]", text)
        return
    assert not NOT_XML.search(kept)
    assert not NOT_XML.search(xml_text(text))


# --- What the edge answers --------------------------------------------------------------------


def test_a_nul_in_a_public_search_is_a_400_page_in_vietnamese(client):
    response = client.get("/y-kien/don-vi/?q=%00")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "không thể chấp nhận" in response.content.decode()


def test_open311_refuses_a_nul_in_its_own_error_format(client):
    as_json = client.get("/open311/v2/requests.json?status=%00")
    as_xml = client.get("/open311/v2/requests.xml?status=%00")

    assert as_json.status_code == as_xml.status_code == 400
    assert as_json.json()[0]["code"] == 400
    root = ET.fromstring(as_xml.content)  # noqa: S314 - our own response
    assert root.findtext("error/code") == "400"


def test_an_impossible_date_in_open311_is_a_400(client):
    response = client.get("/open311/v2/requests.json?start_date=2026-13-45")
    xml_response = client.get("/open311/v2/requests.xml?end_date=2026-02-30T10:00:00")

    assert response.status_code == xml_response.status_code == 400
    assert "2026-13-45" in response.json()[0]["description"]


def test_a_lone_surrogate_in_json_is_a_400_problem_document(world, client):
    body = json.dumps({"kind": "opinion", "topic": "land", "unit": "17329", "text": "x\ud800"})

    response = client.post("/api/v1/voices/", body, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["status"] == 400
    assert not Voice.objects.exists()


def test_control_characters_are_stripped_from_json_and_form_posts(world, client):
    as_json = client.post(
        "/api/v1/voices/",
        {
            "kind": "opinion",
            "topic": "land",
            "unit": "17329",
            "text": "Đường\x0bsạt\x01 lở",
            "submitter_name": "An\x1b",
        },
        content_type="application/json",
    )
    as_form = client.post(
        "/open311/v2/requests.json",
        {"service_code": "land", "address_id": "17329", "description": "Cống\x0ctắc\x07"},
    )

    assert as_json.status_code == as_form.status_code == 201
    by_json = Voice.objects.get(tracking_code=as_json.json()["tracking_code"])
    by_form = Voice.objects.get(public_id=as_form.json()[0]["service_request_id"])
    assert (by_json.text, by_json.submitter_name) == ("Đường\nsạt lở", "An")
    assert by_form.text == "Cống\ntắc"


def test_open311_xml_stays_well_formed_with_control_characters_already_stored(world, client):
    """Text stored by another road (an import) still holds them: the XML writer drops them."""
    submit(world, text="Đường\x0bsạt lở\x01\x1f")

    response = client.get("/open311/v2/requests.xml")

    root = ET.fromstring(response.content)  # noqa: S314 - our own response
    assert root.findtext("request/description") == "Đường\nsạt lở"


# --- Every address ------------------------------------------------------------------------------


def _patterns(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            found.append((prefix + str(pattern.pattern), pattern))
    return found


def _fill(route: str, values: dict[str, str]) -> list[str]:
    """The route's addresses with its parameters filled: ``<int:pk>`` and ``(?P<pk>…)``."""
    route = route.replace("^", "").replace("$", "").replace("\\.", ".")
    formats = ["json", "xml"] if "(?P<format>" in route else [""]
    prefix = re.split(r"<|\(\?P", route)[0]

    def value(match: re.Match[str]) -> str:
        name = str(match[1] or match[2])
        return values.get(f"{prefix}:{name}") or values.get(name, "1")

    addresses = []
    for fmt in formats:
        address = route.replace("(?P<format>json|xml)", fmt)
        address = re.sub(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", value, address)
        addresses.append("/" + address)
    return addresses


@pytest.fixture
def addresses(world, provincial_staff) -> list[str]:
    voice = submit(
        world,
        text="Đường liên xóm\x0b sạt lở\x01",  # stored as an import could store it
        latitude=Decimal("18.912345"),
        longitude=Decimal("105.204567"),
    )
    membership = Membership.objects.filter(user=provincial_staff).first()
    values = {
        "tracking_code": voice.tracking_code,
        "request_id": voice.public_id,
        "service_code": "land",
        "action": "accept",
        "fmt": "xlsx",
        "code": "17329",
        "mo-hinh/:code": "40",
        "models/:code": "MH-40-2026-0001",
        "uidb64": "MQ",
        "token": "x-y",
        "bodies/:pk": str(world.anh_son_body.pk),
        "bodies/members/:pk": str(membership.pk if membership else 1),
        "cases/topics/:pk": str(Topic.objects.get(code="land", province=None).pk),
        "reports/:action": "submit",
    }
    found = []
    for route, _pattern in _patterns(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue  # Django's own admin: not this project's input handling
        found += _fill(route, values)
    return found


def _encoded(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


def _body_of(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _check(response: Any, what: str) -> None:
    assert response.status_code < 500, what
    content_type = response.get("Content-Type", "")
    body = _body_of(response)
    if "xml" in content_type and "openxmlformats" not in content_type:
        ET.fromstring(body)  # noqa: S314 - our own response
    elif "json" in content_type:
        json.loads(body)
    elif "spreadsheetml" in content_type:
        openpyxl.load_workbook(io.BytesIO(body), read_only=True).close()


def _fields(client: Client, address: str, headers: dict[str, str]) -> tuple[list[str], int]:
    """The field names of the address's own forms and the common ones, and its plain status."""
    response = client.get(address, headers=headers)
    _check(response, f"GET {address}")
    found = {m.decode() for m in FIELD_NAME.findall(_body_of(response))}
    return sorted(found - {"csrfmiddlewaretoken"}) + COMMON_FIELDS, response.status_code


@given(value=hostile_text, multipart=st.booleans())
@HYPOTHESIS
def _attack(
    client: Client, address: str, fields: list[str], headers: dict, value: str, multipart: bool
) -> None:
    refused = "\x00" in value
    query = "&".join(f"{quote(_encoded(f))}={quote(_encoded(value))}" for f in fields)
    response = client.get(f"{address}?{query}", headers=headers)
    _check(response, f"GET {address} {value!r}")
    assert (response.status_code == 400) or not refused, f"GET {address} {value!r}"

    if address in ("/accounts/logout/",):
        return  # would end the officer's session
    if address.startswith("/api/"):
        data = {f: value for f in fields}
        response = client.post(
            address, json.dumps(data), content_type="application/json", headers=headers
        )
        refused = refused or bool(re.search("[\ud800-\udfff]", value))
    elif multipart:  # as a browser sends it: a lone surrogate cannot be encoded, it is replaced
        sent = re.sub("[\ud800-\udfff]", "\ufffd", value)
        response = client.post(address, {f: sent for f in fields}, headers=headers)
    else:  # the bytes as they are, surrogates and all
        response = client.post(
            address, query, content_type="application/x-www-form-urlencoded", headers=headers
        )
    _check(response, f"POST {address} {value!r}")
    assert (response.status_code == 400) or not refused, f"POST {address} {value!r}"

    hostile_path = address.replace("17329", quote(_encoded(value)), 1)
    if hostile_path != address:
        _check(client.get(hostile_path, headers=headers), f"GET {hostile_path}")


def test_no_address_answers_500_to_hostile_text_from_an_anonymous_visitor(addresses):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for address in addresses:
        fields, _status = _fields(client, address, {})
        _attack(client, address, fields, {})


def test_no_address_answers_500_to_hostile_text_from_an_officer(addresses, provincial_staff, login):
    client = login(provincial_staff)
    _token, key = api_token_create(actor=Actor.system("test"), user=provincial_staff, name="t")
    headers = {"Authorization": f"Token {key}"}
    answered = []
    for address in addresses:
        fields, status = _fields(client, address, headers)
        answered += [address] if status == 200 else []
        _attack(client, address, fields, headers)
    # The officer stayed logged in and reached the pages, not only the login form.
    assert {"/cases/", "/cases/export.xlsx", "/api/v1/cases/", "/reports/"} <= set(answered)
    assert len(answered) >= 45, answered
