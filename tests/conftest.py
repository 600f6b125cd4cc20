"""Shared fixtures: a freshly migrated database per test, on SQLite and on PostgreSQL.

PostgreSQL runs when CONSENTRY_TEST_DATABASE_URL names a server; each test session (each xdist
worker) gets a database of its own there, created and dropped around the session. With CI=true
a missing PostgreSQL is an error, never a silent skip.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from consentry.storage import migrate
from consentry.storage.engine import make_engine

PG_URL = os.environ.get("CONSENTRY_TEST_DATABASE_URL", "")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_configure(config: pytest.Config) -> None:
    if IN_CI and not PG_URL:
        raise pytest.UsageError(
            "CI=true but CONSENTRY_TEST_DATABASE_URL is not set: the PostgreSQL runs are required."
        )


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A database of this session's own on the PostgreSQL server under test."""
    if not PG_URL:
        pytest.skip("PostgreSQL not configured (set CONSENTRY_TEST_DATABASE_URL to run)")
    server = make_url(PG_URL).set(drivername="postgresql+psycopg")
    name = f"consentry_test_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server.render_as_string(hide_password=False))
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _fresh_postgres(url: str) -> None:
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database (not migrated)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'consentry.db'}"
    url: str = request.getfixturevalue("postgres_url")
    _fresh_postgres(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a database migrated to the latest schema."""
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    yield engine
    engine.dispose()
