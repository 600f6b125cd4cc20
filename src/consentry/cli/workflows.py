"""`consentry workflows`: create, list, enable, disable and run workflows (issue 7)."""

import typer

app = typer.Typer(help="Workflows that manage subscription statuses.", no_args_is_help=True)
