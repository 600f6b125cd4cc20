"""SQLite backups: an online, consistent copy of the database file, checked before it is
trusted, and restoring one in place of the database.

The copy is taken with SQLite's online backup API inside one read transaction. In WAL mode a
reader never blocks the writers, and holding the transaction pins the snapshot, so the server
keeps writing while the copy is made page by page (with progress) and the copy is exactly the
database as of the moment the backup began: every write acknowledged before then is in it. A
copy is trusted only after `PRAGMA integrity_check`, its schema revision and a walk of the
ledger's hash chain (the same check as `consentry ledger verify`).
"""

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from alembic.script.revision import RevisionError
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, create_engine

from consentry.domain import Conflict, InvalidInput, NotFound
from consentry.services.backup.contents import Contents, Progress, checked_contents
from consentry.storage import migrate

# Pages copied per step of the backup API (4 MiB at SQLite's default page size): small enough
# for a lively progress bar, large enough that the steps cost nothing.
PAGES_PER_STEP = 1024
# The -shm byte every open connection holds a shared lock on while it has the database open
# (SQLite's "dead man switch", os_unix.c: UNIX_SHM_DMS). A process that can lock it
# exclusively knows no other process has the database open.
_SHM_DMS_BYTE = 128


@dataclass(frozen=True)
class Restored:
    contents: Contents
    previous: Path | None  # where the database it replaced was kept


def sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:":
        raise InvalidInput("this is not a SQLite database file", field="CONSENTRY_DATABASE_URL")
    return Path(database).resolve()


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
        return checked_contents(engine, path, revision, failing=str(path))
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
