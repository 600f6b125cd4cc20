"""`consentry settings`: the account's settings."""

import typer

from consentry import services
from consentry.cli.context import console, migrated_engine, record_table, reporting
from consentry.domain.account_settings import parse_value

app = typer.Typer(
    help="Account settings (data privacy mode, business units, channels…).", no_args_is_help=True
)


@app.command("get")
def get(key: str | None = typer.Argument(None, help="One setting; all when omitted.")) -> None:
    """Show the account settings."""
    values = services.get_settings(migrated_engine()).as_text()
    if key is not None:
        with reporting():
            parse_value(key, values.get(key, ""))  # names the known settings when key is not one
        console.print(values[key])
        return
    table = record_table("setting", "value")
    for name, value in values.items():
        table.add_row(name, value)
    console.print(table)


@app.command("set")
def set_(key: str, value: str) -> None:
    """Change one setting, e.g. `consentry settings set data_privacy_mode true`."""
    with reporting():
        settings = services.set_setting(migrated_engine(), key, value)
    console.print(f"{key} = {settings.as_text()[key]}")
