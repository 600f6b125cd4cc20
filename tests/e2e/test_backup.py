"""`consentry backup` and `consentry restore`: a copy taken while a real `consentry serve` is
writing holds every write acknowledged before it began and passes ledger verification once
restored; a damaged, foreign or newer backup is refused with nothing changed; an existing file
is never overwritten without --force; on PostgreSQL a pg_dump archive restored into a fresh
database verifies."""

import hashlib
import shutil
import sqlite3
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from consentry.services import tokens
from consentry.storage import migrate
from consentry.storage.engine import make_engine
from tests.conftest import IN_CI
from tests.e2e.api.conftest import ALL_SCOPES
from tests.e2e.helpers import ok, one_line, run_consentry
from tests.e2e.test_serve_workers import V4, serving


def _sqlite(tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path / name}"


def _migrated(tmp_path: Path, name: str = "live.db") -> str:
    tmp_path.mkdir(exist_ok=True)
    url = _sqlite(tmp_path, name)
    ok(run_consentry(url, tmp_path, "db", "upgrade"))
    return url


def _opt_out(url: str, cwd: Path, *addresses: str) -> None:
    for address in addresses:
        ok(
            run_consentry(
                url, cwd, "status", "set", address, "--type", "1", "--status", "UNSUBSCRIBED"
            )
        )


def _keys(url: str) -> set[str]:
    # Closed at once: an open connection would count as the database being in use.
    with closing(sqlite3.connect(make_url(url).database or "")) as connection:
        return {row[0] for row in connection.execute("SELECT key FROM subscribers")}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(directory: Path) -> set[str]:
    return {path.name for path in directory.iterdir()}


class Writer:
    """Opts a new address out over HTTP, one after another, until stopped; remembers each
    address whose write the server acknowledged (answered 200), in order."""

    def __init__(self, base_url: str, token: str) -> None:
        self.acknowledged: list[str] = []
        self._stop = threading.Event()
        self._client = httpx.Client(
            base_url=base_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        )
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        n = 0
        while not self._stop.is_set():
            address = f"writer{n}@example.com"
            answer = self._client.post(
                f"{V4}/{address}",
                json={"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": 1},
            )
            assert answer.status_code == 200, answer.text
            self.acknowledged.append(address)
            n += 1

    def wait_for(self, count: int) -> None:
        while len(self.acknowledged) < count:
            assert self._thread.is_alive(), "the writer stopped"
            self._stop.wait(0.05)

    def __enter__(self) -> "Writer":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=60)
        self._client.close()


def test_a_backup_taken_while_the_server_writes_restores_every_acknowledged_write(
    tmp_path: Path,
) -> None:
    live = _migrated(tmp_path)
    engine = make_engine(live)
    _, token = tokens.create_token(engine, "backup-test", ALL_SCOPES)
    engine.dispose()
    backup = tmp_path / "copy.db"

    with serving(live, tmp_path) as (base_url, _log), Writer(base_url, token) as writer:
        writer.wait_for(50)
        before = list(writer.acknowledged)  # acknowledged before the backup command started
        taken = run_consentry(live, tmp_path, "backup", str(backup))
        during = len(writer.acknowledged) - len(before)
        # The live database is open in the server: restoring over it is refused, untouched.
        refused = run_consentry(live, tmp_path, "restore", str(backup), "--yes")
        writer.wait_for(len(writer.acknowledged) + 20)  # still serving, still writing

    output = one_line(ok(taken))
    assert during > 0, "the server wrote nothing while the backup ran"
    assert "integrity ok" in output and "chain intact" in output
    assert f"schema {migrate.head_revision()}" in output
    assert refused.returncode == 2
    assert "is open in another process" in one_line(refused.stderr)

    restored = _sqlite(tmp_path, "restored/consentry.db")
    shown = one_line(ok(run_consentry(restored, tmp_path, "restore", str(backup))))
    assert "Restored" in shown and "chain intact" in shown
    assert "Ledger verified" in ok(run_consentry(restored, tmp_path, "ledger", "verify"))
    assert "up to date" in ok(run_consentry(restored, tmp_path, "db", "current"))
    keys = _keys(restored)
    assert set(before) <= keys
    # A consistent snapshot, not a torn one: a prefix of the acknowledged writes.
    assert keys == set(writer.acknowledged[: len(keys)])
    subscribers = f"subscribers {len(keys):,}"
    assert subscribers in output and subscribers in shown


def test_a_damaged_backup_is_refused_and_the_database_is_left_as_it_was(tmp_path: Path) -> None:
    source = _migrated(tmp_path)
    _opt_out(source, tmp_path, "a@example.com", "b@example.com")
    good = tmp_path / "good.db"
    ok(run_consentry(source, tmp_path, "backup", str(good)))
    target_dir = tmp_path / "target"
    target = _migrated(target_dir, "consentry.db")
    _opt_out(target, target_dir, "keep@example.com")
    target_file = target_dir / "consentry.db"

    def damaged(name: str) -> Path:
        copy = tmp_path / name
        shutil.copyfile(good, copy)
        return copy

    torn = damaged("torn.db")  # a b-tree page overwritten: the ledger's root page
    with sqlite3.connect(torn) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'ledger'")
        page = root.fetchone()[0]
    with torn.open("r+b") as raw:
        raw.seek((page - 1) * page_size)
        raw.write(b"\xa5" * page_size)
    edited = damaged("edited.db")  # a ledger entry rewritten by hand
    with sqlite3.connect(edited) as connection:
        connection.execute("UPDATE ledger SET new_status = 'SUBSCRIBED' WHERE id = 1")
    stranger = tmp_path / "stranger.db"
    stranger.write_bytes(b"this is not a database\n" * 200)
    newer = damaged("newer.db")
    with sqlite3.connect(newer) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")

    expected = {
        torn: "is damaged",
        edited: "fails ledger verification at entry 1",
        stranger: "is not a readable SQLite database",
        newer: "newer than this version of Consentry knows",
    }
    before, files = _digest(target_file), _files(target_dir)
    for backup, reason in expected.items():
        refused = run_consentry(target, target_dir, "restore", str(backup), "--yes")
        assert refused.returncode == 2, refused.stdout
        assert reason in one_line(refused.stderr)
        assert _digest(target_file) == before and _files(target_dir) == files

    assert _keys(target) == {"keep@example.com"}
    assert "Ledger verified: 1 entries" in ok(run_consentry(target, target_dir, "ledger", "verify"))


