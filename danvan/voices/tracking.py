"""Public tracking codes: short enough to read over the phone, impossible to guess.

``DV-XXXXX-XXXXX-C``: 10 random Crockford base-32 characters (50 bits) and a check character, so
a mistyped code is told apart from a code that does not exist without touching the database.
50 bits keep collisions rare at millions of voices (about 4 in 10,000 over a million); the
submit service retries the rare one.

The check character is Crockford's: the body's value modulo 37 (a prime, so any one wrong
character and any two neighbours swapped change it), written with the 32 digits and letters and
``*~$=U``. The four symbols cannot be read over the phone, so a new code is never given one: a
body whose check would be a symbol is drawn again (5 bodies in 37 with ``U``, 4 in 37 without:
49.8 random bits instead of 50). Codes given earlier with a symbol still read back.
"""

from __future__ import annotations

import secrets

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
_CHECK = _ALPHABET + "*~$=U"  # 37 symbols for mod-37 check
#: The check characters a new code may end with: letters and digits only.
SPOKEN_CHECKS = frozenset(_ALPHABET + "U")
_LENGTH = 10


def _check_char(body: str) -> str:
    total = 0
    for char in body:
        total = total * 32 + _ALPHABET.index(char)
    return _CHECK[total % 37]


def new_tracking_code() -> str:
    """A fresh code: 50 random bits from one call to the random source (ten calls, one a
    character, took a third of the time of a large import), never with a symbol as its check."""
    while True:
        bits = secrets.randbits(5 * _LENGTH)
        body = "".join(_ALPHABET[(bits >> shift) & 31] for shift in range(5 * _LENGTH - 5, -5, -5))
        code = tracking_code_of(body)
        if code is not None:
            return code


def tracking_code_of(body: str) -> str | None:
    """The code of a random ``body`` of 10 characters, or None when its check character would be
    a symbol (the caller draws another body)."""
    check = _check_char(body)
    return _format(body, check) if check in SPOKEN_CHECKS else None


def _format(body: str, check: str) -> str:
    return f"DV-{body[:5]}-{body[5:]}-{check}"


def normalize_tracking_code(raw: str) -> str | None:
    """The canonical form of a typed code, or None if it cannot be a real code.

    Lower case, spaces, missing dashes and the look-alikes O→0, I/L→1 are accepted.
    """
    text = raw.strip().upper().replace(" ", "").replace("-", "")
    text = text.translate(str.maketrans("OIL", "011"))
    if text.startswith("DV"):
        text = text[2:]
    if len(text) != _LENGTH + 1:
        return None
    body, check = text[:_LENGTH], text[_LENGTH]
    if any(c not in _ALPHABET for c in body) or _check_char(body) != check:
        return None
    return _format(body, check)
