"""Helpers shared by the test suites of several apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError


def refused(call: Callable[[], Any]) -> list[str]:
    """Run ``call``, which must raise ValidationError, and return its messages."""
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.messages
