from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrganizationsConfig(AppConfig):
    name = "danvan.organizations"
    verbose_name = _("Bodies and memberships")

    def ready(self) -> None:
        # Imported here, not at the top: the panel reads models, which Django loads after the
        # apps' configs. The unit page (units, a lower layer) shows the panel registered here.
        from danvan.organizations.panels import unit_bodies_panel
        from danvan.units.panels import register_unit_panel

        register_unit_panel(unit_bodies_panel)
