"""Writes to API tokens: making one (the key is returned once) and revoking it."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from danvan.accounts.models import User
from danvan.api.models import ApiToken, hash_key
from danvan.audit.context import Actor
from danvan.audit.services import audit_record


@transaction.atomic
def api_token_create(*, actor: Actor, user: User, name: str) -> tuple[ApiToken, str]:
    """Make a token for ``user``; returns it with the key, which is never stored nor shown again."""
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the token a name that says what it is for."))
    if not user.is_active:
        raise ValidationError(_("This account is not active."))
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:100], key_hash=hash_key(key), prefix=key[:8]
    )
    audit_record(actor=actor, action="api_token.create", obj=token, changes={"name": token.name})
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoke", obj=locked, changes={})
    return locked
