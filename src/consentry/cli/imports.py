"""`consentry import optouts|contacts FILE`: imports, run as jobs with a progress bar.

The command runs the job itself (it holds the job's lease); with `--queue` it only queues it for
`consentry worker` (or the worker inside `consentry serve`). Either way it prints the job id.
"""

from pathlib import Path

import typer

from consentry.cli.context import config, console, errors, migrated_engine, operator, reporting
from consentry.cli.job_progress import report, summary_line, with_progress
from consentry.domain import Channel
from consentry.services.imports import (
    ContactImport,
    OptOutImport,
    dry_run_contact_import,
    submit_contact_import,
    submit_optout_import,
)
from consentry.services.job_runner import JobRunner
from consentry.services.jobs import Job

app = typer.Typer(help="Import opt-out lists, contacts and statuses.", no_args_is_help=True)

FileArgument = typer.Argument(..., exists=False, help="A CSV (any common encoding) or XLSX file.")
EncodingOption = typer.Option(
    None,
    help="The file's encoding (utf-8, utf-8-sig, utf-16, latin-1, cp1252…); detected if unset.",
)
DelimiterOption = typer.Option(None, help="The CSV delimiter; detected if unset.")
QueueOption = typer.Option(False, "--queue", help="Only queue the job for a worker.")


@app.command("optouts")
def optouts(
    file: Path = FileArgument,
    expect_rows: int = typer.Option(
        ..., "--expect-rows", help="The number of rows in the file (blank lines not counted)."
    ),
    channel: Channel = typer.Option(Channel.EMAIL, case_sensitive=False),
    business_unit: int | None = typer.Option(
        None, "--business-unit", help="Unsubscribe from all in this business unit only."
    ),
    encoding: str | None = EncodingOption,
    delimiter: str | None = DelimiterOption,
    queue: bool = QueueOption,
) -> None:
    """Unsubscribe every address in the file from all (source IMPORT). Creates no contacts."""
    engine = migrated_engine()
    spec = OptOutImport(
        file.resolve(), operator(), channel, business_unit, encoding=encoding, delimiter=delimiter
    )
    runner = JobRunner(engine, config())
    with reporting():
        job = submit_optout_import(
            engine,
            config(),
            spec,
            expect_rows=expect_rows,
            worker_id=None if queue else runner.worker_id,
        )
    _run(runner, job, queue, f"Importing {file.name}")


@app.command("contacts")
def contacts(
    file: Path = FileArgument,
    map_: list[str] = typer.Option(
        [],
        "--map",
        help="HEADER=TARGET: a column's meaning (email, a property, status:TYPE_ID, occurred_at,"
        " legal_basis, explanation, ignore). Repeat for several columns.",
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Report what would change; write nothing."
    ),
    encoding: str | None = EncodingOption,
    delimiter: str | None = DelimiterOption,
    queue: bool = QueueOption,
) -> None:
    """Upsert contacts by email, and set per-type statuses from status columns (source IMPORT)."""
    engine = migrated_engine()
    spec = ContactImport(file.resolve(), operator(), tuple(map_), encoding, delimiter)
    if dry_run:
        with reporting():
            answer = with_progress(
                f"Dry run of {file.name}",
                lambda progress: dry_run_contact_import(engine, config(), spec, progress),
            )
        console.print(f"Dry run, nothing written: {summary_line(answer.summary)} would result")
        console.print(f"Results: {answer.result_path}")
        return
    runner = JobRunner(engine, config())
    with reporting():
        job = submit_contact_import(
            engine, config(), spec, worker_id=None if queue else runner.worker_id
        )
    _run(runner, job, queue, f"Importing {file.name}")


def _run(runner: JobRunner, job: Job, queue: bool, description: str) -> None:
    rows = "" if job.total is None else f": {job.total:,} row{'' if job.total == 1 else 's'}"
    console.print(f"Job {job.id}{rows}")
    if queue:
        console.print("Queued: `consentry worker` (or `consentry serve` on SQLite) runs it.")
        return
    try:
        finished = with_progress(description, lambda progress: runner.run(job.id, progress))
    except KeyboardInterrupt:
        # The chunk in flight rolled back; the committed ones stand, and the job resumes.
        errors.print(
            f"Interrupted. Job {job.id} resumes on `consentry worker` once its lease runs out"
            f" (`consentry jobs cancel {job.id}` stops it)."
        )
        raise typer.Exit(130) from None
    raise typer.Exit(report(finished))
