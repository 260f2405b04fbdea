"""What the audit codes of logins mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "auth.login": _("Logged in"),
    "auth.login_failed": _("Failed login"),
}
