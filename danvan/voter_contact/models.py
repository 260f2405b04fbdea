"""Voter contact sessions (tiếp xúc cử tri) and the recommendations voters raised at them.

Each recommendation is a ``voices.Voice`` of kind "voter recommendation", received on the day of
the session, so it is handled, urged and reported like every other case; ``SessionRecommendation``
ties it to its session and records whether the answering body leads a joint answer (50 days
instead of 40, Decision 33/2017/QĐ-TTg Art. 12).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from danvan.lib.scoping import ScopedQuerySet


class VoterContactSessionQuerySet(ScopedQuerySet):
    scope_path_lookup = "unit__path"


class VoterContactSession(models.Model):
    """A meeting of deputies with voters (hội nghị tiếp xúc cử tri)."""

    title = models.CharField(_("title"), max_length=255)
    date = models.DateField(_("date"), db_index=True)
    place = models.CharField(_("place"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="voter_contact_sessions",
    )
    organizing_body = models.ForeignKey(
        "organizations.Body",
        verbose_name=_("organizing body"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    deputies = models.TextField(_("deputies"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = VoterContactSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("voter contact session")
        verbose_name_plural = _("voter contact sessions")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.title


class SessionRecommendationQuerySet(ScopedQuerySet):
    scope_path_lookup = "session__unit__path"


class SessionRecommendation(models.Model):
    session = models.ForeignKey(
        VoterContactSession,
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    voice = models.OneToOneField(
        "voices.Voice",
        verbose_name=_("voice"),
        on_delete=models.PROTECT,
        related_name="session_recommendation",
    )
    #: The answering body leads a joint answer: 50 days instead of 40.
    joint = models.BooleanField(_("lead agency of a joint answer"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionRecommendationQuerySet.as_manager()

    class Meta:
        verbose_name = _("session recommendation")
        verbose_name_plural = _("session recommendations")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.voice_id}"
