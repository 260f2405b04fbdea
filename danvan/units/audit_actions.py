"""What the audit codes of administrative units mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "unit.create": _("Unit created"),
    "unit.create_historic": _("Former unit recorded"),
    "unit.import": _("Villages imported"),
    "unit.set_remote": _("Remote-area status changed"),
    "unit.succession": _("Unit merger recorded"),
    "units.load_national": _("National list of units loaded"),
}
