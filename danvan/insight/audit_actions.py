"""What the audit codes of issues and the topic model mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "insight.train": _("Topic model trained"),
    "issue.confirm": _("Issue grouping confirmed"),
    "issue.merge": _("Issues merged"),
    "issue.split": _("Voices split into a new issue"),
    "issue.move": _("Voice moved to another issue"),
    "issue.answer": _("Issue answered"),
    "issue.regroup": _("Issues of a commune regrouped"),
}
