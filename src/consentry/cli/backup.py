"""`consentry backup` and `consentry restore`: a checked copy of the database, and putting one
back. SQLite is copied online (the server may keep writing); PostgreSQL through pg_dump and
pg_restore."""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from consentry.cli.context import (
    EXIT_INVALID,
    console,
    database_problem,
    engine,
    errors,
    reporting,
)
from consentry.services import backup as backups
from consentry.storage import migrate

T = TypeVar("T")

FILE = typer.Argument(..., help="The backup file.", dir_okay=False)


def backup(
    file: Path = FILE,
    force: bool = typer.Option(False, "--force", help="Replace FILE if it exists."),
) -> None:
    """Copy the database to FILE and check the copy (integrity, schema, ledger chain).

    SQLite: an online, consistent copy, safe while `consentry serve` runs. PostgreSQL: runs
    `pg_dump -Fc` (needs the PostgreSQL client tools on PATH); restore with `consentry restore`.
    """
    database = engine()
    _refuse_empty(database)
    with reporting():
        if database.dialect.name == "postgresql":
            _dump(file, force)
            return
        contents = _paged(
            "Backing up", lambda p: backups.back_up_sqlite(database, file, force=force, progress=p)
        )
    console.print(f"Backed up {backups.sqlite_path(database)} to {contents.path}.")
    _describe(contents)


def restore(
    file: Path = FILE,
    yes: bool = typer.Option(False, "--yes", help="Replace the database without asking."),
) -> None:
    """Put the backup FILE in place of the database, after checking it.

    SQLite: refused while another process has the database open; the database it replaces is
    kept beside it. PostgreSQL: `pg_restore` into the configured database, which must be empty.
    """
    database = engine()
    with reporting():
        if database.dialect.name == "postgresql":
            contents = backups.restore_postgres(database, file)
            console.print(f"Restored {file} into the database.")
            _describe(contents)
            return
        target = backups.sqlite_path(database)
        backups.inspect(file)  # a bad backup is refused before anything is asked
        backups.refuse_if_in_use(target)
        if target.exists() and not yes:
            typer.confirm(f"Replace the database {target} with {file}?", abort=True, err=True)
        restored = _paged("Restoring", lambda p: backups.restore_sqlite(database, file, progress=p))
    console.print(f"Restored {file} to {target}.")
    if restored.previous:
        console.print(f"The database it replaced is kept as {restored.previous}.")
    _describe(restored.contents)


def _refuse_empty(database: Engine) -> None:
    """Nothing to back up: a database that does not exist, or has no Consentry schema."""
    if database.dialect.name == "sqlite" and not backups.sqlite_path(database).exists():
        errors.print(
            f"[red]Error:[/red] the database {backups.sqlite_path(database)} does not exist"
        )
        raise typer.Exit(EXIT_INVALID)
    try:
        revision = migrate.current_revision(database)
    except (OperationalError, OSError) as error:
        raise database_problem(error) from None
    if revision is None:
        errors.print("[red]Error:[/red] the database has no Consentry schema: nothing to back up")
        raise typer.Exit(EXIT_INVALID)


def _paged(description: str, run: Callable[[backups.Progress], T]) -> T:
    """Run under a progress bar counting the database's pages as they are copied."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("pages"),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
    )
    with progress:
        task = progress.add_task(description, total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        return run(on_progress)


def _describe(contents: backups.Contents) -> None:
    head = f"entry {contents.head_id:,}" + (
        f" ({contents.head_hash[:16]}…)" if contents.head_hash else ""
    )
    chain = (
        "chain intact"
        if contents.chain_verified
        else "chain checked by `consentry ledger verify` after `consentry db upgrade`"
    )
    console.print("  integrity       ok")
    console.print(f"  schema          {contents.revision}")
    console.print(f"  subscribers     {contents.subscribers:,}")
    console.print(f"  ledger entries  {contents.ledger_entries:,} ({chain})")
    console.print(f"  ledger head     {head}")
    console.print(f"  size            {_size(contents.size_bytes)}")
    if contents.needs_upgrade:
        console.print(
            f"[yellow]Its schema is older ({contents.revision}) than this version's"
            f" ({migrate.head_revision()}):[/yellow] run [bold]consentry db upgrade[/bold]."
        )


def _dump(file: Path, force: bool) -> None:
    dump = backups.back_up_postgres(engine(), file, force=force)
    console.print(f"Dumped the database with pg_dump -Fc to {dump.path}; pg_restore reads it back.")
    console.print(f"  schema          {dump.revision}")
    console.print(f"  subscribers     {dump.subscribers:,}")
    console.print(f"  ledger entries  {dump.ledger_entries:,}")
    console.print(f"  ledger head     entry {dump.head_id:,} ({dump.head_hash[:16]}…)")
    console.print(f"  tables          {dump.tables}")
    console.print(f"  size            {_size(dump.size_bytes)}")
    console.print("Restore into a new, empty database with `consentry restore` (runs pg_restore).")


def _size(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    scaled = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        scaled /= 1024
        if scaled < 1024 or unit == "GiB":
            break
    return f"{scaled:,.1f} {unit} ({size:,} bytes)"
