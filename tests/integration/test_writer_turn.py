"""SQLite writers of one process queue on `writer_turn` before BEGIN IMMEDIATE: a waiting
writer goes on when the one ahead ends, a failed start gives the turn back, and a wait longer
than the busy timeout fails as SQLite's own "database is locked" would."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from consentry.services.unit_of_work import UnitOfWork
from consentry.storage import engine as engines
from consentry.storage import ledger, migrate
from consentry.storage.engine import make_engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{tmp_path / 'consentry.db'}")
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _write_in_thread(engine: Engine, entered: threading.Event, failed: list[BaseException]):
    def run() -> None:
        try:
            with UnitOfWork(engine, write=True):
                entered.set()
        except BaseException as error:
            failed.append(error)
            entered.set()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_second_writer_starts_only_when_the_first_ends(sqlite_engine: Engine) -> None:
    entered, failed = threading.Event(), []
    with UnitOfWork(sqlite_engine, write=True) as first:
        thread = _write_in_thread(sqlite_engine, entered, failed)
        assert not entered.wait(0.3), "a second writer got in while the first held the lock"
        first.commit()
    assert entered.wait(10) and not failed
    thread.join(10)


def test_a_writer_that_fails_to_start_gives_its_turn_back(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "SQLITE_BUSY_TIMEOUT_MS", 2_000)

    def broken(_connection: object) -> tuple[int, str]:
        raise RuntimeError("head unreadable")

    with monkeypatch.context() as patch:
        patch.setattr(ledger, "lock_head", broken)
        with pytest.raises(RuntimeError, match="head unreadable"):
            UnitOfWork(sqlite_engine, write=True).__enter__()
    entered, failed = threading.Event(), []
    _write_in_thread(sqlite_engine, entered, failed).join(10)
    assert entered.is_set() and not failed, failed


def test_a_writer_kept_waiting_past_the_busy_timeout_is_told_the_database_is_locked(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "SQLITE_BUSY_TIMEOUT_MS", 200)
    entered, failed = threading.Event(), []
    with UnitOfWork(sqlite_engine, write=True):
        _write_in_thread(sqlite_engine, entered, failed).join(10)
    assert len(failed) == 1 and isinstance(failed[0], OperationalError)
    assert "database is locked" in str(failed[0])


def test_only_sqlite_writers_queue_in_the_process(engine: Engine) -> None:
    """On PostgreSQL the row lock on the ledger head queues writers, across processes too."""
    done = threading.Event()

    def other() -> None:
        with engines.writer_turn(engine):
            done.set()

    with engines.writer_turn(engine):
        thread = threading.Thread(target=other)
        thread.start()
        queued = not done.wait(0.3)
    thread.join(10)
    assert done.is_set()
    assert queued is (engine.dialect.name == "sqlite")
