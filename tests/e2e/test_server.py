"""`consentry serve`: the real HTTP server, started as a subprocess on SQLite and on PostgreSQL."""

import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import make_url

from consentry.storage import migrate
from tests.e2e.helpers import CONSENTRY, Cli, cli_env, ok, one_line, run_consentry

STARTUP_TIMEOUT_S = 30


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until_answering(base_url: str, server: subprocess.Popen[str], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server exited with {server.returncode}:\n{log.read_text()}")
        try:
            httpx.get(f"{base_url}/healthz", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"the server did not answer within {STARTUP_TIMEOUT_S} s:\n{log.read_text()}")


def _stop(server: subprocess.Popen[str]) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


@contextmanager
def running_server(database_url: str, workdir: Path) -> Iterator[str]:
    """`consentry serve` on a free port until it answers; yields its base URL, then stops it."""
    port = _free_port()
    log = workdir / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [CONSENTRY, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=cli_env(database_url),
            cwd=workdir,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_answering(base_url, process, log)
        yield base_url
    finally:
        _stop(process)


@pytest.fixture
def server(consentry: Cli, database_url: str, tmp_path: Path) -> Iterator[str]:
    """The server on a migrated database."""
    with running_server(database_url, tmp_path) as base_url:
        yield base_url


def test_healthz_reports_the_database_and_its_schema(server: str, database_url: str) -> None:
    response = httpx.get(f"{server}/healthz", timeout=10)

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": make_url(database_url).get_backend_name(),
        "schema": migrate.head_revision(),
    }


def test_the_openapi_document_is_served(server: str) -> None:
    response = httpx.get(f"{server}/openapi.json", timeout=10)

    assert response.status_code == 200
    document = response.json()
    assert document["info"]["title"] == "Consentry"
    assert "/healthz" in document["paths"]


def test_serve_refuses_an_unmigrated_database_saying_how_to_upgrade(cli: Cli) -> None:
    started = time.monotonic()

    result = cli("serve", "--host", "127.0.0.1", "--port", str(_free_port()))

    assert result.returncode != 0
    assert time.monotonic() - started < 30
    assert "consentry db upgrade" in one_line(result.stderr)


def test_serve_starts_after_db_upgrade(cli: Cli, database_url: str, tmp_path: Path) -> None:
    """The message's advice works: upgrade, then the same command serves."""
    assert cli("serve", "--port", str(_free_port())).returncode != 0
    ok(cli("db", "upgrade"))

    with running_server(database_url, tmp_path) as base_url:
        assert httpx.get(f"{base_url}/healthz", timeout=10).status_code == 200


def test_serve_does_not_print_the_database_password(database_url: str, tmp_path: Path) -> None:
    url = make_url(database_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip("only a server database has a password")
    with_password = url.set(password="e2e-secret-password").render_as_string(hide_password=False)
    ok(run_consentry(with_password, tmp_path, "db", "upgrade"))

    with running_server(with_password, tmp_path) as base_url:
        assert httpx.get(f"{base_url}/healthz", timeout=10).status_code == 200

    assert "e2e-secret-password" not in (tmp_path / "server.log").read_text()
