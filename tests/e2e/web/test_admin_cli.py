"""The admin app's commands: `consentry users create|list|disable`, `consentry serve` creating
and printing the first admin once, and `consentry demo` (real CLI, SQLite and PostgreSQL)."""

import os
import signal
import subprocess
import time
from pathlib import Path

from tests.e2e.helpers import CONSENTRY, Cli, cli_env, ok, one_line, table
from tests.e2e.server import free_port


def test_users_create_list_and_disable(consentry: Cli, database_url: str, tmp_path: Path) -> None:
    created = subprocess.run(
        [CONSENTRY, "users", "create", "Ann@Example.com", "--role", "admin", "--password-stdin"],
        input="a long enough password\n",
        env=cli_env(database_url),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok(created).strip() == "Created admin ann@example.com."
    assert "a long enough password" not in created.stdout + created.stderr
    empty = consentry("users", "create", "m@x.com", "--role", "marketer", "--password-stdin")
    assert empty.returncode == 2
    assert "A password needs at least 10 characters." in empty.stderr
    rows = table(ok(consentry("users", "list")))
    assert [(r["email"], r["role"], r["state"]) for r in rows] == [
        ("ann@example.com", "admin", "active")
    ]


def test_bad_user_input_exits_2_naming_the_problem(consentry: Cli, tmp_path: Path) -> None:
    bad_role = consentry("users", "create", "x@x.com", "--role", "owner", "--password-stdin")
    assert bad_role.returncode == 2
    assert "Unknown role 'owner'; use one of admin, marketer, viewer." in one_line(bad_role.stderr)
    missing = consentry("users", "disable", "nobody@x.com")
    assert missing.returncode == 2
    assert "No user 'nobody@x.com'." in missing.stderr


def test_serve_creates_the_first_admin_once_and_prints_it_once(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    first = _serve_output(database_url, tmp_path)
    assert "First admin created" in first
    assert "email:    admin@example.com" in first
    password = first.split("password: ", 1)[1].split()[0]
    assert len(password) >= 10
    again = _serve_output(database_url, tmp_path)
    assert "First admin created" not in again and password not in again
    rows = table(ok(consentry("users", "list")))
    assert [(r["email"], r["role"]) for r in rows] == [("admin@example.com", "admin")]


def _serve_output(database_url: str, tmp_path: Path) -> str:
    """Start `consentry serve`, wait until it listens, stop it; its output."""
    log = tmp_path / f"serve-{time.monotonic_ns()}.log"
    port = free_port()
    with log.open("w") as out:
        server = subprocess.Popen(
            [CONSENTRY, "serve", "--port", str(port)],
            env={**cli_env(database_url), "CONSENTRY_IN_PROCESS_WORKER": "false"},
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while "Admin: http://" not in log.read_text():
                assert server.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        finally:
            os.kill(server.pid, signal.SIGTERM)
            server.wait(timeout=20)
    return log.read_text()


def test_demo_loads_into_an_empty_database_once(consentry: Cli) -> None:
    loaded = ok(consentry("demo", "--contacts", "200"))
    assert "Demo loaded in" in loaded and "200 contacts" in loaded
    again = consentry("demo", "--contacts", "200")
    assert again.returncode == 2
    assert "already has contacts" in one_line(again.stderr)
