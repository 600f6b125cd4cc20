"""Engines: SQLite as the embedded default, PostgreSQL for scale.

SQLite runs in WAL mode with foreign keys on and a busy timeout. Write transactions start with
BEGIN IMMEDIATE, so two writers queue for the lock instead of failing when a read upgrades to a
write; read transactions start deferred and never block writers. Writers of one process queue
for that lock on a Python lock first (`writer_turn`).
"""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

WRITE_OPTION = "consentry_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> Engine:
    """An engine for a SQLite path or PostgreSQL URL, configured for Consentry's transactions."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo=echo)
    if parsed.get_backend_name() == "postgresql":
        if parsed.get_driver_name() != "psycopg":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(
            parsed, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True, echo=echo
        )
    raise ValueError(f"Unsupported database URL {url!r}: use sqlite:///PATH or postgresql://...")


def _sqlite_engine(url: str, *, echo: bool) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (the pysqlite recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # FULL: an acknowledged write survives power loss, not only a process crash.
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        write = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


# One queue per SQLite database (by URL) in this process: reentrant, as a write nested in a
# write on the same thread would meet SQLite's own lock just as before.
_WRITER_TURNS: dict[str, threading.RLock] = {}
_TURNS_GUARD = threading.Lock()


@contextmanager
def writer_turn(engine: Engine) -> Iterator[None]:
    """Hold this process's turn to write to a SQLite database (nothing on PostgreSQL).

    SQLite's busy handler retries a blocked BEGIN IMMEDIATE after sleeps that grow to 100 ms,
    so a writer queued behind others could keep losing the lock to luckier ones: with 32
    clients each writing once, the slowest 1% waited 1.3 s (P2 p99; ~0.3 s with this queue, at
    the same rate). Writers of one process wait here instead and are woken when the turn is
    released; only the one holding the turn waits on SQLite, for writers in other processes
    (the CLI, a worker). The wait is bounded by the same busy timeout and fails the same way.
    """
    if engine.dialect.name != "sqlite":
        yield
        return
    key = engine.url.render_as_string(hide_password=False)
    with _TURNS_GUARD:
        turn = _WRITER_TURNS.setdefault(key, threading.RLock())
    if not turn.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
        raise OperationalError(
            "BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")
        )
    try:
        yield
    finally:
        turn.release()


def dialect_name(engine: Engine | Connection) -> str:
    return engine.dialect.name
