"""Settings from the environment, and the refusal to run production on a development key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from danvan.lib.env import envbool, envint, envlist, envstr

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("", False),
    ],
)
def test_envbool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("DANVAN_TEST_FLAG", raw)

    assert envbool("DANVAN_TEST_FLAG", not expected) is expected


def test_envbool_uses_the_default_when_unset(monkeypatch):
    monkeypatch.delenv("DANVAN_TEST_FLAG", raising=False)

    assert envbool("DANVAN_TEST_FLAG", True) is True


def test_envbool_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("DANVAN_TEST_FLAG", "maybe")

    with pytest.raises(ImproperlyConfigured, match="DANVAN_TEST_FLAG"):
        envbool("DANVAN_TEST_FLAG", False)


def test_envint_reads_numbers_and_refuses_words(monkeypatch):
    monkeypatch.setenv("DANVAN_TEST_INT", "42")
    assert envint("DANVAN_TEST_INT", 1) == 42

    monkeypatch.setenv("DANVAN_TEST_INT", "")
    assert envint("DANVAN_TEST_INT", 1) == 1

    monkeypatch.setenv("DANVAN_TEST_INT", "forty")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        envint("DANVAN_TEST_INT", 1)


def test_envlist_splits_on_commas_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("DANVAN_TEST_LIST", " a.example, ,b.example ")

    assert envlist("DANVAN_TEST_LIST") == ["a.example", "b.example"]
    assert envlist("DANVAN_TEST_UNSET", ["x"]) == ["x"]


def test_a_value_may_come_from_a_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from-the-file\n", encoding="utf-8")
    monkeypatch.setenv("DANVAN_TEST_SECRET", "from-the-variable")
    monkeypatch.setenv("DANVAN_TEST_SECRET_FILE", str(secret))

    assert envstr("DANVAN_TEST_SECRET") == "from-the-file"


#: A fixed, valid Fernet key for the tests (never used outside them).
FERNET_KEY = "x4pDhY3cXlG0mM9w6cW8mXkO0m0vRzq3f9p1q2r3s4E="


def import_settings(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(
            ("SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DJANGO_", "DATABASE_URL", "FIELD_ENCRYPTION")
        )
    }
    clean.update({"DANVAN_DATA_DIR": str(tmp_path), **env})
    return subprocess.run(
        [sys.executable, "-c", "import danvan.settings"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = import_settings(tmp_path, DEBUG="false", ALLOWED_HOSTS="danvan.example")

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key(tmp_path):
    result = import_settings(
        tmp_path, DEBUG="false", SECRET_KEY="short", ALLOWED_HOSTS="danvan.example"
    )

    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    result = import_settings(tmp_path, DEBUG="false", SECRET_KEY="k" * 50)

    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_starts_with_a_real_secret_key_from_a_file(tmp_path):
    key_file = tmp_path / "secret_key"
    key_file.write_text("s" * 50, encoding="utf-8")

    result = import_settings(
        tmp_path,
        DEBUG="false",
        SECRET_KEY_FILE=str(key_file),
        ALLOWED_HOSTS="danvan.example",
        FIELD_ENCRYPTION_KEYS=FERNET_KEY,
    )

    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_encryption_keys(tmp_path):
    result = import_settings(
        tmp_path, DEBUG="false", SECRET_KEY="k" * 50, ALLOWED_HOSTS="danvan.example"
    )

    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS" in result.stderr


def test_development_starts_with_no_variables_at_all(tmp_path):
    result = import_settings(tmp_path)

    assert result.returncode == 0, result.stderr
