"""What makes a spreadsheet row the same voice as one imported earlier.

An HMAC-SHA256, with a secret derived from ``SECRET_KEY``, of the import's scope (``import``, or a
voter contact session's), kind, unit code, topic, folded text and date of receipt. Never of the
sender: it used to be part of a plain hash that doubled as a public idempotency key, so whoever
guessed who had denounced whom could ask the API. Without the server's secret, a fingerprint
cannot be computed nor checked from outside. A changed ``SECRET_KEY`` changes every fingerprint:
rows imported before it are then not recognised as duplicates.
"""

from __future__ import annotations

import datetime

from django.utils.crypto import salted_hmac

_SALT = "danvan.voices.import_fingerprint"


def import_fingerprint(
    *,
    scope: str,
    kind: str,
    unit_code: str,
    topic: str,
    folded_text: str,
    received_on: datetime.date | None,
) -> str:
    """``topic``: the topic's id, or for a topic not found ``?`` and the folded name typed;
    ``folded_text``: ``danvan.lib.text.fold`` of the content."""
    message = "\x1f".join(
        [
            scope,
            kind,
            unit_code,
            topic,
            folded_text,
            received_on.isoformat() if received_on else "",
        ]
    )
    return salted_hmac(_SALT, message, algorithm="sha256").hexdigest()
