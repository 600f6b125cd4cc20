"""Helpers for the end-to-end tests: run the real `consentry` command, read its tables, and look
at (or tamper with) the database by hand."""

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from consentry.storage.engine import make_engine

CONSENTRY = str(Path(sys.executable).with_name("consentry"))

Cli = Callable[..., subprocess.CompletedProcess[str]]


def cli_env(database_url: str) -> dict[str, str]:
    """The caller's environment, pointed at the test database (and free of stray settings)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENTRY_")}
    env["CONSENTRY_DATABASE_URL"] = database_url
    return env


def run_consentry(database_url: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `consentry ARGS...` on the given database, as a user at a shell would."""
    return subprocess.run(
        [CONSENTRY, *args],
        env=cli_env(database_url),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    """The output of a command that must have succeeded."""
    assert result.returncode == 0, (
        f"{result.args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
    )
    return result.stdout


def one_line(output: str) -> str:
    """Output with line wrapping undone, for messages Rich may wrap."""
    return " ".join(output.split())


def table(output: str) -> list[dict[str, str]]:
    """The rows of the Rich table in `output`, keyed by column header.

    A cell Rich wrapped onto continuation lines (whose first cell is empty) is joined back up.
    """
    headers: list[str] = []
    rows: list[list[str]] = []
    for line in output.splitlines():
        line = line.strip()
        if line.startswith("┃") and not headers:
            headers = [cell.strip() for cell in line.strip("┃").split("┃")]
        elif line.startswith("│"):
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            if rows and not cells[0]:
                rows[-1] = [f"{a} {b}".strip() for a, b in zip(rows[-1], cells, strict=True)]
            else:
                rows.append(cells)
    return [dict(zip(headers, row, strict=True)) for row in rows]


def type_ids(consentry: Cli) -> dict[str, int]:
    """Subscription type ids by name, as `consentry types list --json` reports them."""
    types: list[dict[str, Any]] = json.loads(ok(consentry("types", "list", "--json")))
    return {t["name"]: t["id"] for t in types}


def query(database_url: str, sql: str) -> list[Any]:
    """Rows of one SQL query on the test database."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(text(sql)))
    finally:
        engine.dispose()


def execute(database_url: str, sql: str) -> None:
    """Run one SQL statement by hand and commit it, as someone with database access might."""
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(text(sql))
    finally:
        engine.dispose()


def count(database_url: str, table_name: str) -> int:
    value: int = query(database_url, f"SELECT COUNT(*) FROM {table_name}")[0][0]
    return value
