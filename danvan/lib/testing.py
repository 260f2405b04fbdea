"""Helpers shared by the test suites of several apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError


def refused(call: Callable[[], Any], saying: str | None = None) -> list[str]:
    """Run ``call``, which must raise ValidationError, and return its messages; with ``saying``,
    one of the messages must contain it."""
    with pytest.raises(ValidationError) as caught:
        call()
    messages = caught.value.messages
    if saying is not None:
        assert any(saying in m for m in messages), messages
    return messages
