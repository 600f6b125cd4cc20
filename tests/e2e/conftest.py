"""End-to-end fixtures: the real `consentry` command, run as a subprocess on a test database.

Every test here takes the `database_url` fixture of tests/conftest.py, so it runs once on SQLite
and once on PostgreSQL.
"""

import subprocess
from pathlib import Path

import pytest

from tests.e2e.helpers import Cli, run_consentry


@pytest.fixture
def cli(database_url: str, tmp_path: Path) -> Cli:
    """Run `consentry ARGS...` against the test database; returns the finished process."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_consentry(database_url, tmp_path, *args)

    return run


@pytest.fixture
def consentry(cli: Cli) -> Cli:
    """Like `cli`, on a database migrated by `consentry db upgrade` first."""
    upgrade = cli("db", "upgrade")
    assert upgrade.returncode == 0, upgrade.stderr
    return cli
