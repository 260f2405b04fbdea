from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

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


class VillageImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        help_text=_(
            "Columns: commune code, name, kind (village or residential group), remote (yes/no)."
        ),
    )
    only_valid = forms.BooleanField(label=_("Import only the rows without errors"), required=False)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > settings.DANVAN_MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.DANVAN_MAX_IMPORT_BYTES // (1024 * 1024)}
            )
        return upload
