"""Characters no person types, decided once at the edge (``HostileInputMiddleware``).

What comes in through a request is looked at before any view, form, serializer or query sees it:
the path, the query string (names and values), form fields of urlencoded and multipart bodies
(names and values; not the files' contents), JSON bodies (keys and every string) and header
values.

**Refused** with 400 and a message in Vietnamese (a page; a problem document under ``/api/``;
an Open311 error under ``/open311/``):

- NUL (U+0000): it ends strings in C, PostgreSQL refuses it in text, and it is the classic way
  to cut a name short behind a check ("x.pdf\\0.exe"). No text a person typed holds one.
- lone surrogates (U+D800–U+DFFF not paired; they only arrive as ``\\ud800`` escapes in JSON):
  they cannot be written as UTF-8, so saving, exporting or even logging them fails.
- any control character in the path: an address never holds one.

**Stripped** (the request goes on without them):

- the other C0 control characters, except tab, line feed and carriage return: vertical tab and
  form feed (Word's line and page breaks, which arrive with pasted text) become a line feed,
  the rest (U+0001–U+0008, U+000E–U+001F) are removed. XML 1.0 cannot hold any of them, so one
  of them in a stored text made every XML, XLSX and DOCX export that contains it fail.
- the non-characters U+FFFE and U+FFFF, which XML cannot hold either.

DEL (U+007F) and the C1 controls (U+0080–U+009F) are kept: XML and spreadsheets hold them.
Text that reaches the database by another road (a spreadsheet import, a management command)
does not pass here: writers of XML and spreadsheets still drop what they cannot hold
(``xml_text``, ``danvan.lib.xlsx.cell_value``).
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext as _

__all__ = [
    "HostileInputMiddleware",
    "RefusedInput",
    "clean_text",
    "xml_text",
]

#: Refused anywhere: NUL and UTF-16 surrogates (in a Python str they are always lone ones).
_REFUSED = re.compile("[\x00\ud800-\udfff]")
#: Refused in a path: every C0 control character and DEL.
_REFUSED_IN_PATH = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
#: Stripped: C0 controls but tab, line feed and carriage return; U+FFFE and U+FFFF.
_STRIPPED = re.compile("[\x01-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_LINE_BREAKS = str.maketrans({"\x0b": "\n", "\x0c": "\n"})
#: What XML 1.0 cannot hold at all (for writers of XML, whatever the text's origin).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

_JSON_TYPE = re.compile(r"^application/([\w.+-]+\+)?json\b", re.IGNORECASE)
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefusedInput(ValueError):
    """The request carries a character this module refuses."""


def clean_text(value: str) -> str:
    """``value`` without the stripped characters; ``RefusedInput`` if it holds a refused one."""
    if _REFUSED.search(value):
        raise RefusedInput(value)
    if _STRIPPED.search(value):
        return _STRIPPED.sub("", value.translate(_LINE_BREAKS))
    return value


def xml_text(value: str) -> str:
    """``value`` with every character XML 1.0 cannot hold dropped (vertical tab and form feed
    become line feeds), for writers of XML whose text may come from anywhere."""
    if _NOT_XML.search(value):
        return _NOT_XML.sub("", value.translate(_LINE_BREAKS))
    return value


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean_json(v) for v in value]
    if isinstance(value, dict):
        return {clean_text(k): _clean_json(v) for k, v in value.items()}
    return value


def _clean_query_dict(data: QueryDict) -> QueryDict | None:
    """A cleaned copy of ``data``, or None when nothing had to be stripped."""
    changed = False
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        new_key = clean_text(key)
        new_values = [clean_text(v) if isinstance(v, str) else v for v in values]
        changed = changed or new_key != key or new_values != values
        cleaned.setlist(new_key, new_values)
    if not changed:
        return None
    cleaned._mutable = False
    return cleaned


class HostileInputMiddleware:
    """Refuses NUL, lone surrogates and control characters in the path; strips the other control
    characters (see the module's docstring). Placed before anything that reads the input."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            self._clean(request)
        except RefusedInput:
            return refusal(request)
        return self.get_response(request)

    def _clean(self, request: HttpRequest) -> None:
        if _REFUSED_IN_PATH.search(request.path_info) or _REFUSED_IN_PATH.search(request.path):
            raise RefusedInput(request.path_info)
        for name, value in list(request.META.items()):
            if name.startswith("HTTP_") and isinstance(value, str):
                if name == "HTTP_COOKIE":
                    if _REFUSED.search(value):
                        raise RefusedInput(name)
                else:
                    request.META[name] = clean_text(value)
        if (query := _clean_query_dict(request.GET)) is not None:
            request.GET = query  # type: ignore[assignment]
            request.META["QUERY_STRING"] = query.urlencode()
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return
        content_type = request.META.get("CONTENT_TYPE", "")
        if content_type.startswith(_FORM_TYPES):
            self._clean_form(request, urlencoded=content_type.startswith(_FORM_TYPES[0]))
        elif _JSON_TYPE.match(content_type):
            self._clean_json_body(request)

    def _clean_form(self, request: HttpRequest, *, urlencoded: bool) -> None:
        form = _clean_query_dict(request.POST)
        if form is None:
            return
        request._post = form  # type: ignore[attr-defined]
        if urlencoded:
            # DRF parses the body again rather than reading ``request.POST``: it gets the
            # cleaned one. (After a multipart body has been read, DRF takes ``request.POST``.)
            _replace_body(request, form.urlencode().encode())

    def _clean_json_body(self, request: HttpRequest) -> None:
        try:
            data = json.loads(request.body.decode())
        except (UnicodeDecodeError, ValueError):
            return  # not JSON: the view's parser answers 400
        cleaned = _clean_json(data)
        if cleaned != data:
            _replace_body(request, json.dumps(cleaned, ensure_ascii=False).encode())


def _replace_body(request: HttpRequest, body: bytes) -> None:
    request._body = body
    request._stream = io.BytesIO(body)
    request.META["CONTENT_LENGTH"] = str(len(body))


def refusal(request: HttpRequest) -> HttpResponse:
    """400 in the form the address speaks: a problem document, an Open311 error or a page."""
    message = _(
        "The request contains characters that cannot be accepted (a NUL character, an invalid "
        "Unicode character or a control character in the address). Remove them and try again."
    )
    title = _("Invalid request")
    path = request.path_info
    if path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {
                "type": "about:blank",
                "title": title,
                "status": 400,
                "detail": message,
                "errors": [message],
            },
            status=400,
            content_type="application/problem+json; charset=utf-8",
            json_dumps_params={"ensure_ascii": False},
        )
        return response
    if path.startswith("/open311/"):
        if path.endswith(".xml"):
            body = (
                '<?xml version="1.0" encoding="utf-8"?><errors><error><code>400</code>'
                f"<description>{_escape_xml(message)}</description></error></errors>"
            )
            return HttpResponse(body, status=400, content_type="text/xml; charset=utf-8")
        return JsonResponse(
            [{"code": 400, "description": message}],
            status=400,
            safe=False,
            json_dumps_params={"ensure_ascii": False},
        )
    try:
        stylesheet: str = format_html('<link rel="stylesheet" href="{}">', static("danvan/app.css"))
    except ValueError:  # the manifest of collected static files lacks it: a plain page
        stylesheet = ""
    page = format_html(
        '<!doctype html><html lang="vi"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "{}<title>{} · Dân Vận</title></head>"
        '<body><main class="container"><h1>{}</h1><p>{}</p><p><a href="/">{}</a></p></main>'
        "</body></html>",
        stylesheet,
        title,
        title,
        message,
        _("Home"),
    )
    return HttpResponse(page, status=400, content_type="text/html; charset=utf-8")


def _escape_xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
