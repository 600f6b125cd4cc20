"""`consentry tokens`: API bearer tokens and their scopes."""

import typer

from consentry.cli.context import console, errors, migrated_engine, record_table, reporting
from consentry.domain import Scope
from consentry.services import tokens

app = typer.Typer(help="API tokens (Authorization: Bearer …).", no_args_is_help=True)


@app.command()
def create(
    name: str = typer.Option(..., help="What the token is for, e.g. 'mailer'."),
    scopes: str = typer.Option(
        ..., help="Comma-separated scopes: " + ", ".join(scope.value for scope in Scope)
    ),
) -> None:
    """Create a token. Its text is printed once; only a hash is kept."""
    with reporting():
        token, plain = tokens.create_token(migrated_engine(), name, scopes.split(","))
    errors.print(
        f"Created token {token.name!r} with scopes:"
        f" {', '.join(sorted(s.value for s in token.scopes))}."
    )
    errors.print("Copy it now; it is not shown again:")
    console.print(plain)


@app.command("list")
def list_() -> None:
    """List tokens (names, prefixes and scopes; never the tokens themselves)."""
    table = record_table("name", "prefix", "scopes", "created", "state")
    for token in tokens.list_tokens(migrated_engine()):
        table.add_row(
            token.name,
            token.prefix + "…",
            " ".join(sorted(token.scopes)),
            token.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            "active" if token.active else "revoked",
        )
    console.print(table)


@app.command()
def revoke(name: str = typer.Argument(..., help="The token's name.")) -> None:
    """Revoke a token: requests with it answer 401 from now on."""
    with reporting():
        token = tokens.revoke_token(migrated_engine(), name)
    console.print(f"Token {token.name!r} is revoked.")
