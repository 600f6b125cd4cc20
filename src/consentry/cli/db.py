"""`consentry db`: schema migrations."""

import typer
from sqlalchemy.exc import OperationalError

from consentry.cli.context import console, database_problem, engine
from consentry.storage import migrate

app = typer.Typer(help="Database schema.", no_args_is_help=True)


@app.command()
def upgrade() -> None:
    """Migrate the database to the latest schema (creates it when empty)."""
    try:
        before = migrate.current_revision(engine())
        migrate.upgrade(engine())
        after = migrate.current_revision(engine())
    except (OperationalError, OSError) as error:
        raise database_problem(error) from None
    if before == after:
        console.print(f"Database already at the latest revision ({after}).")
    else:
        console.print(f"Database upgraded from {before or 'empty'} to {after}.")


@app.command()
def current() -> None:
    """Show the database's schema revision and the latest one."""
    try:
        revision = migrate.current_revision(engine())
    except (OperationalError, OSError) as error:
        raise database_problem(error) from None
    head = migrate.head_revision()
    state = "up to date" if revision == head else "needs `consentry db upgrade`"
    console.print(
        f"Database: {engine().dialect.name}, revision {revision or 'none'} ({state});"
        f" latest {head}."
    )
