"""API tokens for officers' programs (the citizen app needs none).

Only the SHA-256 of a key is stored: the key itself is shown once, when it is made, and cannot
be read back from the database or a backup.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A key with which a program acts as its officer, with the officer's scope and no more."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    #: The first characters of the key, so that an officer can tell their tokens apart.
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class IdempotencyRecord(models.Model):
    """The answer given to one ``Idempotency-Key`` of one client, kept so that a retry gets it again.

    As payment APIs do it: a key belongs to its client (``scope``: the API token, or for anonymous
    callers an HMAC of their address that cannot be read back), is stored whole (its SHA-256, so a
    key of any length fits and two keys with a common beginning stay two), and is bound to the
    request it first came with (``request_hash``): the same key with another request is refused,
    never answered with the first request's result. A record expires (``expires_at``, 24 hours by
    default): ``manage.py purge_idempotency_keys`` deletes the expired ones, and an expired key
    is forgotten when it is sent again.
    """

    scope = models.CharField(max_length=80, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    request_hash = models.CharField(max_length=64, editable=False)
    status = models.PositiveSmallIntegerField(editable=False)
    response = models.JSONField(encoder=DjangoJSONEncoder, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key_hash"], name="idempotency_key_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key_hash[:8]}…"
