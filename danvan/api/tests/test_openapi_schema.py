"""The OpenAPI document says what the API answers: schemathesis against the WSGI application.

The same checks as ``schemathesis run --checks all`` (README.md), with the same configuration
(``danvan/api/schemathesis.toml``), bounded to a few derandomized examples per operation so that
the suite stays fast; the full run against a live server is in the README.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from danvan.api.services import api_token_create
from danvan.audit.context import Actor

pytestmark = pytest.mark.django_db

CONFIG = Path(__file__).resolve().parents[1] / "schemathesis.toml"


@pytest.fixture(autouse=True)
def _connections_stay_open() -> Iterator[None]:
    """The calls go to the WSGI handler itself, not through Django's test client: without this,
    the end of each request would close the test's database connection, as the client avoids."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def officer_key(provincial_staff: Any) -> str:
    _token, key = api_token_create(actor=Actor.system("test"), user=provincial_staff, name="st")
    return key


# Read once when the module is collected: the document does not touch the database.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", WSGIHandler(), config=SchemathesisConfig.from_path(CONFIG)
)


@schema.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_the_document_says(case: Any, officer_key: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Token {officer_key}"})


def test_the_document_declares_the_errors_and_the_case_list_page(client: Any) -> None:
    document = client.get("/api/schema/?format=json").json()

    case_list = document["paths"]["/api/v1/cases/"]["get"]["responses"]
    page = case_list["200"]["content"]["application/json"]["schema"]
    action = document["paths"]["/api/v1/cases/{tracking_code}/{action}/"]["post"]["responses"]
    assert page["type"] == "object" and page["properties"]["results"]["type"] == "array"
    assert {"400", "401", "403", "404", "409", "422"} <= set(action)
    assert "429" in document["paths"]["/api/v1/voices/"]["post"]["responses"]
    problem = action["409"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
