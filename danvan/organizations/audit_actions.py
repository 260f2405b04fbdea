"""What the audit codes of bodies and memberships mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "body.create": _("Body created"),
    "membership.add": _("Member added to a body"),
    "membership.end": _("Membership ended"),
}
