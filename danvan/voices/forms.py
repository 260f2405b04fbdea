"""Forms of the officer pages: the inbox filters, the bulk actions and the case actions.

Every case action form carries the ``version`` the page was rendered with; the service compares it
with the stored one, so an officer never overwrites a change made by a colleague meanwhile.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danvan.deadlines.engine import COMPLEXITY_ORDER
from danvan.deadlines.models import Complexity, VoiceKind
from danvan.lib.textquery import error_message as query_error_message
from danvan.lib.textquery import parse as parse_query
from danvan.organizations.models import Body
from danvan.units.fields import UnitField
from danvan.voices.models import Coordination, Topic, VoiceStatus
from danvan.voices.selectors import (
    ORDER_NEWEST,
    ORDER_URGENT,
    InboxFilters,
    Urgency,
    due_soon_days,
)
from danvan.voices.services import ALLOWED_FROM
from danvan.voices.tracking import normalize_tracking_code


class BodyChoiceMixin(forms.Form):
    """A form whose ``body`` (or ``bodies``) field offers the bodies the caller chose."""

    body_field_name = "body"

    def __init__(self, *args: Any, bodies: QuerySet[Body], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields[self.body_field_name]
        assert isinstance(field, forms.ModelChoiceField)  # the multiple choice field is one too
        field.queryset = bodies


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Tracking code or words of the content")}
        ),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any kind")), *VoiceKind.choices], required=False
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), required=False, empty_label=_("Any topic")
    )
    unit = UnitField(label=_("Unit"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *VoiceStatus.choices], required=False
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput())
    received_to = forms.DateField(label=_("Received to"), required=False, widget=DateInput())
    due_before = forms.DateField(label=_("Due before"), required=False, widget=DateInput())
    urgency = forms.ChoiceField(
        label=_("Due date"),
        choices=[
            ("", _("Any")),
            (Urgency.OVERDUE, _("Overdue")),
            (Urgency.DUE_SOON, _("Due soon")),
        ],
        required=False,
    )
    days = forms.IntegerField(
        label=_("“Due soon” means within (working days)"),
        min_value=0,
        max_value=90,
        required=False,
    )
    order = forms.ChoiceField(
        label=_("Order"),
        choices=[(ORDER_URGENT, _("Nearest due date first")), (ORDER_NEWEST, _("Newest first"))],
        required=False,
    )

    def __init__(self, *args: Any, topics: QuerySet[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, forms.ModelChoiceField)
        topic_field.queryset = topics
        self.fields["days"].widget.attrs["placeholder"] = str(due_soon_days())

    def filters(self) -> InboxFilters:
        """The filters from the fields that are valid; an invalid field filters nothing."""
        data = getattr(self, "cleaned_data", {})
        topic = data.get("topic")
        days = data.get("days")
        return InboxFilters(
            kind=data.get("kind") or "",
            topic_id=topic.pk if topic is not None else None,
            unit_code=(data.get("unit") or "").strip(),
            status=data.get("status") or "",
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            due_before=data.get("due_before"),
            urgency=data.get("urgency") or "",
            # None: the setting (DANVAN_DUE_SOON_DAYS), as for the urging job.
            due_soon_days=days,
            text=(data.get("q") or "").strip(),
            order=data.get("order") or ORDER_URGENT,
        )

    def clean_q(self) -> str:
        text = (self.cleaned_data.get("q") or "").strip()
        if text and normalize_tracking_code(text) is None:
            query = parse_query(text)
            if query.error:
                raise forms.ValidationError(query_error_message(query.error))
        return text


class CaseApiFilterForm(InboxFilterForm):
    """The inbox's filters as the API's case list takes them (``kind``, ``status``, ``unit``,
    ``topic``): a unit by its code only, a topic by its code (``topic_code``, which the caller
    fills from the API's ``topic``), newest first. The other fields are left empty."""

    topic_code = forms.CharField(required=False, max_length=40)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, topics=Topic.objects.none(), **kwargs)
        # A code, as documented: a name is not looked up (the page's ``UnitField`` does that).
        self.fields["unit"] = forms.CharField(required=False, max_length=200)

    def filters(self) -> InboxFilters:
        data = getattr(self, "cleaned_data", {})
        return replace(
            super().filters(), topic_code=data.get("topic_code") or "", order=ORDER_NEWEST
        )


class BulkAction:
    ACCEPT = "accept"
    ASSIGN = "assign"


