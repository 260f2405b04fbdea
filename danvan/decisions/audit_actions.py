"""What the audit codes of decisions and conclusions mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "decision.draft": _("Decision drafted"),
    "decision.edit": _("Decision edited"),
    "decision.submit": _("Decision submitted to the head"),
    "decision.return": _("Decision returned for changes"),
    "decision.issue": _("Decision approved and issued"),
    "decision.download": _("Decision downloaded"),
    "decision.email": _("Decision emailed to the complainant"),
}
