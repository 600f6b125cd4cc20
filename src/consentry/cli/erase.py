"""`consentry erase ADDRESS`: the GDPR 17 path from the terminal (services.erasure)."""

import typer

from consentry.cli.context import (
    EXIT_INVALID,
    console,
    errors,
    migrated_engine,
    operator,
    reporting,
)
from consentry.domain import NotFound, Source
from consentry.domain.erasure import ErasureReport
from consentry.services.erasure import erase as erase_person


def erase(
    address: str = typer.Argument(..., help="The email address or phone number to erase."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Don't ask for confirmation."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Count what would be erased; change nothing."
    ),
) -> None:
    """Erase a person (GDPR Art. 17): their contact records, every address on them, their
    statuses and the personal fields of their ledger entries. The ledger still verifies, and
    each address is kept as a keyed hash so that it stays suppressed if it comes back.
    Cannot be undone."""
    engine = migrated_engine()
    with reporting():
        try:
            planned = erase_person(engine, address, operator(), Source.USER, commit=False)
        except NotFound as error:
            errors.print(error.message)
            raise typer.Exit(EXIT_INVALID) from None
        console.print(_describe(planned, "Would erase" if dry_run else "Erasing"))
        if dry_run:
            return
        if not yes:
            typer.confirm("Erase this for good? It cannot be undone.", abort=True)
        done = erase_person(engine, address, operator(), Source.USER)
    console.print(
        f"Erased. Ledger entry {done.ledger_id} records it; `consentry ledger verify` still passes."
    )


def _describe(report: ErasureReport, verb: str) -> str:
    return (
        f"{verb} {report.addresses} address(es) ({report.subscribers} with statuses),"
        f" {report.contacts} contact(s), {report.statuses} status row(s);"
        f" blanking personal fields of {report.ledger_entries} ledger entries;"
        f" {report.other_rows} other row(s) (mail, replies, workflow runs, events, webhook"
        " payloads)."
    )
