"""An operator's first contact: the command list works before anything is configured."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _flask(*args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in {"FLASK_DEBUG", "DATABASE_URL", "SECRET_KEY", "REDIS_URL", "PIN_KEY",
                        "AUDIT_KEY", "AUDIT_KEY_FILE"}}
    return subprocess.run(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "flask", "--app", "conflict_app", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def test_help_lists_every_command_without_configuration():
    result = _flask("--help")
    assert result.returncode == 0, result.stderr
    for command in ("seed-demo", "load-geography", "import-bundle", "export-bundle", "jobs",
                    "sms", "privacy", "schemes", "backup", "translate", "db", "analytics",
                    "interop", "fieldforms"):
        assert f"  {command} " in result.stdout, command
    jobs = _flask("jobs", "--help")
    assert "worker" in jobs.stdout and "scheduler" in jobs.stdout
    fieldforms = _flask("fieldforms", "--help")
    assert "sync" in fieldforms.stdout and "sources" in fieldforms.stdout


def test_a_command_that_needs_the_database_says_what_is_missing():
    result = _flask("sms", "dispatch")
    assert result.returncode != 0
    assert "DATABASE_URL, SECRET_KEY, PIN_KEY and AUDIT_KEY must be set" in result.stderr
    assert "Traceback" not in result.stderr
