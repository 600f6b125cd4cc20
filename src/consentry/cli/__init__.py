"""The `consentry` command. Each sub-command group lives in its own module."""

import typer

from consentry.cli import (
    backup,
    catalog,
    channels,
    db,
    demo,
    erase,
    exports,
    imports,
    ledger,
    links,
    review,
    serve,
    settings,
    status,
    tokens,
    users,
    webhooks,
    worker,
    workflows,
)

app = typer.Typer(
    name="consentry",
    help="Consentry: communication subscriptions and consent.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(db.app, name="db")
app.add_typer(catalog.types_app, name="types")
app.add_typer(catalog.units_app, name="units")
app.add_typer(status.app, name="status")
app.add_typer(settings.app, name="settings")
app.add_typer(ledger.app, name="ledger")
app.add_typer(tokens.app, name="tokens")
app.add_typer(links.app, name="links")
app.add_typer(users.app, name="users")
app.command("demo")(demo.demo)
app.command("unsubscribe-all")(status.unsubscribe_all)
app.command("history")(status.history)
app.command("serve")(serve.serve)
app.add_typer(imports.app, name="import")
app.command("worker")(worker.worker)
app.add_typer(worker.jobs_app, name="jobs")
app.command("export")(exports.export)
app.command("receipt")(exports.receipt)
app.add_typer(channels.app, name="channels")
app.add_typer(review.app, name="review")
app.add_typer(workflows.app, name="workflows")
app.add_typer(webhooks.app, name="webhooks")
app.command("backup")(backup.backup)
app.command("restore")(backup.restore)
app.command("erase")(erase.erase)


def main() -> None:
    app()
