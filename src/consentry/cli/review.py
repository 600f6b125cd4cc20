"""`consentry review`: the queue of inbound replies that might be a request to stop."""

import typer

from consentry.cli.context import (
    EXIT_INVALID,
    console,
    errors,
    migrated_engine,
    operator,
    record_table,
    reporting,
)
from consentry.domain.review import Resolution
from consentry.services import review_queue

app = typer.Typer(help="Review replies that might be a request to stop.", no_args_is_help=True)


@app.command("list")
def list_(
    all_: bool = typer.Option(False, "--all", help="Resolved items too."),
) -> None:
    """The open items, oldest first."""
    items = review_queue.list_review(migrated_engine(), open_only=not all_, limit=500)
    if not items:
        console.print("Nothing to review.")
        return
    table = record_table("id", "channel", "number", "received", "message", "resolution")
    for item in items:
        table.add_row(
            str(item.id),
            item.channel.value,
            item.address,
            item.received_at.strftime("%Y-%m-%d %H:%M"),
            item.body,
            item.resolution.value if item.resolution else "",
        )
    console.print(table)


@app.command("resolve")
def resolve(
    item_id: int = typer.Argument(..., help="The item's id (`consentry review list`)."),
    opt_out: bool = typer.Option(False, "--opt-out", help="It is a request to stop."),
    dismiss: bool = typer.Option(False, "--dismiss", help="It is not."),
) -> None:
    """Resolve one item as an opt-out (of every type of its channel) or dismiss it."""
    if opt_out == dismiss:
        errors.print("[red]Error:[/red] give exactly one of --opt-out or --dismiss.")
        raise typer.Exit(EXIT_INVALID)
    resolution = Resolution.OPT_OUT if opt_out else Resolution.DISMISSED
    with reporting():
        item = review_queue.resolve_review(migrated_engine(), item_id, resolution, operator())
    done = "opted out" if opt_out else "dismissed"
    console.print(f"Item {item.id} ({item.address}, {item.channel.value}): {done}.")
