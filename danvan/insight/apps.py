from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightConfig(AppConfig):
    name = "danvan.insight"
    verbose_name = _("Insight: issues and topics")
