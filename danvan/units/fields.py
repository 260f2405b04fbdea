"""A form field for a unit, typed by name ("Anh Sơn", "Xóm 1 Anh Sơn") or code, with suggestions.

Officers do not know the statistical codes of their units by heart. ``UnitField`` takes what they
type, picks the unit from the suggestions list (``units:search``, the same ``match_units`` as
every place picker) or resolves a name on the server, and cleans to the unit's code, so the views
and selectors behind it keep working with codes. A name that fits several units is an error that
names them; nothing is guessed.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from danvan.units.models import AdministrativeUnit
from danvan.units.selectors import match_units

#: What the suggestions list writes in the box: "Xã Anh Sơn, Tỉnh Nghệ An (17329)".
_PICKED = re.compile(r"\(([0-9][0-9A-Za-z-]*)\)\s*$")
_CODE = re.compile(r"^[0-9][0-9A-Za-z-]*$")
#: How many matching units an ambiguous name lists in its error.
_SHOWN = 5


class UnitPickerInput(forms.TextInput):
    input_type = "search"
    template_name = "units/widgets/unit_picker.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        widget["attrs"].setdefault("autocomplete", "off")
        widget["attrs"]["hx-get"] = reverse("units:search")
        widget["attrs"]["hx-trigger"] = "input changed delay:250ms, search"
        widget["attrs"]["hx-target"] = f"#{widget['attrs'].get('id', name)}-suggestions"
        widget["attrs"]["name"] = name
        widget["results_id"] = f"{widget['attrs'].get('id', name)}-suggestions"
        return context


class UnitField(forms.CharField):
    """Cleans to a unit's code ("" when left empty)."""

    widget = UnitPickerInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", _("Includes the units below it."))
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("placeholder", str(_("Name or code, e.g. Xóm 1 Anh Sơn")))

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        picked = _PICKED.search(text)
        code = picked.group(1) if picked else text.strip() if _CODE.match(text.strip()) else ""
        if code:
            if not AdministrativeUnit.objects.filter(code=code).exists():
                raise ValidationError(_("No unit has the code %(code)s."), params={"code": code})
            return code
        found = list(
            match_units(AdministrativeUnit.objects.all(), text)
            .filter(valid_to__isnull=True)
            .select_related("parent")[: _SHOWN + 1]
        )
        if not found:
            raise ValidationError(
                _("No unit matches “%(text)s”. Type another name or its code."),
                params={"text": text},
            )
        best = [u for u in found if u.rank == found[0].rank]
        if len(found) == 1 or (len(best) == 1 and found[0].rank <= 1):
            return found[0].code
        names = "; ".join(
            f"{u.name}{', ' + u.parent.name if u.parent else ''} ({u.code})" for u in found[:_SHOWN]
        )
        raise ValidationError(
            _("Several units match: %(names)s. Choose one from the list or type its code."),
            params={"names": names},
        )
