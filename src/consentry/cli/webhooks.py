"""`consentry webhooks`: outbound webhook subscriptions and deliveries (issue 10)."""

import typer

app = typer.Typer(help="Outbound webhooks to other systems.", no_args_is_help=True)
