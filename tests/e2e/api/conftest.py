"""API tests: a real server on a real socket, on a freshly migrated database (SQLite and
PostgreSQL), with tokens made through the same service the CLI uses."""

from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import Engine

from consentry.services import tokens
from tests.e2e.server import running_server, server_config

ALL_SCOPES = [
    "communication_preferences.read_write",
    "communication_preferences.statuses.batch.read",
    "communication_preferences.statuses.batch.write",
    "crm.objects.contacts.read",
    "crm.objects.contacts.write",
    "consentry.admin",
]


@pytest.fixture
def base_url(engine: Engine, database_url: str) -> Iterator[str]:
    """The URL of a running server on the test's database."""
    with running_server(server_config(database_url)) as url:
        yield url


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
