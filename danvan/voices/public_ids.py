"""Open311 ids: the public name of a voice, which grants nothing.

The tracking code (``DV-…``) is a secret between the citizen and the system: whoever holds it can
follow, rate and file a second complaint on the voice. Open311 lists requests publicly, so it
names each voice by this other id instead: 16 hexadecimal digits (64 random bits), which no
tracking-code lookup accepts.
"""

from __future__ import annotations

import re
import secrets

PUBLIC_ID_LENGTH = 16
_PUBLIC_ID = re.compile(r"[0-9a-f]{16}")


def new_public_id() -> str:
    return secrets.token_hex(PUBLIC_ID_LENGTH // 2)


def normalize_public_id(raw: str) -> str | None:
    """The canonical (lower-case) form of a typed id, or None if it cannot be one."""
    text = raw.strip().lower()
    return text if _PUBLIC_ID.fullmatch(text) else None
