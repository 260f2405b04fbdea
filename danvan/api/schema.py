"""What the OpenAPI document adds to drf-spectacular's guesses, so that it says what the API
really answers (checked by ``schemathesis run --checks all``, see README.md).

drf-spectacular describes the success bodies from the serializers named on each view. This hook
adds what it cannot see: the errors each operation answers, as RFC 9457 problem documents
(``errors.py``), the case list's page (``CasePagination``) instead of a bare array, the actions a
case takes (``CASE_ACTIONS``) and the lowest ``page`` and ``page_size``. Request bodies are
described in JSON only: the views also read forms (the citizens' app posts them), but a form
cannot say ``null``, and the document describes one encoding exactly rather than three loosely.
"""

from __future__ import annotations

from typing import Any

from danvan.api.views import CASE_ACTIONS

#: The errors each operation may answer, besides its successes. 400: a field is missing or
#: invalid, or the service refused; 401: no token or a wrong one; 403: the case is visible but
#: the user may not act on it; 404: no such code, outside the scope, or a page past the end;
#: 409: ``version`` is stale; 415: a body neither JSON nor a form; 422: the ``Idempotency-Key``
#: was used for another request; 429: throttled.
ERRORS: dict[str, list[int]] = {
    "voice_submit": [400, 415, 422, 429],
    "voice_status": [400, 404],
    "voice_rate": [400, 404, 409, 415],
    "case_list": [400, 401, 404],
    "case_detail": [400, 401, 404],
    "case_action": [400, 401, 403, 404, 409, 415, 422],
}
#: Every operation may also answer these: the ``Accept`` header names nothing the API writes.
ALWAYS = [406]

DESCRIPTIONS = {
    400: "Invalid request: a field is missing or invalid (`fields`), or the action was refused.",
    401: "No token, or a wrong or revoked one.",
    403: "The case is in your scope but you may not do this.",
    404: "No such code, or the case is outside your scope, or no such page.",
    406: "The Accept header names no type the API writes.",
    409: "The case changed since you loaded it (`version`): reload it and try again.",
    415: "The body is neither JSON nor a form.",
    422: "The Idempotency-Key was used for a different request.",
    429: "Too many requests: wait for `Retry-After` seconds.",
}

PROBLEM = {
    "type": "object",
    "description": "An RFC 9457 problem document; messages in the request's language.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "string"}},
        "fields": {
            "type": "object",
            "description": "Field name: its messages (or nested objects for nested fields).",
            "additionalProperties": True,
        },
    },
    "required": ["type", "title", "status", "detail", "errors"],
}


def _page_of(items: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["count", "results"],
        "properties": {
            "count": {"type": "integer"},
            "next": {"type": "string", "format": "uri", "nullable": True},
            "previous": {"type": "string", "format": "uri", "nullable": True},
            "results": items,
        },
    }


def _error(status: int) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": DESCRIPTIONS[status],
        "content": {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        },
    }
    if status == 401:
        response["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    if status == 429:
        response["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    return response


#: What a typed tracking code may look like (a wrong one is a 404, a control character a 400).
TRACKING_CODE = r"^[0-9A-Za-z][0-9A-Za-z -]*$"


def describe_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the errors of each operation, the case list's page."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = PROBLEM
    # Required text fields refuse a blank value (DRF's CharField without allow_blank).
    for name, fields in (("VoiceSubmit", ("topic", "unit", "text")),):
        for field in fields:
            schemas.get(name, {}).get("properties", {}).get(field, {}).setdefault("minLength", 1)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            responses = operation.setdefault("responses", {})
            for status in ERRORS.get(operation["operationId"], []) + ALWAYS:
                described = responses.get(str(status), {})
                responses[str(status)] = {**_error(status), **described, **_error(status)}
                if described.get("description"):
                    responses[str(status)]["description"] = described["description"]
            content = operation.get("requestBody", {}).get("content", {})
            for media_type in [m for m in content if m != "application/json"]:
                del content[media_type]
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" and parameter["name"] == "tracking_code":
                    # Any case, with or without dashes and spaces (``normalize_tracking_code``).
                    parameter["schema"] = {"type": "string", "pattern": TRACKING_CODE}
                if parameter["in"] == "path" and parameter["name"] == "action":
                    parameter["schema"] = {"type": "string", "enum": list(CASE_ACTIONS)}
                if parameter["in"] == "query" and parameter["name"] in ("page", "page_size"):
                    parameter["schema"] = {"type": "integer", "minimum": 1}
            if operation["operationId"] == "case_list":
                body = responses["200"]["content"]["application/json"]
                if body["schema"].get("type") == "array":
                    body["schema"] = _page_of(body["schema"])
    return result
