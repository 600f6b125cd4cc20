"""`consentry ledger`: checks on the ledger."""

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from consentry import services
from consentry.cli.context import EXIT_INVALID, EXIT_REFUSED, console, errors, migrated_engine

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


@app.command()
def rebuild(
    check: bool = typer.Option(
        False,
        "--check",
        help="Compare the current-status tables with a fold of the ledger and report every"
        " difference (exit 1 if any); writes nothing.",
    ),
) -> None:
    """Check that the current-status tables equal a fold of the ledger.

    Only --check is offered: a pending double opt-in's `confirmed` flag is not on the ledger,
    so rewriting the tables from the ledger alone could lose it.
    """
    if not check:
        errors.print(
            "[red]Only `consentry ledger rebuild --check` is offered:[/red] the tables cannot be"
            " rewritten from the ledger alone (a pending double opt-in is not on it)."
        )
        raise typer.Exit(EXIT_INVALID)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        console=errors,
        transient=True,
    ) as progress:
        task = progress.add_task("Folding the ledger", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        result = services.check_projection(migrated_engine(), advance)
    summary = (
        f"{result.subscribers} subscribers, {result.entries} entries folded,"
        f" {result.rows} stored rows compared"
    )
    if result.ok:
        console.print(f"Projection matches the ledger: {summary}.")
        return
    for difference in result.differences:
        errors.print(f"  {difference}")
    errors.print(
        f"[red]Projection differs from the ledger[/red] ({summary};"
        f" {result.different} differences, {len(result.differences)} shown)."
    )
    raise typer.Exit(EXIT_REFUSED)
