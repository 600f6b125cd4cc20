"""End-to-end fixtures: the real `consentry` command, run as a subprocess on a test database.

Every test here takes the `database_url` fixture of tests/conftest.py, so it runs once on SQLite
and once on PostgreSQL.
"""

import subprocess
from pathlib import Path

import pytest

from tests.e2e.helpers import CONSENTRY, Cli, cli_env


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    """Run `consentry ARGS...` against the test database; returns the finished process."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CONSENTRY, *args],
            env=cli_env(database_url),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
        )

    return run


@pytest.fixture
def consentry(cli: Cli) -> Cli:
    """Like `cli`, on a database migrated by `consentry db upgrade` first."""
    upgrade = cli("db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    return cli
