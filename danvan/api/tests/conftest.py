"""Fixtures for the API tests: tokens made through the service, clients that send them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from danvan.accounts.models import User
from danvan.api.services import api_token_create
from danvan.audit.context import Actor


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    """The throttle counts in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anonymous() -> APIClient:
    return APIClient()


@pytest.fixture
def token_client(db: None) -> Callable[[User], APIClient]:
    """``token_client(user)``: a client that sends a fresh token of ``user``."""

    def make(user: User) -> APIClient:
        _token, key = api_token_create(actor=Actor.system("test"), user=user, name="tests")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        return client

    return make
