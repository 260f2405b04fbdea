"""What the audit codes of skillful mass mobilization models mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "skillful.stats_export": _("Models' statistics downloaded"),
    "skillful.model_register": _("Model registered"),
    "skillful.model_record_existing": _("Existing model recorded"),
    "skillful.model_update": _("Model changed"),
    "skillful.model_adopt": _("Model replicated"),
    "skillful.model.propose": _("Model proposed upward"),
    "skillful.model.evaluated": _("Model evaluated"),
    "skillful.evidence_add": _("Evidence added"),
    "skillful.indicator_add": _("Indicator added"),
    "skillful.indicator_update": _("Indicator changed"),
    "skillful.indicator_report": _("Indicator reported"),
    "skillful.flag_dismiss": _("Formalism flag dismissed"),
    "skillful.flags_check": _("Formalism flags raised, changed or removed by the checks"),
    "skillful.period_create": _("Emulation period created"),
    "skillful.round_add": _("Yearly round added"),
    "skillful.criteria_set.create": _("Criteria set created"),
    "skillful.criteria_set.update": _("Criteria set changed"),
    "skillful.council.create": _("Council formed"),
    "skillful.council.update": _("Council changed"),
    "skillful.evaluation.open": _("Evaluation opened"),
    "skillful.evaluation.close": _("Evaluation closed"),
    "skillful.score.give": _("Score given"),
    "skillful.commendation.record": _("Commendation recorded"),
}
