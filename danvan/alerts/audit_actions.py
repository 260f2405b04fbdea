"""What the audit codes of hot-spot alerts mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "alert.raise": _("Alert raised"),
    "alert.level_raise": _("Alert level raised"),
    "alert.acknowledge": _("Alert acknowledged"),
    "alert.close": _("Alert closed"),
    "alert.export": _("Alerts exported"),
}
