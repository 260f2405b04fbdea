from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoicesConfig(AppConfig):
    name = "danvan.voices"
    verbose_name = _("People's voices")
