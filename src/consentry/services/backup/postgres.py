"""PostgreSQL backups: `pg_dump -Fc` run on a snapshot exported from a transaction that also
counts what the dump holds, and `pg_restore` into an empty database, whose ledger is then
verified. The client tools come from the PostgreSQL installation (`pg_tool` says which is
missing and what to run by hand)."""

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, func, select, text

from consentry.domain import Conflict, InvalidInput, NotFound
from consentry.services.backup.contents import Contents, checked_contents
from consentry.storage import ledger, migrate
from consentry.storage.tables import ledger as ledger_table
from consentry.storage.tables import subscribers


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
    return checked_contents(engine, dump, revision, failing="the restored ledger")


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
