"""A command run before `annulus migrate` says so in one line and exits 2, without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


@pytest.mark.parametrize("command", [["instruments"], ["audit", "verify"], ["seed_demo"]])
def test_a_command_on_an_unmigrated_database_says_run_migrate(tmp_path, command):
    env = {
        **os.environ,
        "ANNULUS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-m", "annulus.cli", *command],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "annulus: the database has no tables yet: run `annulus migrate`"
    assert "Traceback" not in done.stdout + done.stderr


def test_other_database_errors_are_not_mistaken_for_missing_tables():
    from django.db.utils import OperationalError

    from annulus.cli import missing_tables

    assert missing_tables(OperationalError("database is locked")) is None
