"""API tests: a real server on a real socket, on a freshly migrated database (SQLite and
PostgreSQL), with tokens made through the same service the CLI uses."""

import socket
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import uvicorn
from sqlalchemy import Engine

from consentry.app import create_app
from consentry.config import Config
from consentry.services import tokens

ALL_SCOPES = [
    "communication_preferences.read_write",
    "communication_preferences.statuses.batch.read",
    "communication_preferences.statuses.batch.write",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "consentry.admin",
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def base_url(engine: Engine, database_url: str) -> Iterator[str]:
    """The URL of a running server on the test's database."""
    port = _free_port()
    app = create_app(Config(database_url=database_url, env="dev", secret_key="x" * 40))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    app.state.engine.dispose()


@pytest.fixture
def make_token(engine: Engine) -> Callable[..., str]:
    counter = iter(range(1_000_000))

    def make(*scopes: str) -> str:
        _, plain = tokens.create_token(engine, f"test-{next(counter)}", list(scopes or ALL_SCOPES))
        return plain

    return make


@pytest.fixture
def client(base_url: str, make_token: Callable[..., str]) -> Iterator[httpx.Client]:
    """A client holding a token with every scope."""
    with httpx.Client(
        base_url=base_url, timeout=30, headers={"Authorization": f"Bearer {make_token()}"}
    ) as http:
        yield http
