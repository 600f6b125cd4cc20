"""Backups: an online, consistent copy of the database that is checked before it is trusted,
and restoring one in place of the database.

SQLite: the copy is taken with SQLite's online backup API inside one read transaction. In WAL
mode a reader never blocks the writers, and holding the transaction pins the snapshot, so the
server keeps writing while the copy is made page by page (with progress) and the copy is exactly
the database as of the moment the backup began: every write acknowledged before then is in it.
A copy is trusted only after `PRAGMA integrity_check`, its schema revision and a walk of the
ledger's hash chain (the same check as `consentry ledger verify`).

PostgreSQL: `pg_dump -Fc` run on a snapshot exported from a transaction that also counts what
the dump holds, and `pg_restore` into an empty database, whose ledger is then verified.
"""

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine, func, select, text

from consentry.domain import Conflict, InvalidInput, NotFound
from consentry.services.history import verify_ledger
from consentry.storage import ledger, migrate
from consentry.storage.tables import ledger as ledger_table
from consentry.storage.tables import subscribers

Progress = Callable[[int, int], None]

# Pages copied per step of the backup API (4 MiB at SQLite's default page size): small enough
# for a lively progress bar, large enough that the steps cost nothing.
PAGES_PER_STEP = 1024
# The -shm byte every open connection holds a shared lock on while it has the database open
# (SQLite's "dead man switch", os_unix.c: UNIX_SHM_DMS). A process that can lock it
# exclusively knows no other process has the database open.
_SHM_DMS_BYTE = 128


@dataclass(frozen=True)
class Contents:
    """What a database file holds, as checked."""

    path: Path
    revision: str
    subscribers: int
    ledger_entries: int
    head_id: int
    head_hash: str
    size_bytes: int
    chain_verified: bool  # False only for an older schema: verified after `db upgrade`

    @property
    def needs_upgrade(self) -> bool:
        return self.revision != migrate.head_revision()


@dataclass(frozen=True)
class Restored:
    contents: Contents
    previous: Path | None  # where the database it replaced was kept


def sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        raise InvalidInput("this is not a SQLite database file", field="CONSENTRY_DATABASE_URL")
    return Path(database).resolve()


# SQLite -------------------------------------------------------------------------------------


