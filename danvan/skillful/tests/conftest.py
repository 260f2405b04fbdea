"""Fixtures of the models tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


@pytest.fixture
def login(login: Callable[[Any], Client], settings: Any) -> Callable[[Any], Client]:
    """The project's ``login(user)``, with the language switcher set to English, so that the
    pages' messages can be read in assertions (the browser's Accept-Language is ignored)."""

    def log_in(user: Any) -> Client:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return log_in
