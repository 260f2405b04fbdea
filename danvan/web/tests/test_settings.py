"""The settings module read afresh under a given environment (it is read once per process)."""

from __future__ import annotations

import runpy
from pathlib import Path
from typing import Any

import pytest

import danvan.settings

SETTINGS_FILE = Path(danvan.settings.__file__)


def settings_under(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, **env: str) -> dict[str, Any]:
    monkeypatch.setenv("DANVAN_DATA_DIR", str(tmp_path))
    for name in ("DATABASE_URL", "DB_CONN_MAX_AGE", "DEBUG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_postgresql_connections_are_kept_and_checked_before_reuse(monkeypatch, tmp_path):
    values = settings_under(
        monkeypatch,
        tmp_path,
        DATABASE_URL="postgres://danvan@db.example.org:5432/danvan",
        DB_CONN_MAX_AGE="120",
    )

    database = values["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["CONN_MAX_AGE"] == 120
    # A connection dropped by the server or a proxy is noticed and reopened, not a 500.
    assert database["CONN_HEALTH_CHECKS"] is True


def test_sqlite_opens_a_connection_per_request(monkeypatch, tmp_path):
    database = settings_under(monkeypatch, tmp_path)["DATABASES"]["default"]

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["CONN_MAX_AGE"] == 0
