from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DecisionsConfig(AppConfig):
    name = "danvan.decisions"
    verbose_name = _("Decisions and conclusions")

    def ready(self) -> None:
        # The case page (voices, a lower layer) shows the panel this app registers.
        from danvan.decisions.panel import case_panel
        from danvan.voices.panels import register_case_panel

        register_case_panel(case_panel)
