"""What the audit codes of legal time limits and the working calendar mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "deadlines.calendar.set": _("Working calendar day set"),
    "deadlines.calendar.delete": _("Working calendar day removed"),
    "deadlines.rule.create": _("Time-limit rule created"),
    "deadlines.rule.update": _("Time-limit rule changed"),
    "deadlines.rule.delete": _("Time-limit rule deleted"),
    "deadlines.rule_set.create": _("Rule set created"),
    "deadlines.rule_set.update": _("Rule set changed"),
    "deadlines.rule_set.delete": _("Rule set deleted"),
}
