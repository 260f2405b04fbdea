"""Forms of the decision pages. Each action form carries the version the page showed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from danvan.decisions.documents import COMMON_FIELDS, COMPLAINT_FIELDS, DENUNCIATION_FIELDS
from danvan.decisions.models import Decision, DecisionKind
from danvan.reports.forms import VersionForm
from danvan.reports.models import SignerPrefix

_TEXTAREA = forms.Textarea(attrs={"rows": 4})
_SHORT = forms.Textarea(attrs={"rows": 2})

#: Labels as the law names the contents (Law on Complaints Art. 31, Law on Denunciations Art. 35).
LABELS = {
    "title": _("Summary (Về việc …)"),
    "decider": _("Who decides (title in capitals)"),
    "complainant_name": _("Complainant"),
    "complainant_address": _("Complainant's address"),
    "respondent": _("Person or body complained against / denounced, with address"),
    "content": _("Content of the complaint or denunciation"),
    "verification": _("Results of verification"),
    "dialogue": _("Results of the dialogue (if any)"),
    "legal_grounds": _("Legal grounds"),
    "conclusion": _("Conclusion (right, partly right or wrong)"),
    "outcome": _(
        "Keep, amend, supplement or cancel the decision complained of; end the act complained of"
    ),
    "specific_issues": _("Resolution of the specific issues raised"),
    "compensation": _("Compensation (if any)"),
    "violations": _("Violations and responsibility of the denounced and related persons"),
    "measures": _("Handling measures within competence"),
    "recommendations": _("Recommendations to competent bodies"),
    "place": _("Place in the dateline"),
    "signer_prefix": _("Signing as"),
    "signer_authority": _("On behalf of"),
    "signer_position": _("Signer's position"),
    "signer_name": _("Signer's name"),
    "recipients": _("Recipients (one per line)"),
}


class ReturnForm(VersionForm):
    note = forms.CharField(label=_("What should be changed"), widget=_SHORT, max_length=2000)


class IssueForm(VersionForm):
    issued_on = forms.DateField(
        label=_("Date of issue"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today if left empty."),
    )


def fields_for(kind: str) -> tuple[str, ...]:
    extra = COMPLAINT_FIELDS if kind == DecisionKind.COMPLAINT else DENUNCIATION_FIELDS
    return COMMON_FIELDS + extra


class EditForm(VersionForm):
    """The draft's fields for its kind. A conclusion has no field for the denouncer."""

    def __init__(self, *args: Any, decision: Decision, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in fields_for(decision.kind):
            model_field = Decision._meta.get_field(name)
            if name == "signer_prefix":
                self.fields[name] = forms.ChoiceField(
                    label=LABELS[name], choices=SignerPrefix.choices, required=False
                )
                continue
            max_length = getattr(model_field, "max_length", None)
            self.fields[name] = forms.CharField(
                label=LABELS[name],
                required=name in ("title", "content", "place", "decider"),
                max_length=max_length or 20_000,
                widget=forms.TextInput() if max_length else _TEXTAREA,
                help_text=getattr(model_field, "help_text", "") or "",
            )
