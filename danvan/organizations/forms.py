from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from danvan.lib.roles import Role
from danvan.organizations.models import Body, BodyKind, MemberOrganization


class BodyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=BodyKind.choices)
    member_organization = forms.ChoiceField(
        label=_("Member organization"),
        choices=[("", "—"), *MemberOrganization.choices],
        required=False,
        help_text=_("Only for member organizations of the Front."),
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(
        label=_("Symbol"),
        max_length=30,
        required=False,
        help_text=_("Abbreviation used in document numbers, e.g. BTGDVTU or UBND."),
    )
    parent = forms.ModelChoiceField(
        label=_("Superior body"), queryset=Body.objects.none(), required=False
    )

    def __init__(self, *args: Any, parents: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if parents is not None:
            self.fields["parent"].queryset = parents  # type: ignore[attr-defined]


class MembershipForm(forms.Form):
    username = forms.CharField(
        label=_("Username of the officer"),
        max_length=150,
        help_text=_("The officer's account must exist; ask the system administrator to create it."),
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[(r.value, r.label) for r in Role if r != Role.SYSTEM_ADMIN]
    )
    position = forms.CharField(label=_("Position"), max_length=120, required=False)

    def clean_username(self) -> Any:
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                _("No active account has the username “%(name)s”.") % {"name": username}
            )
        return user
