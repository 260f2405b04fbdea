from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VoterContactConfig(AppConfig):
    name = "danvan.voter_contact"
    verbose_name = _("Voter contact sessions")
