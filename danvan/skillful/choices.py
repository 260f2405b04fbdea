"""What a model of the movement is, as choices: its field, level, holder and status.

Apart from ``models.py`` (which re-exports them, so ``from danvan.skillful.models import Field``
still works) because the flags' sentences (``flag_reasons.py``) name a field and a status by their
labels, and ``models.py`` renders those sentences (``FormalismFlag.reason``): with the choices
here, neither of the two imports the other inside a function.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Field(models.TextChoices):
    """The four fields of the movement."""

    ECONOMY = "economy", _("Economy")
    CULTURE_SOCIETY = "culture_society", _("Culture and society")
    DEFENCE_SECURITY = "defence_security", _("National defence and security")
    PARTY_BUILDING = "party_building", _("Building the Party and the political system")


class Level(models.TextChoices):
    """The level at which a model is registered, evaluated and recognized."""

    VILLAGE = "village", _("Village")
    COMMUNE = "commune", _("Commune")
    PROVINCE = "province", _("Province")


class Holder(models.TextChoices):
    COLLECTIVE = "collective", _("Collective")
    INDIVIDUAL = "individual", _("Individual")


class ModelStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    UNDER_WAY = "under_way", _("Under way")
    PROPOSED = "proposed", _("Proposed for evaluation")
    EVALUATED = "evaluated", _("Evaluated")
    RECOGNIZED = "recognized", _("Recognized")
    NOT_RECOGNIZED = "not_recognized", _("Not recognized")
    HONORED = "honored", _("Honored")
