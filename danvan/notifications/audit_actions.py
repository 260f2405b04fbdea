"""What the audit codes of notifications mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "notification.send": _("Notification sent"),
}
