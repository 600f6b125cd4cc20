"""`consentry export contacts|statuses|suppression|ledger` and `consentry receipt ADDRESS`:
streamed to standard output or a file."""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import typer

from consentry.cli.context import EXIT_INVALID, console, errors, migrated_engine, reporting
from consentry.domain import Channel
from consentry.services.exports import (
    SUPPRESSION_NOTICE,
    ExportFormat,
    ExportKind,
    receipt_document,
)
from consentry.services.exports import (
    export as export_rows,
)


def _moment(text: str | None, option: str) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        errors.print(
            f"[red]Error:[/red] {option} {text!r} is not a time: use ISO 8601, e.g."
            " 2026-01-31 or 2026-01-31T09:30:00Z."
        )
        raise typer.Exit(EXIT_INVALID) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def export(
    kind: ExportKind = typer.Argument(..., case_sensitive=False),
    since: str | None = typer.Option(None, help="Ledger: entries recorded at or after (UTC)."),
    until: str | None = typer.Option(None, help="Ledger: entries recorded before (UTC)."),
    fmt: ExportFormat = typer.Option(ExportFormat.CSV, "--format", case_sensitive=False),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write to FILE (default: stdout)."
    ),
) -> None:
    """Stream contacts, current statuses, the suppression list or the ledger as CSV/NDJSON."""
    if kind is not ExportKind.LEDGER and (since or until):
        errors.print("[red]Error:[/red] --since and --until apply to the ledger export only.")
        raise typer.Exit(EXIT_INVALID)
    start, end = _moment(since, "--since"), _moment(until, "--until")
    engine = migrated_engine()
    if kind is ExportKind.SUPPRESSION:
        errors.print(SUPPRESSION_NOTICE)
    with reporting(), _target(output) as out:
        for text in export_rows(engine, kind, fmt, since=start, until=end):
            out.write(text)
    if output is not None:
        console.print(f"Written: {output.resolve()}")


def receipt(
    address: str,
    channel: Channel = typer.Option(Channel.EMAIL, "--channel", case_sensitive=False),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write to FILE (default: stdout)."
    ),
) -> None:
    """One subscriber's consent receipt as JSON: statuses and every ledger entry."""
    with reporting():
        document = receipt_document(migrated_engine(), address, channel)
    with _target(output) as out:
        json.dump(document, out, ensure_ascii=False, indent=2)
        out.write("\n")
    if output is not None:
        console.print(f"Written: {output.resolve()}")


class _target:
    """Standard output, or a file opened for the export (closed after)."""

    def __init__(self, path: Path | None) -> None:
        self._path = path
        self._file: TextIO | None = None

    def __enter__(self) -> TextIO:
        if self._path is None:
            return sys.stdout
        self._file = self._path.open("w", encoding="utf-8", newline="")
        return self._file

    def __exit__(self, *_: object) -> None:
        if self._file is not None:
            self._file.close()
