"""What the audit codes of reports mean (read by ``danvan.audit.actions``)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "report.generate": _("Report drafted"),
    "report.edit": _("Report edited"),
    "report.submit": _("Report submitted"),
    "report.return": _("Report returned"),
    "report.approve": _("Report approved"),
    "report.issue": _("Report issued"),
    "report.download": _("Report downloaded"),
    "report.statistics_export": _("Statistics workbook downloaded"),
}
