"""What every command shares: configuration, the engine, the console, and error reporting.

Exit codes: 0 done; 1 refused by the rulebook (or a failed check); 2 bad input or not found.
"""

import getpass
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Column, Table
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError

from consentry.config import Config
from consentry.domain import Actor, ActorKind, ConsentryError
from consentry.storage import migrate
from consentry.storage.engine import make_engine

# Piped output has no terminal width: let tables take the width their content needs rather
# than squeeze into 80 columns (Rich sizes columns to content, so nothing is padded).
_WIDTH = None if sys.stdout.isatty() else 1000
console = Console(highlight=False, width=_WIDTH)
errors = Console(stderr=True, highlight=False, width=_WIDTH)

EXIT_REFUSED = 1
EXIT_INVALID = 2


@cache
def config() -> Config:
    try:
        return Config()
    except ValidationError as error:
        for problem in error.errors():
            errors.print(f"[red]Configuration error:[/red] {problem['msg']}")
        raise typer.Exit(EXIT_INVALID) from None


@cache
def engine() -> Engine:
    try:
        return make_engine(config().database_url)
    except (ArgumentError, ValueError) as error:
        errors.print(f"[red]Cannot use CONSENTRY_DATABASE_URL:[/red] {error}")
        raise typer.Exit(EXIT_INVALID) from None


def database_problem(error: Exception) -> typer.Exit:
    """Report a database that cannot be reached in one line (no traceback) and exit 2."""
    where = make_url(config().database_url).render_as_string(hide_password=True)
    reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
    errors.print(f"[red]Cannot open the database {where}:[/red] {reason}")
    return typer.Exit(EXIT_INVALID)


def migrated_engine() -> Engine:
    """The engine, after checking the schema is current: commands never run on an old one."""
    try:
        current = migrate.current_revision(engine())
    except (OperationalError, OSError) as error:
        raise database_problem(error) from None
    if current != migrate.head_revision():
        where = "an empty database" if current is None else f"revision {current}"
        errors.print(
            f"[red]The database is at {where}; this version needs revision"
            f" {migrate.head_revision()}.[/red] Run [bold]consentry db upgrade[/bold] first."
        )
        raise typer.Exit(EXIT_INVALID)
    return engine()


def record_table(*headers: str) -> Table:
    """A table that folds long cells instead of eliding them: a consent record is never cut."""
    return Table(*(Column(header, overflow="fold") for header in headers))


def operator() -> Actor:
    """The person at the terminal, as the ledger's actor."""
    return Actor(ActorKind.USER, f"cli:{getpass.getuser()}")


def evidence() -> dict[str, str]:
    return {"via": "cli", "host": socket.gethostname()}


@contextmanager
def reporting() -> Iterator[None]:
    """Turn domain errors into a clear message and exit code 2; nothing was written."""
    try:
        yield
    except ConsentryError as error:
        errors.print(f"[red]Error:[/red] {error.message}")
        raise typer.Exit(EXIT_INVALID) from None
