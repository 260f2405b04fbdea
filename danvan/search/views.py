"""The officers' search page (``/search/?q=...&type=voices|answers|issues&page=N``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from danvan.lib.roles import Capability
from danvan.lib.routers import heavy_reads
from danvan.lib.scoping import can
from danvan.lib.textquery import MAX_QUERY_CHARS, error_message, parse
from danvan.search import selectors
from danvan.search.selectors import (
    ANSWERS,
    ISSUES,
    KINDS,
    MAX_RESULTS,
    PER_PAGE,
    VOICES,
    search,
)
from danvan.search.snippets import snippet
from danvan.voices.models import Voice
from danvan.voices.tracking import normalize_tracking_code

TAB_LABELS = {
    VOICES: gettext_lazy("Voices"),
    ANSWERS: gettext_lazy("Answers"),
    ISSUES: gettext_lazy("Issues"),
}


def _issue_url(issue: Any) -> str:
    """The issue's page, once the insight app has one."""
    try:
        return reverse("insight:issue", args=[issue.pk])
    except NoReverseMatch:
        return ""


def _page_number(value: str | None) -> int:
    try:
        return max(1, int(value or 1))
    except ValueError:
        return 1


@login_required
@require_GET
@heavy_reads()
def search_page(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.VIEW):
        raise PermissionDenied(_("You have no unit to search in."))
    text = request.GET.get("q", "")
    kind = request.GET.get("type", "")
    # A tracking code read out over the phone goes straight to its case, if the officer may see it.
    code = normalize_tracking_code(text) if len(text) <= 40 else None
    if code and Voice.objects.visible_to(request.user).filter(tracking_code=code).exists():
        return redirect("voices:case", tracking_code=code)
    query = parse(text)
    results = search(request.user, query, kind=kind, page=_page_number(request.GET.get("page")))
    rows = []
    for row in results.rows:
        if results.kind == ISSUES:
            source = f"{row.title} {row.answer_text}".strip()
            rows.append({"issue": row, "snippet": snippet(source, query), "url": _issue_url(row)})
        else:
            source = row.answer_text if results.kind == ANSWERS else row.text
            rows.append({"voice": row, "snippet": snippet(source, query)})
    tabs = [
        {
            "kind": name,
            "label": TAB_LABELS[name],
            "count": results.counts.get(name),
            "current": name == results.kind,
        }
        for name in KINDS
    ]
    return render(
        request,
        "search/search.html",
        {
            # What was typed, as typed (cut short when too long): the form shows it again.
            "q": text[:MAX_QUERY_CHARS],
            "kind": results.kind,
            "searched": bool(query.terms),
            "error": error_message(query.error),
            "results": results,
            "rows": rows,
            "tabs": tabs,
            "max_results": MAX_RESULTS,
            "rank_window": selectors.RANK_WINDOW,
            "max_chars": MAX_QUERY_CHARS,
            "first_number": (results.page - 1) * PER_PAGE + 1,
        },
    )
