"""The issues pages: the largest matters first, and each issue with its voices and decisions.

Officers see the issues of the units in their scope (``Issue.objects.visible_to``) and, inside an
issue, only the voices they may see. Every decision goes through ``services``; a stale version
answers 409 with the page as it is now, a refused decision 400, a missing right 403.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from danvan.accounts.models import User
from danvan.audit.context import Actor
from danvan.insight.grouping import Cluster
from danvan.insight.models import DecisionKind, Issue, IssueStatus
from danvan.insight.services import (
    StaleIssueError,
    issue_answer,
    issue_confirm,
    issue_merge,
    issue_split,
    voice_move,
)
from danvan.lib.roles import Capability
from danvan.lib.scoping import can
from danvan.lib.textquery import ISSUE_DOC, text_match
from danvan.lib.textquery import parse as parse_query
from danvan.units.models import AdministrativeUnit
from danvan.voices.models import Topic, Voice
from danvan.voices.selectors import topics_for

PAGE_SIZE = 50
#: Open issues of the commune compared with this one to suggest a merge.
MERGE_CANDIDATES = 200


class IssueFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Words"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("In the title or the answer, with or without marks (tiem chung)."),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Open")), ("all", gettext_lazy("All")), *IssueStatus.choices],
    )
    topic = forms.ModelChoiceField(
        label=gettext_lazy("Topic"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=gettext_lazy("All topics"),
    )
    unit = forms.CharField(label=gettext_lazy("Commune code"), required=False, max_length=20)
    min_voices = forms.IntegerField(
        label=gettext_lazy("At least this many voices"),
        required=False,
        min_value=1,
        max_value=100000,
    )

    def __init__(self, *args: Any, topics: QuerySet[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["topic"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = topics


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class MergeForm(VersionForm):
    into = forms.ModelChoiceField(
        label=gettext_lazy("Merge into"),
        queryset=Issue.objects.none(),
        empty_label=gettext_lazy("Choose an issue"),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SplitForm(VersionForm):
    voices = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Voices that are a different matter"),
        queryset=Voice.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MoveForm(VersionForm):
    voice = forms.ModelChoiceField(label=gettext_lazy("Voice"), queryset=Voice.objects.none())
    to = forms.ModelChoiceField(
        label=gettext_lazy("Move to"),
        queryset=Issue.objects.none(),
        required=False,
        empty_label=gettext_lazy("A new issue of its own"),
    )


class AnswerForm(VersionForm):
    text = forms.CharField(
        label=gettext_lazy("Answer"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "Every voice of the issue gets this answer; each citizen reads it with their own code."
        ),
    )
    publish = forms.BooleanField(
        label=gettext_lazy("Publish it to the citizens now"), required=False
    )


DECISION_LABELS = dict(DecisionKind.choices)


def _visible_issue(request: HttpRequest, pk: int) -> Issue:
    return get_object_or_404(
        Issue.objects.visible_to(request.user).select_related(
            "unit__parent", "topic", "merged_into"
        ),
        pk=pk,
    )


@login_required
def issue_list(request: HttpRequest) -> HttpResponse:
    if not can(request.user, Capability.VIEW):
        raise PermissionDenied
    form = IssueFilterForm(request.GET or None, topics=topics_for(request.user))
    issues = Issue.objects.visible_to(request.user).select_related("unit__parent", "topic")
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    status = data.get("status") or ""
    if status == "":
        issues = issues.filter(status=IssueStatus.OPEN)
    elif status != "all":
        issues = issues.filter(status=status)
    if data.get("topic"):
        issues = issues.filter(topic=data["topic"])
    if data.get("unit"):
        unit = AdministrativeUnit.objects.filter(code=data["unit"].strip()).first()
        issues = issues.filter(unit__path__startswith=unit.path) if unit else issues.none()
    if data.get("min_voices"):
        issues = issues.filter(voice_count__gte=data["min_voices"])
    if data.get("q"):
        match = text_match(ISSUE_DOC, parse_query(data["q"]))
        issues = issues.filter(match) if match is not None else issues.none()
    issues = issues.exclude(merged_into__isnull=False).order_by(
        "-voice_count", "-last_received_on", "-id"
    )
    page = Paginator(issues, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "insight/list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


def _merge_candidates(issue: Issue, user: User | AnonymousUser) -> list[tuple[Issue, float | None]]:
    """Other open issues of the commune, the likeliest to be the same matter first. The score is
    None where the pair model rules the match out because the two name different places of one
    kind (another hamlet): not "0 % alike", which an officer reads as "nothing in common"."""
    mine = Cluster.from_json(issue.pk, issue.signature)
    others = (
        Issue.objects.visible_to(user)
        .filter(unit=issue.unit, status=IssueStatus.OPEN, merged_into__isnull=True)
        .exclude(pk=issue.pk)
        .order_by("-last_received_on")[:MERGE_CANDIDATES]
    )
    scored: list[tuple[Issue, float | None]] = []
    for other in others:
        theirs = Cluster.from_json(other.pk, other.signature)
        scored.append((other, None if mine.features(theirs) is None else mine.linkage(theirs)))
    scored.sort(key=lambda item: (-(item[1] or 0.0), -item[0].voice_count))
    return scored


def _issue_voices(request: HttpRequest, issue: Issue) -> list[Voice]:
    return list(
        Voice.objects.visible_to(request.user)
        .filter(issue=issue)
        .select_related("unit", "topic")
        .order_by("received_on", "id")
    )


def _decision_forms(
    request: HttpRequest, issue: Issue, voices: list[Voice], bound: dict[str, forms.Form]
) -> dict[str, Any]:
    """The merge, split and move forms, their choices limited to what the officer may choose."""
    initial = {"version": issue.version}
    candidates = _merge_candidates(issue, request.user)
    scores = {c.pk: score for c, score in candidates}
    issues = Issue.objects.filter(pk__in=list(scores))
    in_issue = Voice.objects.filter(pk__in=[v.pk for v in voices])

    def issue_label(i: Issue) -> str:
        return _candidate_label(i, scores.get(i.pk))

    merge = bound.get("merge") or MergeForm(initial=initial)
    _choices(merge, "into", issues, issue_label)
    split = bound.get("split") or SplitForm(initial=initial)
    _choices(split, "voices", in_issue, lambda v: f"{v.tracking_code} — {v.text[:80]}")
    move = bound.get("move") or MoveForm(initial=initial)
    _choices(move, "voice", in_issue, lambda v: v.tracking_code)
    _choices(move, "to", issues, issue_label)
    return {
        "merge_form": merge,
        "split_form": split,
        "move_form": move,
        "top_candidates": [
            (c, round(score * 100))
            for c, score in candidates[:3]
            if score is not None and score >= 0.3
        ],
    }


def _choices(form: forms.Form, name: str, queryset: QuerySet[Any], label: Any) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
    field.label_from_instance = label  # type: ignore[method-assign]


def _issue_page(
    request: HttpRequest,
    issue: Issue,
    *,
    bound: dict[str, forms.Form] | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    bound = bound or {}
    voices = _issue_voices(request, issue)
    may_act = can(request.user, Capability.ACT, issue.unit)
    can_act = may_act and issue.status == IssueStatus.OPEN
    context: dict[str, Any] = {
        "issue": issue,
        "voices": voices,
        "hidden_count": max(0, issue.voice_count - len(voices)),
        "can_act": can_act,
        "error": error,
        "decisions": [
            {"decision": d, "label": DECISION_LABELS.get(d.kind, d.kind)}
            for d in issue.decisions.select_related("actor", "other").order_by("-at", "-id")[:20]
        ],
        "can_answer": may_act and issue.status != IssueStatus.CLOSED,
        "confirm_form": VersionForm(initial={"version": issue.version}),
    }
    if can_act:
        context.update(_decision_forms(request, issue, voices, bound))
    if context["can_answer"]:
        context["answer_form"] = bound.get("answer") or AnswerForm(
            initial={"version": issue.version}
        )
    return render(request, "insight/issue.html", context, status=status)


def _candidate_label(issue: Issue, score: float | None) -> str:
    values = {"title": issue.title[:70], "count": issue.voice_count}
    if score is None:
        return (
            ngettext(
                "%(title)s (%(count)s voice, names another place)",
                "%(title)s (%(count)s voices, names another place)",
                issue.voice_count,
            )
            % values
        )
    return ngettext(
        "%(title)s (%(count)s voice, %(score)s%% alike)",
        "%(title)s (%(count)s voices, %(score)s%% alike)",
        issue.voice_count,
    ) % {**values, "score": round(score * 100)}


@login_required
def issue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _issue_page(request, _visible_issue(request, pk))


def _decision(
    request: HttpRequest,
    issue: Issue,
    name: str,
    form: forms.Form,
    act: Any,
    done: str,
) -> HttpResponse:
    if not can(request.user, Capability.ACT, issue.unit):
        raise PermissionDenied(_("You may not act on this issue."))
    if name in ("merge", "split", "move"):
        _decision_forms(request, issue, _issue_voices(request, issue), {name: form})
    if not form.is_valid():
        return _issue_page(
            request, issue, bound={name: form}, error=_("Check the form below."), status=400
        )
    try:
        result = act(Actor.from_request(request), form.cleaned_data)
    except StaleIssueError as exc:
        fresh = _visible_issue(request, issue.pk)
        return _issue_page(request, fresh, error=" ".join(exc.messages), status=409)
    except ValidationError as exc:
        return _issue_page(
            request, issue, bound={name: form}, error=" ".join(exc.messages), status=400
        )
    messages.success(request, done)
    target = result if isinstance(result, Issue) else issue
    return redirect("insight:issue", pk=target.pk)


@login_required
@require_POST
def issue_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _visible_issue(request, pk)
    return _decision(
        request,
        issue,
        "confirm",
        VersionForm(request.POST),
        lambda actor, data: issue_confirm(
            actor=actor, issue=issue, expected_version=data["version"]
        ),
        _("The grouping is confirmed."),
    )


@login_required
@require_POST
def issue_merge_view(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _visible_issue(request, pk)
    return _decision(
        request,
        issue,
        "merge",
        MergeForm(request.POST),
        lambda actor, data: issue_merge(
            actor=actor,
            issue=issue,
            into=data["into"],
            expected_version=data["version"],
            note=data.get("note", ""),
        ),
        _("The issues are merged."),
    )


@login_required
@require_POST
def issue_split_view(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _visible_issue(request, pk)
    return _decision(
        request,
        issue,
        "split",
        SplitForm(request.POST),
        lambda actor, data: issue_split(
            actor=actor,
            issue=issue,
            voice_ids=[v.pk for v in data["voices"]],
            expected_version=data["version"],
            note=data.get("note", ""),
        ),
        _("The chosen voices are a new issue."),
    )


@login_required
@require_POST
def voice_move_view(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _visible_issue(request, pk)

    def act(actor: Actor, data: dict[str, Any]) -> Issue:
        moved = voice_move(
            actor=actor, voice=data["voice"], to=data["to"], expected_version=data["version"]
        )
        return (
            issue if Issue.objects.filter(pk=issue.pk, status=IssueStatus.OPEN).exists() else moved
        )

    return _decision(request, issue, "move", MoveForm(request.POST), act, _("The voice is moved."))


@login_required
@require_POST
def issue_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _visible_issue(request, pk)

    def act(actor: Actor, data: dict[str, Any]) -> Issue:
        outcome = issue_answer(
            actor=actor,
            issue=issue,
            expected_version=data["version"],
            text=data["text"],
            publish=data.get("publish", False),
        )
        if outcome.skipped:
            messages.warning(
                request,
                _(
                    "These voices are not accepted yet and were not answered: %(codes)s. "
                    "Answer them once they are accepted."
                )
                % {"codes": ", ".join(outcome.skipped)},
            )
        return outcome.issue

    return _decision(
        request,
        issue,
        "answer",
        AnswerForm(request.POST),
        act,
        _("The issue's voices are answered."),
    )
