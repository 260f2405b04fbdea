"""Models of the "Skillful Mass Mobilization" emulation movement (phong trào thi đua "Dân vận
khéo"): registered, followed with measurable indicators, evaluated by councils against criteria
each province sets as data, honored, replicated, and checked for being built "for show".

Vocabulary: a *model* (mô hình) is one registered good practice, by a collective or an
individual; an *emulation period* (giai đoạn thi đua, e.g. 2021–2025) has yearly rounds; a
*criteria set* (bộ tiêu chí) belongs to a province, a period and a level; a *council* (hội đồng)
at a unit scores models against it; a *commendation* (khen thưởng) is a decision with a number.

A model's field, level, holder and status are choices in ``choices.py`` (see there why),
imported from here as before.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from danvan.lib.scoping import ScopedQuerySet
from danvan.skillful.choices import Field, Holder, Level, ModelStatus
from danvan.skillful.flag_reasons import render_reason

#: Levels from the lowest; a model is proposed only to the next one up.
LEVEL_ORDER = [Level.VILLAGE, Level.COMMUNE, Level.PROVINCE]


#: The text parts of the registration form, in the form's order. With the name and the time frame
#: (the start and end days) they are its ten parts.
PARTS = (
    "situation",
    "goals",
    "content",
    "area_and_target",
    "forces",
    "resources",
    "expected_outputs",
    "sustainability",
)


class EmulationPeriod(models.Model):
    """A period of the movement (e.g. 2021–2025) with yearly rounds; national when no province."""

    name = models.CharField(_("name"), max_length=80)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    province = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("emulation period")
        verbose_name_plural = _("emulation periods")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gt=models.F("starts_on")),
                name="emulation_period_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.name


class EmulationRound(models.Model):
    """A yearly round of a period (đợt thi đua hằng năm): the days in which models of that
    year's round are registered and followed. When a period has rounds, a model's yearly round
    must be one of them; a period without rounds (older data) takes any year it spans."""

    period = models.ForeignKey(EmulationPeriod, on_delete=models.CASCADE, related_name="rounds")
    year = models.PositiveSmallIntegerField(_("year"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))

    class Meta:
        verbose_name = _("yearly round")
        verbose_name_plural = _("yearly rounds")
        ordering = ["period", "year"]
        constraints = [
            models.UniqueConstraint("period", "year", name="emulation_round_once_a_year"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="emulation_round_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} · {self.year}"


class MobilizationModelQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"


class MobilizationModel(models.Model):
    """One registered model, with the ten parts of a real registration form."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name of the model"), max_length=255)
    holder = models.CharField(_("collective or individual"), max_length=20, choices=Holder.choices)
    field = models.CharField(_("field"), max_length=30, choices=Field.choices)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="mobilization_models",
    )
    period = models.ForeignKey(
        EmulationPeriod, verbose_name=_("emulation period"), on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField(_("yearly round"))
    lead_body = models.ForeignKey(
        "organizations.Body",
        verbose_name=_("lead body"),
        on_delete=models.PROTECT,
        related_name="led_models",
    )
    partner_bodies = models.ManyToManyField(
        "organizations.Body",
        verbose_name=_("partner bodies"),
        blank=True,
        related_name="partner_models",
    )
    # An individual model's person; shown publicly only with their consent.
    person_name = models.CharField(_("person"), max_length=150, blank=True)
    person_consents_to_publication = models.BooleanField(
        _("the person agrees to be named publicly"), default=False
    )

    # The ten parts of the registration form.
    situation = models.TextField(_("situation and reason"))
    goals = models.TextField(_("goals and criteria"))
    content = models.TextField(_("content and method"))
    area_and_target = models.TextField(_("area and target group"))
    forces = models.TextField(_("forces carrying it out"))
    resources = models.TextField(_("resources"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    expected_outputs = models.TextField(_("expected outputs"))
    sustainability = models.TextField(_("ability to sustain and replicate"))

    status = models.CharField(
        _("status"), max_length=20, choices=ModelStatus.choices, default=ModelStatus.REGISTERED
    )
    #: The level it is proposed to or recognized at; starts as its own level.
    current_level = models.CharField(_("current level"), max_length=20, choices=Level.choices)
    origin = models.ForeignKey(
        "self",
        verbose_name=_("replicated from"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replications",
    )
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MobilizationModelQuerySet.as_manager()

    class Meta:
        verbose_name = _("Skillful Mass Mobilization model")
        verbose_name_plural = _("Skillful Mass Mobilization models")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "field", "level"])]

    def __str__(self) -> str:
        return self.name


class InOrder(models.Model):
    """A named row kept in the order it was entered (an indicator of a model, a criterion of a
    set): ``order`` is its place, the id breaks ties."""

    name: models.CharField[str, str]
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Indicator(InOrder):
    """A measurable indicator the model declares: baseline, target, then a value each period."""

    model = models.ForeignKey(
        MobilizationModel, on_delete=models.CASCADE, related_name="indicators"
    )
    name = models.CharField(_("indicator"), max_length=200)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=40)
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=2)

    class Meta(InOrder.Meta):
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")


