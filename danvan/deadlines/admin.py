"""Administration of the legal time limits and the calendar. Saving goes through the services
(audited); a rule set in force is read-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from danvan.audit.context import Actor
from danvan.deadlines.calendar import package_is_working_day
from danvan.deadlines.models import CalendarException, RuleSet, TimeLimitRule
from danvan.deadlines.services import (
    calendar_exception_delete,
    calendar_exception_set,
    rule_set_create,
    rule_set_delete,
    rule_set_update,
    time_limit_rule_delete,
    time_limit_rule_save,
)

_RULE_SET_FIELDS = ["name", "effective_from", "citation", "notes"]


def _editable(obj: RuleSet | None) -> bool:
    return obj is None or obj.is_editable(timezone.localdate())


class RuleSetForm(ModelForm[RuleSet]):
    copy_from = forms.ModelChoiceField(
        label=_("Copy the rules of"),
        queryset=RuleSet.objects.all(),
        required=False,
        help_text=_("Usually the rule set in force; then change only what the new law changes."),
    )

    class Meta:
        model = RuleSet
        fields = _RULE_SET_FIELDS

    def clean_effective_from(self) -> Any:
        day = self.cleaned_data["effective_from"]
        if day is not None and day <= timezone.localdate():
            raise forms.ValidationError(
                _(
                    "A rule set takes effect from tomorrow at the earliest: cases already "
                    "received keep the rules they were counted with."
                )
            )
        return day


class TimeLimitRuleInline(admin.StackedInline[TimeLimitRule, RuleSet]):
    model = TimeLimitRule
    extra = 0
    fieldsets = [
        (None, {"fields": [("kind", "step", "applies_when", "position")]}),
        (
            _("Limit"),
            {
                "fields": [
                    ("counts_from", "after_step"),
                    ("amount", "unit"),
                    ("amount_remote", "amount_complex", "amount_remote_complex"),
                    (
                        "max_extensions",
                        "max_extensions_complex",
                        "max_extensions_especially_complex",
                        "extension_amount",
                    ),
                ]
            },
        ),
        (None, {"fields": ["citation", "notes", ("verify", "configurable")]}),
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_delete_permission(request, obj)


@admin.register(RuleSet)
class RuleSetAdmin(admin.ModelAdmin[RuleSet]):
    form = RuleSetForm
    list_display = ["name", "effective_from", "rule_count", "in_force"]
    search_fields = ["name", "citation"]
    ordering = ["-effective_from"]
    inlines = [TimeLimitRuleInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[RuleSet]:
        return super().get_queryset(request).annotate(rule_total=Count("rules"))

    @admin.display(description=_("time limits"))
    def rule_count(self, obj: RuleSet) -> int:
        return getattr(obj, "rule_total", 0)

    @admin.display(description=_("in force or past"), boolean=True)
    def in_force(self, obj: RuleSet) -> bool:
        return not obj.is_editable(timezone.localdate())

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[Any]:
        return [*_RULE_SET_FIELDS, "copy_from"] if obj is None else list(_RULE_SET_FIELDS)

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[Any]:
        # Rules are added once the rule set exists (usually copied, then edited).
        return [] if obj is None else list(self.inlines)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is not None and _editable(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(
        self, request: HttpRequest, obj: RuleSet, form: ModelForm[RuleSet], change: bool
    ) -> None:
        actor = Actor.from_request(request)
        if change:
            rule_set_update(
                actor=actor,
                rule_set=obj,
                **{f: getattr(obj, f) for f in form.changed_data if f in _RULE_SET_FIELDS},
            )
            return
        created = rule_set_create(
            actor=actor,
            name=obj.name,
            effective_from=obj.effective_from,
            citation=obj.citation,
            notes=obj.notes,
            copy_from=form.cleaned_data.get("copy_from"),
        )
        obj.pk = created.pk

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        actor = Actor.from_request(request)
        rules = formset.save(commit=False)
        for rule in formset.deleted_objects:
            time_limit_rule_delete(actor=actor, rule=rule)
        for rule in rules:
            time_limit_rule_save(actor=actor, rule=rule)

    def delete_model(self, request: HttpRequest, obj: RuleSet) -> None:
        rule_set_delete(actor=Actor.from_request(request), rule_set=obj)


class CalendarExceptionForm(ModelForm[CalendarException]):
    class Meta:
        model = CalendarException
        fields = ["day", "is_working_day", "reason"]


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin[CalendarException]):
    form = CalendarExceptionForm
    list_display = ["day", "weekday", "is_working_day", "package_says", "reason"]
    list_filter = ["is_working_day"]
    search_fields = ["reason"]
    date_hierarchy = "day"

    @admin.display(description=_("weekday"))
    def weekday(self, obj: CalendarException) -> str:
        from django.utils.formats import date_format

        return date_format(obj.day, "l")

    @admin.display(description=_("working day without this exception"), boolean=True)
    def package_says(self, obj: CalendarException) -> bool:
        return package_is_working_day(obj.day)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["day"] if obj is not None else []

    def get_actions(self, request: HttpRequest) -> Any:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(
        self,
        request: HttpRequest,
        obj: CalendarException,
        form: ModelForm[CalendarException],
        change: bool,
    ) -> None:
        saved = calendar_exception_set(
            actor=Actor.from_request(request),
            day=obj.day,
            is_working_day=obj.is_working_day,
            reason=obj.reason,
        )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: CalendarException) -> None:
        calendar_exception_delete(actor=Actor.from_request(request), exception=obj)
