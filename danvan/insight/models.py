"""Issues (the same matter raised by many people) and the learned topic suggester.

An ``Issue`` is one problem at one place: the voices about it point to it (``Voice.issue``). It
is blocked by commune: the same complaint about two communes' roads is two issues. Voices join an
issue automatically as they arrive (``grouping.voice_match``) or by an officer's decision; every
decision an officer takes (confirm, merge, split, move out) is an ``IssueDecision`` and leaves
labelled pairs (``PairLabel``) that the matcher learns its threshold from.

``TopicModel`` keeps the trained topic classifier (its bytes and its measured accuracy) in the
database, so that every worker and web process reads the same one; ``TopicLabel`` is an officer's
correction of a voice's topic, which the next training uses.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from danvan.lib.scoping import ScopedQuerySet

__all__ = [
    "DecisionKind",
    "Issue",
    "IssueDecision",
    "IssueStatus",
    "PairLabel",
    "TopicLabel",
    "TopicModel",
    "issue_title",
]

#: The longest title an issue takes from its first voice's text (cut at a word).
TITLE_LENGTH = 160


def issue_title(text: str) -> str:
    """The title of an issue started by a voice: its text on one line, cut at a word."""
    text = " ".join(text.split())
    if len(text) <= TITLE_LENGTH:
        return text
    cut = text[:TITLE_LENGTH].rsplit(" ", 1)[0]
    return cut + "…"


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class IssueQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"

    def open(self) -> IssueQuerySet:
        return self.filter(status=IssueStatus.OPEN)


class Issue(models.Model):
    """The same matter at the same place, raised by one or many people."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="issues",
        help_text=_("The commune (or the province, for a matter raised above any commune)."),
    )
    topic = models.ForeignKey(
        "voices.Topic", verbose_name=_("topic"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    representative = models.ForeignKey(
        "voices.Voice",
        verbose_name=_("representative voice"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=IssueStatus.choices, default=IssueStatus.OPEN
    )
    #: Kept current by ``grouping`` whenever a voice joins or leaves.
    voice_count = models.PositiveIntegerField(_("voices"), default=0)
    first_received_on = models.DateField(_("first received on"), null=True, blank=True)
    last_received_on = models.DateField(_("last received on"), null=True, blank=True)
    #: What the matcher compares new voices with (``grouping.Cluster.as_json``): the sum of the
    #: voices' vectors, their problems and places. Rebuilt whenever voices join or leave.
    signature = models.JSONField(default=dict, blank=True, editable=False)
    #: An officer has looked at the grouping and confirmed it.
    is_confirmed = models.BooleanField(_("confirmed by an officer"), default=False)
    answer_text = models.TextField(_("answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_from",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["-voice_count", "-last_received_on", "-id"]
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "-voice_count"]),
        ]

    def __str__(self) -> str:
        return self.title


class DecisionKind(models.TextChoices):
    CONFIRM = "confirm", _("Confirmed the grouping")
    MERGE = "merge", _("Merged two issues")
    SPLIT = "split", _("Split voices into a new issue")
    MOVE = "move", _("Moved a voice to another issue")
    ANSWER = "answer", _("Answered the issue")


class IssueDecision(models.Model):
    """What an officer decided about an issue's grouping; kept for the record and for learning."""

    issue = models.ForeignKey(Issue, on_delete=models.CASCADE, related_name="decisions")
    other = models.ForeignKey(
        Issue, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("decision"), max_length=20, choices=DecisionKind.choices)
    voice_ids = models.JSONField(default=list, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("issue decision")
        verbose_name_plural = _("issue decisions")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.issue_id} {self.kind}"


class PairLabel(models.Model):
    """Two voices an officer said are (or are not) the same matter, with the matcher's score."""

    first = models.ForeignKey("voices.Voice", on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey("voices.Voice", on_delete=models.CASCADE, related_name="+")
    same = models.BooleanField()
    score = models.FloatField()
    decision = models.ForeignKey(IssueDecision, on_delete=models.CASCADE, related_name="pairs")

    class Meta:
        constraints = [
            models.UniqueConstraint("first", "second", name="pair_label_unique_pair"),
        ]

    def __str__(self) -> str:
        return f"{self.first_id}~{self.second_id}={self.same}"


class TopicModel(models.Model):
    """A trained topic classifier, stored whole so that every process uses the same one."""

    trained_at = models.DateTimeField(auto_now_add=True)
    payload = models.BinaryField()
    samples = models.PositiveIntegerField(default=0)
    #: Accuracy on the held-out part of the training data, measured when trained.
    accuracy = models.FloatField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-trained_at", "-id"]

    def __str__(self) -> str:
        return f"topic model {self.pk} ({self.samples} samples)"


class TopicLabel(models.Model):
    """An officer's correction of a voice's topic: the next training learns from it."""

    voice = models.OneToOneField("voices.Voice", on_delete=models.CASCADE, related_name="+")
    suggested = models.ForeignKey(
        "voices.Topic", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    topic = models.ForeignKey("voices.Topic", on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.voice_id} → {self.topic_id}"