class IndicatorReport(models.Model):
    """The value of an indicator reported for one period (e.g. "2026", "2026-H1")."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="reports")
    period_label = models.CharField(_("period"), max_length=20)
    reported_on = models.DateField(_("reported on"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("indicator report")
        verbose_name_plural = _("indicator reports")
        ordering = ["reported_on", "id"]
        constraints = [
            models.UniqueConstraint("indicator", "period_label", name="indicator_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period_label}: {self.value}"


def _evidence_path(instance: Evidence, filename: str) -> str:
    return f"skillful/evidence/{filename}"


class Evidence(models.Model):
    """A photo or document proving the model or one indicator report (checked like voices'
    attachments: type by content, images re-encoded without metadata)."""

    model = models.ForeignKey(MobilizationModel, on_delete=models.CASCADE, related_name="evidence")
    report = models.ForeignKey(
        IndicatorReport, on_delete=models.SET_NULL, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(_("file"), upload_to=_evidence_path, max_length=255)
    original_name = models.CharField(_("original name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    caption = models.CharField(_("caption"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.caption or self.original_name or self.file.name


class CriteriaSet(models.Model):
    """A province's criteria for one period and level, as data. Frozen once scoring begins."""

    province = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("province"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.ForeignKey(
        EmulationPeriod, on_delete=models.PROTECT, related_name="criteria_sets"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    name = models.CharField(_("name"), max_length=200)
    #: Set when the first score is given; criteria, weights and thresholds cannot change after.
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("criteria set")
        verbose_name_plural = _("criteria sets")
        constraints = [
            models.UniqueConstraint("province", "period", "level", name="criteria_set_once")
        ]

    def __str__(self) -> str:
        return self.name


class Criterion(InOrder):
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("highest score"), default=10)

    class Meta(InOrder.Meta):
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")


class GradeThreshold(models.Model):
    """The weighted score (0–100) from which a grade is given; the highest reached applies."""

    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.CASCADE, related_name="grades")
    name = models.CharField(_("grade"), max_length=80)
    min_score = models.DecimalField(_("from score"), max_digits=5, decimal_places=2)
    recognizes = models.BooleanField(_("the model is recognized"), default=True)

    class Meta:
        verbose_name = _("grade")
        verbose_name_plural = _("grades")
        ordering = ["-min_score"]

    def __str__(self) -> str:
        return f"{self.name} ≥ {self.min_score}"


class CouncilQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"


class Council(models.Model):
    """An evaluation council at a unit for a period (hội đồng thi đua, khen thưởng)."""

    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    period = models.ForeignKey(EmulationPeriod, on_delete=models.PROTECT, related_name="councils")
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("members"), related_name="councils"
    )

    objects = CouncilQuerySet.as_manager()

    class Meta:
        verbose_name = _("council")
        verbose_name_plural = _("councils")

    def __str__(self) -> str:
        return self.name


class EvaluationQuerySet(ScopedQuerySet):
    scope_path_lookup = "council__unit__path"


class Evaluation(models.Model):
    """One council's evaluation of one model: members score independently, then it is closed and
    the result aggregated."""

    model = models.ForeignKey(
        MobilizationModel, on_delete=models.CASCADE, related_name="evaluations"
    )
    council = models.ForeignKey(Council, on_delete=models.PROTECT, related_name="evaluations")
    criteria_set = models.ForeignKey(CriteriaSet, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("grade"), max_length=80, blank=True)
    recognized = models.BooleanField(null=True)

    objects = EvaluationQuerySet.as_manager()

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.model} / {self.council}"


class Score(models.Model):
    """One member's score of one criterion, with a comment. Given once."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    comment = models.TextField(_("comment"), blank=True)
    given_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint("evaluation", "member", "criterion", name="score_once"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="score_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class Commendation(models.Model):
    """A commendation decision for a model (quyết định khen thưởng)."""

    model = models.ForeignKey(
        MobilizationModel, on_delete=models.CASCADE, related_name="commendations"
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    decision_number = models.CharField(_("decision number"), max_length=60)
    decided_on = models.DateField(_("decided on"))
    issuer = models.CharField(_("issued by"), max_length=200)
    title = models.CharField(_("form of commendation"), max_length=200)

    class Meta:
        verbose_name = _("commendation")
        verbose_name_plural = _("commendations")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.UniqueConstraint("issuer", "decision_number", "model", name="commendation_once")
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} ({self.issuer})"


class FlagKind(models.TextChoices):
    NO_PROGRESS = "no_progress", _("Indicators show no progress")
    NEAR_DUPLICATE = "near_duplicate", _("Near-identical to another model")
    RISING_COMPLAINTS = "rising_complaints", _("Complaints in its field are rising in its area")
    NO_EVIDENCE = "no_evidence", _("No evidence attached")


class FormalismFlag(models.Model):
    """A sign that a model may be built for show, with the reason; reviewers see it before scoring.
    Recomputed by the checks; a reviewer may dismiss it with a note."""

    model = models.ForeignKey(MobilizationModel, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(_("kind"), max_length=30, choices=FlagKind.choices)
    #: What the check found, as numbers and codes; the sentence is written when it is read, in
    #: the reader's language (``flag_reasons.render_reason``).
    details = models.JSONField(_("what the check found"), default=dict, blank=True)
    #: The sentence stored by rows written before ``details`` existed (in the site's language);
    #: shown until the next run of the checks replaces it with ``details``.
    legacy_reason = models.TextField(_("reason (written before 2026-11)"), blank=True)
    other = models.ForeignKey(
        MobilizationModel, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(auto_now_add=True)
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_note = models.TextField(blank=True)

    class Meta:
        verbose_name = _("formalism flag")
        verbose_name_plural = _("formalism flags")
        constraints = [models.UniqueConstraint("model", "kind", name="formalism_flag_once")]

    def __str__(self) -> str:
        return f"{self.model}: {self.get_kind_display()}"

    @property
    def reason(self) -> str:
        """The reason in the active language (an old row's stored sentence as it was)."""
        if self.details:
            return render_reason(self.kind, self.details)
        return self.legacy_reason
