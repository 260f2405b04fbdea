"""Administration of bodies and memberships. Saving goes through the services (audited)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms import ModelForm
from django.http import HttpRequest

from danvan.audit.context import Actor
from danvan.organizations.models import Body, Membership
from danvan.organizations.services import body_create, membership_add, membership_end


@admin.register(Body)
class BodyAdmin(admin.ModelAdmin[Body]):
    list_display = ["name", "kind", "unit", "short_name", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "unit__name", "unit__code"]
    raw_id_fields = ["unit", "parent"]
    fields = ["unit", "kind", "member_organization", "name", "short_name", "parent"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Body, form: ModelForm[Body], change: bool
    ) -> None:
        created = body_create(
            actor=Actor.from_request(request),
            unit=obj.unit,
            kind=obj.kind,
            name=obj.name,
            short_name=obj.short_name,
            parent=obj.parent,
            member_organization=obj.member_organization,
        )
        obj.pk = created.pk


class MembershipForm(ModelForm[Membership]):
    class Meta:
        model = Membership
        fields = ["user", "body", "role", "position"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        user, body = data.get("user"), data.get("body")
        if user and body and Membership.objects.filter(user=user, body=body).exists():
            raise ValidationError("This officer is already a member of this body.")
        return data


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    form = MembershipForm
    list_display = ["user", "body", "role", "position", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__full_name", "body__name"]
    raw_id_fields = ["user", "body"]
    actions = ["end_memberships"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(
        self, request: HttpRequest, obj: Membership, form: ModelForm[Membership], change: bool
    ) -> None:
        created = membership_add(
            actor=Actor.from_request(request),
            user=obj.user,
            body=obj.body,
            role=obj.role,
            position=obj.position,
        )
        obj.pk = created.pk

    @admin.action(description="End the selected memberships")
    def end_memberships(self, request: HttpRequest, queryset: Any) -> None:
        for membership in queryset.select_related("body__unit", "user"):
            membership_end(actor=Actor.from_request(request), membership=membership)
