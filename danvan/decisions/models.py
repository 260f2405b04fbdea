"""Decisions on complaints and conclusions on denunciations: the documents that answer them.

A complaint is answered by a decision on the complaint (quyết định giải quyết khiếu nại, Law on
Complaints 02/2011/QH13 Art. 31 and 40), a denunciation by a conclusion on its content (kết luận
nội dung tố cáo, Law on Denunciations 25/2018/QH14 Art. 35), signed by the head of the competent
body. An officer drafts it from the case, submits it, and a leader (``approve``) issues it or
returns it with a note. On issue it takes the next number of its body's register for the year
(``DecisionNumberSequence``, one per body, year and type: ``QĐ`` or ``KL``), its date is fixed, its
DOCX is rendered once and stored with its SHA-256, and it answers the case (``case_decide``).

A conclusion never holds the denouncer's identity (Art. 9.1.b, 56): it has no field for it, and
issuing refuses a text that contains the denouncer's name, contact, address or ID number.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from danvan.lib.crypto import EncryptedTextField
from danvan.lib.scoping import ScopedQuerySet
from danvan.reports.models import DocumentEvent, IssuedDocument

__all__ = [
    "Decision",
    "DecisionAction",
    "DecisionEvent",
    "DecisionKind",
    "DecisionNumberSequence",
    "DecisionStatus",
]


class DecisionKind(models.TextChoices):
    COMPLAINT = "complaint", _("Decision on a complaint")
    DENUNCIATION = "denunciation", _("Conclusion on a denunciation")


#: The abbreviation of each type in the number and symbol (Decree 30/2020/NĐ-CP, Appendix III).
TYPE_CODES = {DecisionKind.COMPLAINT: "QĐ", DecisionKind.DENUNCIATION: "KL"}


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted to the head")
    ISSUED = "issued", _("Issued")


class DecisionQuerySet(ScopedQuerySet):
    scope_path_lookup = "voice__unit__path"


class Decision(IssuedDocument):
    voice = models.ForeignKey(
        "voices.Voice", verbose_name=_("case"), on_delete=models.PROTECT, related_name="decisions"
    )
    body = models.ForeignKey(
        "organizations.Body",
        verbose_name=_("competent body"),
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DecisionKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=DecisionStatus.choices, default=DecisionStatus.DRAFT
    )
    decider = models.CharField(
        _("who decides"),
        max_length=200,
        help_text=_(
            "The title of the person competent to decide, e.g. “CHỦ TỊCH ỦY BAN NHÂN DÂN XÃ ANH SƠN”."
        ),
    )
    # The parties. A complaint's complainant; never a denouncer (a conclusion has no such field).
    complainant_name = EncryptedTextField(_("complainant"), blank=True)
    complainant_address = EncryptedTextField(_("complainant's address"), blank=True)
    respondent = models.TextField(
        _("person complained against / denounced"),
        blank=True,
        help_text=_("Name and address of the person or body complained against or denounced."),
    )
    content = models.TextField(_("content of the complaint or denunciation"))
    verification = models.TextField(_("results of verification"), blank=True)
    dialogue = models.TextField(_("results of the dialogue"), blank=True)
    legal_grounds = models.TextField(_("legal grounds"), blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    #: Complaints: keep, amend, supplement or cancel the decision, end the act (Art. 31.2.g).
    outcome = models.TextField(_("decision on the administrative decision or act"), blank=True)
    specific_issues = models.TextField(_("resolution of specific issues"), blank=True)
    compensation = models.TextField(_("compensation"), blank=True)
    #: Denunciations: violations and responsibility, handling, recommendations (Art. 35).
    violations = models.TextField(_("violations and responsibility"), blank=True)
    measures = models.TextField(_("handling measures"), blank=True)
    recommendations = models.TextField(_("recommendations"), blank=True)

    return_note = models.TextField(_("what to change"), blank=True)

    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("decision or conclusion")
        verbose_name_plural = _("decisions and conclusions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "body",
                "kind",
                "year",
                "number",
                condition=models.Q(number__isnull=False),
                name="decision_unique_number_per_body_year",
            ),
            # One document in the making per case at a time.
            models.UniqueConstraint(
                "voice",
                condition=~models.Q(status="issued"),
                name="decision_one_open_per_case",
            ),
        ]

    def add_event(self, **fields: Any) -> None:
        # The history names the actor by their account only (``actor_label`` is the report's).
        fields.pop("actor_label", None)
        DecisionEvent.objects.create(decision=self, **fields)

    @property
    def type_code(self) -> str:
        return TYPE_CODES[DecisionKind(self.kind)]


class DecisionNumberSequence(models.Model):
    """The last number a body gave a decision (QĐ) or conclusion (KL) in a year. Rows are never
    deleted or lowered, so a number once given is never given again."""

    body = models.ForeignKey(
        "organizations.Body", on_delete=models.PROTECT, related_name="decision_sequences"
    )
    type_code = models.CharField(max_length=10)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "body", "type_code", "year", name="decision_sequence_unique_body_type_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body_id}/{self.type_code}/{self.year}: {self.last_number}"


class DecisionAction(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    EDITED = "edited", _("Edited")
    SUBMITTED = "submitted", _("Submitted to the head")
    RETURNED = "returned", _("Returned for changes")
    ISSUED = "issued", _("Approved and issued")


class DecisionEvent(DocumentEvent):
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=12, choices=DecisionAction.choices)

    def __str__(self) -> str:
        return f"{self.decision_id} {self.action}"
