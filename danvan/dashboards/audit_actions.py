"""What the audit codes of the dashboards mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "dashboard.export": _("Dashboard figures downloaded"),
}
