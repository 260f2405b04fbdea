"""The docs stay true: the commands they name exist, every app has its place and its README, and
CI's layer contracts are the target's (``layers.toml``, ``docs/layers.md``).

No database: these read files and Django's list of commands.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from django.core.management import get_commands

ROOT = Path(__file__).resolve().parents[3]
DOCS = sorted(
    [ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "danvan").glob("*/README.md")]
)
COMMAND = re.compile(r"manage\.py\s+([a-z][a-z0-9_]*)")


def _contracts(path: Path) -> list[dict[str, Any]]:
    return tomllib.loads(path.read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def _layer_names() -> set[str]:
    """The names in the layers of the target contract, as written (optional ones in parentheses)."""
    layers = next(c for c in _contracts(ROOT / "layers.toml") if c["type"] == "layers")["layers"]
    return {name.strip() for layer in layers for name in layer.split("|")}


def _layered_apps() -> set[str]:
    """The apps placed in a layer, those in parentheses (not there yet) apart."""
    return {name for name in _layer_names() if not name.startswith("(")}


def test_every_command_the_docs_name_exists() -> None:
    commands = set(get_commands())
    missing = [
        f"{path.relative_to(ROOT)}: manage.py {name}"
        for path in DOCS
        for name in COMMAND.findall(path.read_text(encoding="utf-8"))
        if name not in commands
    ]
    assert not missing


def test_the_docs_name_commands_at_all() -> None:
    # The pattern still finds what the docs write (a change of style would make the test above
    # pass on nothing).
    found = {name for path in DOCS for name in COMMAND.findall(path.read_text(encoding="utf-8"))}
    assert {"load_units", "migrate", "run_worker"} <= found


def test_every_app_is_in_a_layer() -> None:
    apps = {p.parent.name for p in (ROOT / "danvan").glob("*/apps.py")}
    placed = {name.strip("()") for name in _layer_names()}
    assert apps <= placed, f"not in layers.toml: {sorted(apps - placed)}"


def test_every_app_has_a_readme_and_a_line_in_the_app_map() -> None:
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    without_readme = sorted(
        app for app in _layered_apps() if not (ROOT / "danvan" / app / "README.md").exists()
    )
    unmapped = sorted(app for app in _layered_apps() if f"\n  {app}/" not in architecture)
    assert not without_readme
    assert not unmapped, "missing from the app map of docs/architecture.md"


def test_ci_checks_the_layer_contracts_with_no_exception() -> None:
    """CI runs ``layers.toml`` itself, and it lets no import through but the tests'."""
    assert "--no-cache layers.toml" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    for contract in _contracts(ROOT / "layers.toml"):
        assert contract.get("ignore_imports", []) == ["danvan.*.tests.** -> danvan.**"]