class BulkForm(BodyChoiceMixin, forms.Form):
    """The inbox's bulk actions. The selected ids and each row's version (``v_<id>``) are read
    from the POST data by the view: they are as many as the rows on the page."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (BulkAction.ACCEPT, _("Accept the selected cases")),
            (BulkAction.ASSIGN, _("Assign the selected cases to")),
        ],
    )
    body = forms.ModelChoiceField(
        label=_("Responsible body"),
        queryset=Body.objects.none(),
        required=False,
        empty_label=_("Choose a body"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == BulkAction.ASSIGN and not data.get("body"):
            self.add_error("body", _("Choose the body to assign the cases to."))
        return data


# --- The case page's actions ---------------------------------------------------------------------


class CaseActionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AcceptForm(CaseActionForm):
    accepted_on = forms.DateField(
        label=_("Accepted on"), widget=DateInput(), initial=timezone.localdate
    )


class RefuseForm(CaseActionForm):
    reason = forms.CharField(
        label=_("Reason for refusal"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("The citizen will read it."),
    )


class AssignForm(BodyChoiceMixin, CaseActionForm):
    body = forms.ModelChoiceField(
        label=_("Responsible body"), queryset=Body.objects.none(), empty_label=_("Choose a body")
    )


class AnswerForm(CaseActionForm):
    text = forms.CharField(
        label=_("Answer"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
        help_text=_("The citizen sees it once it is published."),
    )


class PublishForm(CaseActionForm):
    pass


class CloseForm(CaseActionForm):
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000, required=False
    )


class ReopenForm(CaseActionForm):
    reason = forms.CharField(
        label=_("Reason for reopening"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class ForwardForm(BodyChoiceMixin, CaseActionForm):
    body = forms.ModelChoiceField(
        label=_("Competent body"), queryset=Body.objects.none(), empty_label=_("Choose a body")
    )
    reason = forms.CharField(
        label=_("Why this body is competent"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("The citizen will read it. A denouncer's identity is never handed over."),
    )


class CoordinateForm(BodyChoiceMixin, CaseActionForm):
    body_field_name = "bodies"

    bodies = forms.ModelMultipleChoiceField(
        label=_("Bodies asked to coordinate"),
        queryset=Body.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    request = forms.CharField(
        label=_("What they are asked to do"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )


class CoordinationReplyForm(CaseActionForm):
    coordination = forms.ModelChoiceField(
        label=_("Reply of"), queryset=Coordination.objects.none(), empty_label=None
    )
    reply = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )

    def __init__(self, *args: Any, coordinations: QuerySet[Coordination], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["coordination"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = coordinations
        field.label_from_instance = lambda c: c.body.name  # type: ignore[method-assign,assignment]


class ExtendForm(CaseActionForm):
    step = forms.ChoiceField(label=_("Step"))
    complexity = forms.ChoiceField(
        label=_("Complexity"),
        choices=Complexity.choices,
        help_text=_(
            "Where the law says so, a complex case gets more time: a denunciation is extended "
            "(once, twice if especially complex); a first complaint gets 45 days instead of 30 "
            "(60 instead of 45 in remote areas)."
        ),
    )
    reason = forms.CharField(
        label=_("Reason for the extension"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        help_text=_("The citizen will read it."),
    )

    def __init__(
        self,
        *args: Any,
        steps: list[tuple[str, str]],
        complexity: str = Complexity.NORMAL,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        step_field = self.fields["step"]
        assert isinstance(step_field, forms.ChoiceField)
        step_field.choices = steps
        # The complexity can only be raised.
        complexity_field = self.fields["complexity"]
        assert isinstance(complexity_field, forms.ChoiceField)
        start = COMPLEXITY_ORDER.index(Complexity(complexity))
        complexity_field.choices = [
            (level.value, level.label) for level in COMPLEXITY_ORDER[start:]
        ]


class SecondComplaintForm(CaseActionForm):
    text = forms.CharField(
        label=_("Content of the second complaint"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
    )
    received_on = forms.DateField(
        label=_("Received on"), widget=DateInput(), initial=timezone.localdate
    )


class SetTopicForm(CaseActionForm):
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), empty_label=None
    )

    def __init__(self, *args: Any, topics: QuerySet[Topic], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["topic"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = topics


class RateForm(forms.Form):
    """The citizen's rating of a published answer, on the public status page."""

    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=[
            (5, _("5 — Very satisfied")),
            (4, _("4 — Satisfied")),
            (3, _("3 — Neither satisfied nor dissatisfied")),
            (2, _("2 — Dissatisfied")),
            (1, _("1 — Very dissatisfied")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


#: Each action of the case page: its form and the statuses it can be taken from (the same as the
#: services' ``allowed_from``; the services decide, this only chooses which forms to show).
CASE_ACTION_FORMS: dict[str, type[CaseActionForm]] = {
    "accept": AcceptForm,
    "refuse": RefuseForm,
    "assign": AssignForm,
    "answer": AnswerForm,
    "publish": PublishForm,
    "close": CloseForm,
    "reopen": ReopenForm,
    "forward": ForwardForm,
    "coordinate": CoordinateForm,
    "coordination_reply": CoordinationReplyForm,
    "extend": ExtendForm,
    "second_complaint": SecondComplaintForm,
    "set_topic": SetTopicForm,
}
#: Each action's form and the statuses it may start from (the services' own map).
CASE_ACTIONS: dict[str, tuple[type[CaseActionForm], tuple[str, ...]]] = {
    action: (form, ALLOWED_FROM[action]) for action, form in CASE_ACTION_FORMS.items()
}


class TopicForm(forms.Form):
    """A province's new topic (``services_topics.topic_create``)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        required=False,
        help_text=_("Left empty, it is made from the name. It cannot be changed later."),
    )
    order = forms.IntegerField(label=_("Order in lists"), min_value=0, max_value=999, initial=100)


class TopicEditForm(forms.Form):
    """A province's topic renamed, reordered or retired (``services_topics.topic_update``)."""

    name = forms.CharField(label=_("Name"), max_length=120)
    order = forms.IntegerField(label=_("Order in lists"), min_value=0, max_value=999)
    is_active = forms.BooleanField(
        label=_("Offered for new voices"),
        required=False,
        help_text=_("A retired topic keeps its voices."),
    )
