from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from danvan.lib.forms import SpreadsheetImportForm
from danvan.units.models import VILLAGE_KINDS, UnitKind


class VillageForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("For example: Xóm 3, Bản Na Nhu, Tổ dân phố 5."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k.value, k.label) for k in UnitKind if k in VILLAGE_KINDS],
        initial=UnitKind.VILLAGE,
    )


class VillageImportForm(SpreadsheetImportForm):
    columns_help = _(
        "Columns: commune code, name, kind (village or residential group), remote (yes/no)."
    )
