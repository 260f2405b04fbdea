"""``Idempotency-Key``: a retried write is done once and answered as the first time.

The rules are Stripe's (and the IETF draft "The Idempotency-Key HTTP Header Field"):

- a key belongs to its client: the API token, or for an anonymous caller an HMAC of its address
  (the same address as the audit log and the throttle, ``PROXY_COUNT``) with a secret derived from
  ``SECRET_KEY``. Another client's key is never seen, whatever it is;
- the key is kept whole (its SHA-256) with a hash of the request (method, path and the parsed
  body): the same key with the same request replays the stored answer; with another request it is
  refused with 422, never answered with the first request's result;
- only a request that succeeded is stored, in the same transaction as its write: a refused
  request (400, 403, 409...) leaves no record, and its retry is judged afresh. A concurrent retry
  waits for the first one's transaction (the unique index) and then replays it;
- a record expires after ``DANVAN_IDEMPOTENCY_HOURS`` (24); the key may then be used again.
  ``manage.py purge_idempotency_keys`` deletes the expired records.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.request import Request

from danvan.api.models import ApiToken, IdempotencyRecord
from danvan.audit.context import client_ip

HEADER = "Idempotency-Key"
#: The longest key accepted (Stripe's limit); a longer one is refused, never cut short.
MAX_KEY_LENGTH = 255
#: The default of ``DANVAN_IDEMPOTENCY_HOURS``.
HOURS = 24

OPENAPI_HEADER = OpenApiParameter(
    HEADER,
    str,
    OpenApiParameter.HEADER,
    description=(
        "Up to 255 characters, unique per request (a UUID). Keys belong to their client (the "
        "token, or the address of an anonymous caller) and are kept 24 hours. The same key with "
        "the same request replays the first answer (header `Idempotent-Replayed: true`); the same "
        "key with a different request gets 422. A refused request is not kept."
    ),
)


class IdempotencyKeyInvalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = _("The Idempotency-Key header is longer than 255 characters.")
    default_code = "idempotency_key_invalid"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _(
        "This Idempotency-Key was already used for a different request. Use a new key for each "
        "new request."
    )
    default_code = "idempotency_key_reused"


@dataclass(frozen=True)
class Answer:
    data: Any
    status: int
    replayed: bool = False


def lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=int(getattr(settings, "DANVAN_IDEMPOTENCY_HOURS", HOURS)))


def key_of(request: Request) -> str | None:
    """The request's key, whole; None without one. Longer than ``MAX_KEY_LENGTH``: 400."""
    key = request.headers.get(HEADER, "").strip()
    if len(key) > MAX_KEY_LENGTH:
        raise IdempotencyKeyInvalid()
    return key or None


def client_scope(request: Request) -> str:
    """Whose keys these are: the token's, or an opaque value of the anonymous caller's address."""
    if isinstance(request.auth, ApiToken):
        return f"token:{request.auth.pk}"
    address = client_ip(request._request) or "unknown"
    return "anon:" + salted_hmac("danvan.api.idempotency", address, algorithm="sha256").hexdigest()


def request_hash(request: Request) -> str:
    """The same for the same method, path and parameters, whatever their order or encoding."""
    data = request.data
    if isinstance(data, QueryDict):
        data = {k: v[0] if len(v) == 1 else v for k, v in data.lists()}
    body = json.dumps(
        [request.method, request.path, data], sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(body.encode()).hexdigest()


def idempotent(request: Request, run: Callable[[], Answer]) -> Answer:
    """``run()`` once per key of this client, or the answer it gave the first time."""
    key = key_of(request)
    if key is None:
        return run()
    scope = client_scope(request)
    key_hash = hashlib.sha256(key.encode()).hexdigest()
    fingerprint = request_hash(request)
    for _attempt in range(3):
        now = timezone.now()
        earlier = IdempotencyRecord.objects.filter(scope=scope, key_hash=key_hash).first()
        if earlier is not None and earlier.expires_at <= now:
            earlier.delete()  # forgotten: the key starts afresh
            earlier = None
        if earlier is not None:
            if earlier.request_hash != fingerprint:
                raise IdempotencyKeyReused()
            return Answer(earlier.response, earlier.status, replayed=True)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotencyRecord.objects.create(
                        scope=scope,
                        key_hash=key_hash,
                        request_hash=fingerprint,
                        status=0,
                        response={},
                        expires_at=now + lifetime(),
                    )
            except IntegrityError:
                # A concurrent request with this key was first (the insert waited for its
                # transaction): read its answer on the next turn.
                continue
            answer = run()
            record.status = answer.status
            record.response = answer.data
            record.save(update_fields=["status", "response"])
            return answer
    raise exceptions.APIException()  # three races in a row: not seen in practice


def purge_expired(now: datetime.datetime | None = None) -> int:
    """Delete the expired records; returns how many."""
    deleted, _by_model = IdempotencyRecord.objects.filter(
        expires_at__lte=now or timezone.now()
    ).delete()
    return deleted