def back_up_sqlite(
    engine: Engine, target: Path, *, force: bool = False, progress: Progress | None = None
) -> Contents:
    """Copy the live database to `target`, then check the copy; `target` appears only once
    the copy passed every check (it is written beside it first)."""
    source = sqlite_path(engine)
    target = target.resolve()
    if target in (source, Path(f"{source}-wal"), Path(f"{source}-shm")):
        raise InvalidInput(f"{target} is the database itself: back up to another file")
    if target.exists() and not force:
        raise Conflict(f"{target} already exists: choose a new file, or pass --force to replace it")
    if not source.exists():
        raise NotFound(f"the database {source} does not exist")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        revision = _copy(source, partial, progress)
        contents = inspect(partial)
        if contents.revision != revision:
            raise InvalidInput(
                f"the copy is at schema revision {contents.revision}, the database at {revision}"
            )
        os.replace(partial, target)
        _sync_directory(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return replace(contents, path=target)


def restore_sqlite(engine: Engine, backup: Path, *, progress: Progress | None = None) -> Restored:
    """Put a checked backup in place of the database. Refuses a database that another process
    has open, a backup that fails its checks and a schema newer than this code; nothing is
    changed when it refuses. The database it replaces is kept beside it."""
    target = sqlite_path(engine)
    backup = backup.resolve()
    if backup == target:
        raise InvalidInput(f"{backup} is the database itself: restore from a backup file")
    contents = inspect(backup)
    refuse_if_in_use(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.restoring-{os.getpid()}")
    try:
        _copy(backup, partial, progress)
        refuse_if_in_use(target)  # checked again: the copy may have taken a while
        previous = _set_aside(target)
        # One rename: a reader opening the path sees the old database or the new, never a mix.
        os.replace(partial, target)
        _sync_directory(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    return Restored(replace(contents, path=target), previous)


def inspect(path: Path) -> Contents:
    """Check a SQLite database file as a backup: readable, intact, a schema this code knows,
    and (at the current schema) an unbroken ledger chain. Raises InvalidInput naming the first
    problem."""
    if not path.is_file():
        raise NotFound(f"{path} does not exist")
    engine = _read_only_engine(path)
    try:
        with engine.connect() as connection:
            problems = [row[0] for row in connection.exec_driver_sql("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise InvalidInput(f"{path} is damaged: integrity check failed: {problems[0]}")
            revision = _revision(connection, path)
        current = revision == migrate.head_revision()
        if current:
            verification = verify_ledger(engine)
            if not verification.ok:
                raise InvalidInput(
                    f"{path} fails ledger verification at entry"
                    f" {verification.first_broken_id}: {verification.problem}"
                )
        with engine.connect() as connection:
            head_id, head_hash = ledger.head(connection)
            count = select(func.count()).select_from
            return Contents(
                path=path,
                revision=revision,
                subscribers=connection.execute(count(subscribers)).scalar_one(),
                ledger_entries=connection.execute(count(ledger_table)).scalar_one(),
                head_id=head_id,
                head_hash=head_hash,
                size_bytes=path.stat().st_size,
                chain_verified=current,
            )
    except sqlite3.DatabaseError as error:
        raise _unreadable(path, error) from None
    except Exception as error:
        cause = getattr(error, "orig", None)
        if isinstance(cause, sqlite3.DatabaseError):
            raise _unreadable(path, cause) from None
        raise
    finally:
        engine.dispose()


def _unreadable(path: Path, error: sqlite3.DatabaseError) -> InvalidInput:
    # Python 3.11+ names SQLite's error code: "malformed" pages are damage, not a stranger.
    if getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_CORRUPT:
        return InvalidInput(f"{path} is damaged: {error}")
    return InvalidInput(f"{path} is not a readable SQLite database: {error}")


def in_use(path: Path) -> bool:
    """Whether another process has the SQLite database open (a running server or worker)."""
    shm = Path(f"{path}-shm")
    try:
        descriptor = os.open(shm, os.O_RDWR)
    except FileNotFoundError:
        return False  # nobody has it open in WAL mode: the last to close removes the file
    try:
        import fcntl  # POSIX only; imported here so the module loads everywhere

        try:
            fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
        except OSError:
            return True
        fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
        return False
    finally:
        os.close(descriptor)


def refuse_if_in_use(path: Path) -> None:
    if in_use(path):
        raise Conflict(
            f"{path} is open in another process (a running `consentry serve` or"
            " `consentry worker`?): stop it, then restore"
        )


def _copy(source: Path, destination: Path, progress: Progress | None) -> str:
    """Copy with the backup API in one read transaction; returns the schema revision read in
    that same snapshot. The copy is a self-contained file (rollback journal, no -wal)."""
    destination.unlink(missing_ok=True)
    reader = sqlite3.connect(source, isolation_level=None, timeout=30)
    with closing(reader), closing(sqlite3.connect(destination, isolation_level=None)) as copy:
        reader.execute("BEGIN")
        # The first read starts the transaction's snapshot; every step below copies from it.
        found = reader.execute("SELECT version_num FROM alembic_version").fetchone()

        def step(_status: int, remaining: int, total: int) -> None:
            if progress:
                progress(total - remaining, total)

        reader.backup(copy, pages=PAGES_PER_STEP, progress=step)
        reader.execute("COMMIT")
        copy.execute("PRAGMA journal_mode=DELETE")
    with destination.open("rb+") as written:
        os.fsync(written.fileno())
    return str(found[0]) if found else ""


def _set_aside(target: Path) -> Path | None:
    """Keep the current database (and its -wal, which may hold its newest commits) under a
    dated name; the main file stays in place until the new one is renamed over it."""
    if not target.exists():
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        return None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    previous = target.with_name(f"{target.name}.before-restore-{stamp}")
    os.link(target, previous)
    wal = Path(f"{target}-wal")
    if wal.exists():
        os.replace(wal, Path(f"{previous}-wal"))
    # The index of a -wal that is no longer there: SQLite rebuilds it.
    Path(f"{target}-shm").unlink(missing_ok=True)
    return previous


def _revision(connection: Connection, path: Path) -> str:
    try:
        found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    except Exception:
        found = None
    if found is None:
        raise InvalidInput(f"{path} is not a Consentry database (it has no schema revision)")
    revision = str(found[0])
    try:
        migrate.revision_message(revision)
    except (RevisionError, CommandError):
        raise InvalidInput(
            f"{path} is at schema revision {revision}, newer than this version of Consentry"
            f" knows (latest {migrate.head_revision()}): restore it with a newer Consentry"
        ) from None
    return revision


def _read_only_engine(path: Path) -> Engine:
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
    )


def _sync_directory(directory: Path) -> None:
    """Make a rename durable: the directory entry is flushed, not just the file."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# PostgreSQL ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dump:
    path: Path
    subscribers: int
    ledger_entries: int
    head_id: int
    head_hash: str
    revision: str
    size_bytes: int
    tables: int  # table-data entries pg_restore --list reads back from the file


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise NotFound(
            f"{name} is not on PATH: install the PostgreSQL client tools of the server's major"
            f" version (Debian: apt install postgresql-client), or run {_BY_HAND[name]} on a"
            " host that has them"
        )
    return found


_BY_HAND = {
    "pg_dump": "`pg_dump -Fc -f FILE DATABASE_URL`",
    "pg_restore": "`pg_restore --exit-on-error --single-transaction --no-owner -d NEW_DATABASE_URL"
    " FILE`, then `consentry ledger verify`",
}


def back_up_postgres(engine: Engine, target: Path, *, force: bool = False) -> Dump:
    """`pg_dump -Fc` of the snapshot a transaction exported, counted in that transaction."""
    target = target.resolve()
    if target.exists() and not force:
        raise Conflict(f"{target} already exists: choose a new file, or pass --force to replace it")
    pg_dump = pg_tool("pg_dump")
    partial = target.with_name(f".{target.name}.partial-{os.getpid()}")
    try:
        with _exported_snapshot(engine) as (connection, snapshot):
            head_id, head_hash = ledger.head(connection)
            count = select(func.count()).select_from
            counted = (
                connection.execute(count(subscribers)).scalar_one(),
                connection.execute(count(ledger_table)).scalar_one(),
            )
            revision = str(
                connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
            )
            args = ["-Fc", f"--snapshot={snapshot}", f"--file={partial}"]
            _run([pg_dump, *args, *_connection_args(engine)], engine)
        tables = _table_entries(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return Dump(target, *counted, head_id, head_hash, revision, target.stat().st_size, tables)


def restore_postgres(engine: Engine, dump: Path) -> Contents:
    """`pg_restore` into the configured database, which must be empty, then verify it."""
    if not dump.is_file():
        raise NotFound(f"{dump} does not exist")
    pg_restore = pg_tool("pg_restore")
    _table_entries(dump)  # a file pg_restore cannot read is refused before anything is written
    with engine.connect() as connection:
        tables = connection.execute(
            text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
        ).scalar_one()
    if tables:
        raise Conflict(
            "the database is not empty: create a new database, point CONSENTRY_DATABASE_URL at"
            " it, and restore there"
        )
    args = ["--exit-on-error", "--single-transaction", "--no-owner", "--no-privileges"]
    _run([pg_restore, *args, *_connection_args(engine), str(dump)], engine)
    revision = migrate.current_revision(engine) or ""
    current = revision == migrate.head_revision()
    if current:
        verification = verify_ledger(engine)
        if not verification.ok:
            raise InvalidInput(
                f"the restored ledger fails verification at entry"
                f" {verification.first_broken_id}: {verification.problem}"
            )
    with engine.connect() as connection:
        head_id, head_hash = ledger.head(connection)
        count = select(func.count()).select_from
        return Contents(
            path=dump,
            revision=revision,
            subscribers=connection.execute(count(subscribers)).scalar_one(),
            ledger_entries=connection.execute(count(ledger_table)).scalar_one(),
            head_id=head_id,
            head_hash=head_hash,
            size_bytes=dump.stat().st_size,
            chain_verified=current,
        )


@contextmanager
def _exported_snapshot(engine: Engine) -> Iterator[tuple[Connection, str]]:
    options = {"isolation_level": "REPEATABLE READ"}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        yield connection, str(snapshot)


def _connection_args(engine: Engine) -> list[str]:
    """The database to name on a client tool's command line: the URL without its password
    (which goes in the environment, not where `ps` shows it) or driver name."""
    url = engine.url.set(drivername="postgresql", password=None)
    return [f"--dbname={url.render_as_string(hide_password=False)}"]


def _run(command: list[str], engine: Engine) -> None:
    env = dict(os.environ)
    password = engine.url.password
    if password:
        env["PGPASSWORD"] = str(password)
    finished = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if finished.returncode != 0:
        tool = Path(command[0]).name
        reason = finished.stderr.strip() or f"exit status {finished.returncode}"
        raise InvalidInput(f"{tool} failed: {reason}")


def _table_entries(dump: Path) -> int:
    listed = subprocess.run(
        [pg_tool("pg_restore"), "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if listed.returncode != 0:
        reason = listed.stderr.strip() or f"exit status {listed.returncode}"
        raise InvalidInput(f"{dump} is not a readable pg_dump archive: {reason}")
    entries = [line for line in listed.stdout.splitlines() if " TABLE DATA " in line]
    if not any(" ledger " in line for line in entries):
        raise InvalidInput(f"{dump} holds no Consentry ledger: it is not a Consentry dump")
    return len(entries)
