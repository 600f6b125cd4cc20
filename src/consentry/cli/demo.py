"""`consentry demo`: load realistic demo data into an empty database."""

import time

import typer

from consentry.cli.context import console, errors, migrated_engine, reporting
from consentry.services.demo import load_demo


def demo(
    contacts: int = typer.Option(5_000, min=1, max=100_000, help="How many contacts to create."),
) -> None:
    """Load demo data: business units, types with translations, contacts, and statuses and
    history from every source (preference page, one-click, keywords, users, bulk, workflow,
    import, API). Needs a database without contacts."""
    started = time.monotonic()
    with reporting():
        summary = load_demo(
            migrated_engine(),
            contacts_count=contacts,
            progress=lambda step: errors.print(f"  {step}…"),
        )
    console.print(
        f"Demo loaded in {time.monotonic() - started:.1f} s: {summary.contacts:,} contacts,"
        f" {summary.types} subscription types, {summary.changes:,} status changes"
        f" ({summary.refused:,} refused, on the record)."
    )
