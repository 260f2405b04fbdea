#!/usr/bin/env python3
"""Quick start for Dân Vận, with nothing but Python 3.11.

    python3 dev.py demo    # set up, build the demo province, serve it on http://127.0.0.1:8000/
                           # (with the background worker(s), manage.py run_worker, beside it)
    python3 dev.py test    # set up, run the test suite (extra arguments go to pytest)
    python3 dev.py setup   # only create .venv and install the project (used by .ci/run)

Settings come from the environment unchanged (DATABASE_URL, ...; see .env.example).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
STAMP = VENV / ".danvan-installed"  # hash of pyproject.toml at the last successful install
URL = "http://127.0.0.1:8000/"


def say(message: str) -> None:
    print(f"\n==> {message}", flush=True)


def run(python: str, *args: str) -> int:
    return subprocess.call([python, *args], cwd=ROOT)  # noqa: S603 - a Python we chose


def must(python: str, *args: str) -> None:
    code = run(python, *args)
    if code != 0:
        sys.exit(f"\nFailed (exit code {code}): {' '.join(args)}")


def base_python() -> str:
    """The interpreter to build .venv with: this one if it is 3.11, else python3.11 on PATH."""
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    other = shutil.which("python3.11")
    if other:
        return other
    sys.exit(
        f"Dân Vận needs Python 3.11; this is {sys.version.split()[0]} and no python3.11 found."
    )


def ensure_python() -> str:
    """Create .venv if missing and return its python (or this one when venv is unavailable)."""
    if VENV_PYTHON.exists():
        return str(VENV_PYTHON)
    if importlib.util.find_spec("venv") and importlib.util.find_spec("ensurepip"):
        say("Creating the virtual environment in .venv")
        if run(base_python(), "-m", "venv", str(VENV)) == 0:
            return str(VENV_PYTHON)
        shutil.rmtree(VENV, ignore_errors=True)
    print(
        "\nCannot create .venv: the Python 'venv' module is missing or broken (on Debian and "
        "Ubuntu: apt-get install python3-venv).\nFalling back to this interpreter and its pip: "
        + sys.executable,
        flush=True,
    )
    return sys.executable


def ensure_installed(python: str) -> None:
    """pip install -e ".[dev]", skipped while pyproject.toml is unchanged since the last one."""
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    in_venv = python == str(VENV_PYTHON)
    if in_venv and STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    say('Installing Dân Vận and its development tools (pip install -e ".[dev]")')
    must(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[dev]")
    if in_venv:
        STAMP.write_text(digest + "\n")


def setup() -> str:
    python = ensure_python()
    ensure_installed(python)
    return python


def demo(python: str) -> int:
    say("Applying database migrations")
    must(python, "manage.py", "migrate", "--no-input", "--verbosity", "0")
    say("Loading the 34 provinces and 3,321 communes")
    must(python, "manage.py", "load_units")
    say("Building the demo province (Nghệ An)")
    must(python, "manage.py", "seed_demo")
    shown = os.path.relpath(python, ROOT) if python == str(VENV_PYTHON) else python
    print(f"  To set a new password: {shown} manage.py changepassword <username>")
    workers = start_workers(python)
    say(f"Serving Dân Vận on {URL}  (log in at {URL}accounts/login/, stop with Ctrl+C)")
    try:
        return run(python, "manage.py", "runserver", "127.0.0.1:8000")
    except KeyboardInterrupt:
        return 0
    finally:
        for worker in workers:
            stop_worker(worker)


def start_workers(python: str) -> list[subprocess.Popen[bytes]]:
    """The workers that run background tasks, unless tasks run in-process.

    On PostgreSQL two, as in production: one for the people's queue (imports, exports), so an
    upload never waits behind analysis, and one for the batch work. On SQLite one for every
    queue, taking the people's tasks first (their priority is higher): SQLite has a single
    writer, so a second worker would mostly wait for the first one's locks.
    """
    if os.environ.get("DANVAN_TASKS_BACKEND", "database").strip() != "database":
        return []
    postgres = os.environ.get("DATABASE_URL", "").startswith(("postgres:", "postgresql:"))
    queues = ["people", "batch,default"] if postgres else ["people,batch,default"]
    workers = []
    for queue in queues:
        say(f"Starting a background worker (manage.py run_worker --queue-name {queue})")
        workers.append(
            subprocess.Popen(  # noqa: S603 - our own manage.py
                [python, "manage.py", "run_worker", "--queue-name", queue], cwd=ROOT
            )
        )
    return workers


def stop_worker(worker: subprocess.Popen[bytes] | None) -> None:
    if worker is None or worker.poll() is not None:
        return
    worker.terminate()
    try:
        worker.wait(timeout=15)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()


def test(python: str, args: list[str]) -> int:
    say(" ".join(["Running the tests: python -m pytest", *args]))
    code = run(python, "-m", "pytest", *args)
    if code == 5:  # pytest's "no tests collected": a suite that runs nothing has not passed
        print("\nNo tests were collected: treating that as a failure.", flush=True)
    return code


def main(argv: list[str]) -> int:
    command, rest = (argv[0], argv[1:]) if argv else ("", [])
    if command not in {"demo", "test", "setup"} or (rest and command != "test"):
        print(__doc__, file=sys.stderr)
        return 2
    python = setup()
    if command == "demo":
        return demo(python)
    if command == "test":
        return test(python, rest)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
