"""Settings of the voices app, each read when it is needed so that tests can override them.

None of them has to be set: the defaults suit a provincial deployment.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"5/h"`` → (5, 3600): how many requests in how many seconds."""
    try:
        count, period = rate.replace(" ", "").split("/")
        return int(count), _PERIODS[period[:1].lower()]
    except (ValueError, KeyError) as exc:
        raise ImproperlyConfigured(
            f"Rate {rate!r}: write it as a number, a slash and s, m, h or d, e.g. '5/h'."
        ) from exc


def submit_rate() -> str:
    """Citizen submissions accepted from one client address (``DANVAN_SUBMIT_RATE``)."""
    return str(getattr(settings, "DANVAN_SUBMIT_RATE", "5/h"))


def lookup_rate() -> str:
    """Tracking-code lookups from one client address (``DANVAN_LOOKUP_RATE``), so that codes
    cannot be found by trying many."""
    return str(getattr(settings, "DANVAN_LOOKUP_RATE", "30/h"))


def attachment_max_bytes() -> int:
    """The largest attachment a citizen may send (``DANVAN_ATTACHMENT_MAX_BYTES``)."""
    return int(getattr(settings, "DANVAN_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024))


def attachment_max_count() -> int:
    """How many attachments one submission may carry (``DANVAN_ATTACHMENT_MAX_COUNT``)."""
    return int(getattr(settings, "DANVAN_ATTACHMENT_MAX_COUNT", 3))