def test_restore_replaces_the_database_and_keeps_the_one_it_replaced(tmp_path: Path) -> None:
    source = _migrated(tmp_path)
    _opt_out(source, tmp_path, "a@example.com")
    backup = tmp_path / "backup.db"
    ok(run_consentry(source, tmp_path, "backup", str(backup)))
    target_dir = tmp_path / "target"
    target = _migrated(target_dir, "consentry.db")
    _opt_out(target, target_dir, "old@example.com")

    unasked = run_consentry(target, target_dir, "restore", str(backup))  # no --yes, no answer
    assert unasked.returncode != 0 and _keys(target) == {"old@example.com"}

    shown = one_line(ok(run_consentry(target, target_dir, "restore", str(backup), "--yes")))
    assert _keys(target) == {"a@example.com"}
    kept = [name for name in _files(target_dir) if ".before-restore-" in name]
    assert len(kept) == 1 and f"kept as {target_dir / kept[0]}" in shown
    assert _keys(_sqlite(target_dir, kept[0])) == {"old@example.com"}


def test_an_older_backup_is_restored_and_says_to_upgrade(tmp_path: Path) -> None:
    older = tmp_path / "older.db"
    engine = make_engine(f"sqlite:///{older}")
    migrate.upgrade(engine, "0010")
    engine.dispose()
    target = _sqlite(tmp_path, "target/consentry.db")

    shown = one_line(ok(run_consentry(target, tmp_path, "restore", str(older), "--yes")))

    assert "run consentry db upgrade" in shown
    ok(run_consentry(target, tmp_path, "db", "upgrade"))
    assert "Ledger verified" in ok(run_consentry(target, tmp_path, "ledger", "verify"))


def test_an_existing_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    source = _migrated(tmp_path)
    existing = tmp_path / "backup.db"
    existing.write_text("yesterday's backup")

    refused = run_consentry(source, tmp_path, "backup", str(existing))
    assert refused.returncode == 2
    assert "already exists" in one_line(refused.stderr) and "--force" in refused.stderr
    assert existing.read_text() == "yesterday's backup"
    assert not [name for name in _files(tmp_path) if ".partial-" in name]

    ok(run_consentry(source, tmp_path, "backup", str(existing), "--force"))
    restored = run_consentry(_sqlite(tmp_path, "r.db"), tmp_path, "restore", str(existing))
    assert "chain intact" in ok(restored)


# PostgreSQL ---------------------------------------------------------------------------------


@pytest.fixture
def fresh_database(postgres_url: str) -> Iterator[str]:
    """A second, empty database on the same server, to restore into."""
    server = make_url(postgres_url)
    name = f"consentry_restore_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres_url)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_a_pg_dump_restored_into_a_fresh_database_verifies(
    postgres_url: str, fresh_database: str, tmp_path: Path
) -> None:
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        message = "pg_dump and pg_restore (the PostgreSQL client tools) are not on PATH"
        if IN_CI:
            pytest.fail(f"CI=true: {message}; the PostgreSQL backup is a claimed feature")
        pytest.skip(message)
    engine = make_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    ok(run_consentry(postgres_url, tmp_path, "db", "upgrade"))
    _opt_out(postgres_url, tmp_path, "a@example.com", "b@example.com", "c@example.com")
    dump = tmp_path / "consentry.dump"

    dumped = one_line(ok(run_consentry(postgres_url, tmp_path, "backup", str(dump))))
    again = run_consentry(postgres_url, tmp_path, "backup", str(dump))
    into_itself = run_consentry(postgres_url, tmp_path, "restore", str(dump))
    restored = one_line(ok(run_consentry(fresh_database, tmp_path, "restore", str(dump))))

    assert "pg_dump -Fc" in dumped and "subscribers 3" in dumped
    assert again.returncode == 2 and "already exists" in one_line(again.stderr)
    assert into_itself.returncode == 2 and "not empty" in one_line(into_itself.stderr)
    assert "subscribers 3" in restored and "chain intact" in restored
    assert "Ledger verified" in ok(run_consentry(fresh_database, tmp_path, "ledger", "verify"))
    # The archive is an ordinary one: pg_restore lists it without Consentry.
    listed = subprocess.run(
        ["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=True
    )
    assert "TABLE DATA public ledger" in listed.stdout
    shown = ok(run_consentry(fresh_database, tmp_path, "status", "get", "b@example.com"))
    assert "UNSUBSCRIBED" in shown
