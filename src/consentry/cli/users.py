"""`consentry users`: the people who sign in to the admin app, and their roles."""

import sys

import typer

from consentry.cli.context import console, errors, migrated_engine, record_table, reporting
from consentry.domain.roles import ROLE_SUMMARY, Role
from consentry.services import users

app = typer.Typer(help="Admin app users (admin, marketer, viewer).", no_args_is_help=True)

_ROLES = "; ".join(f"{role.value}: {summary}" for role, summary in ROLE_SUMMARY.items())


@app.command()
def create(
    email: str = typer.Argument(..., help="The user's email; they sign in with it."),
    role: str = typer.Option("marketer", help=_ROLES),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from standard input (one line)."
    ),
) -> None:
    """Create a user. The password comes from a prompt, or standard input; never an argument."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with reporting():
        user = users.create_user(migrated_engine(), email, password, role)
    console.print(f"Created {user.role.value} {user.email}.")


@app.command("list")
def list_() -> None:
    """List users and their roles."""
    table = record_table("email", "role", "created", "last sign-in", "state")
    for user in users.list_users(migrated_engine()):
        table.add_row(
            user.email,
            user.role.value,
            user.created_at.strftime("%Y-%m-%d %H:%M UTC"),
            user.last_sign_in_at.strftime("%Y-%m-%d %H:%M UTC")
            if user.last_sign_in_at
            else "never",
            "active" if user.active else "disabled",
        )
    console.print(table)


@app.command()
def disable(email: str = typer.Argument(..., help="The user's email.")) -> None:
    """Disable a user: their sessions end and they can no longer sign in."""
    with reporting():
        user = users.set_disabled(migrated_engine(), email, True)
    console.print(f"{user.email} is disabled.")


@app.command()
def enable(email: str = typer.Argument(..., help="The user's email.")) -> None:
    """Let a disabled user sign in again."""
    with reporting():
        user = users.set_disabled(migrated_engine(), email, False)
    console.print(f"{user.email} is enabled.")


def announce_first_admin() -> None:
    """On a database without users, create the first admin and print its password, once."""
    created = users.ensure_first_admin(migrated_engine())
    if created is None:
        return
    email, password = created
    errors.print(
        "[bold]First admin created[/bold] (shown this once; change it by creating your own"
        " admin and disabling this one):"
    )
    errors.print(f"  email:    {email}")
    errors.print(f"  password: {password}")


__all__ = ["Role", "announce_first_admin", "app"]
