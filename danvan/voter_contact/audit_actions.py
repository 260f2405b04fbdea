"""What the audit codes of voter contact mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "voter_contact.report_export": _("Voter contact report downloaded"),
    "voter_contact.session_create": _("Voter contact session recorded"),
    "voter_contact.recommendation_add": _("Voter recommendation recorded"),
}
