from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SkillfulConfig(AppConfig):
    name = "danvan.skillful"
    verbose_name = _("Skillful Mass Mobilization models")
