"""`consentry ledger`: checks on the ledger."""

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from consentry import services
from consentry.cli.context import EXIT_REFUSED, console, errors, migrated_engine

app = typer.Typer(help="The ledger of every change and refusal.", no_args_is_help=True)


@app.command()
def verify() -> None:
    """Check the hash chain: fails, naming the first broken entry, if any entry was edited or
    removed."""
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("Verifying ledger", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = services.verify_ledger(migrated_engine(), advance)
    if result.ok:
        console.print(f"Ledger verified: {result.checked} entries, chain intact.")
        return
    errors.print(
        f"[red]Ledger verification FAILED at entry {result.first_broken_id}:[/red]"
        f" {result.problem}. {result.checked} entries before it verified."
    )
    raise typer.Exit(EXIT_REFUSED)
