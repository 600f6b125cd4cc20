"""`consentry workflows`: create workflows from JSON files, list them, turn them on and off,
enroll existing contacts (a job with a progress bar), and read their history and log."""

import json
from pathlib import Path

import typer

from consentry.cli.context import (
    EXIT_INVALID,
    config,
    console,
    errors,
    migrated_engine,
    operator,
    record_table,
    reporting,
)
from consentry.cli.job_progress import report, with_progress
from consentry.services import workflows
from consentry.services.job_runner import JobRunner
from consentry.services.workflows import history

app = typer.Typer(help="Workflows: triggers and subscription actions.", no_args_is_help=True)

FileArg = typer.Option(
    ..., "--file", "-f", exists=True, dir_okay=False, help="The workflow as JSON (see README)."
)


def _read(file: Path) -> dict[str, object]:
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        errors.print(f"[red]Error:[/red] {file} is not JSON: {error}")
        raise typer.Exit(EXIT_INVALID) from None
    if not isinstance(raw, dict):
        errors.print(f"[red]Error:[/red] {file} holds a JSON {type(raw).__name__}, not an object.")
        raise typer.Exit(EXIT_INVALID)
    return raw


def _show(workflow: workflows.Workflow) -> None:
    state = "on" if workflow.enabled else "off"
    console.print(f"Workflow {workflow.id} (version {workflow.version}, {state}): {workflow.name}")


@app.command("create")
def create(
    file: Path = FileArg,
    enable: bool = typer.Option(False, "--enable", help="Turn it on at once."),
) -> None:
    """Create a workflow from a JSON file (off unless --enable)."""
    with reporting():
        engine = migrated_engine()
        workflow = workflows.create(engine, _read(file), str(operator()))
        if enable:
            workflow = workflows.enable(engine, workflow.id)
    _show(workflow)


@app.command("update")
def update(
    workflow_id: int = typer.Argument(..., help="The workflow's id."), file: Path = FileArg
) -> None:
    """Replace a workflow's definition (a new version; running contacts finish the old one)."""
    with reporting():
        workflow = workflows.update(migrated_engine(), workflow_id, _read(file), str(operator()))
    _show(workflow)


@app.command("list")
def list_() -> None:
    """Every workflow, with its enrollment counts."""
    engine = migrated_engine()
    found = workflows.list_workflows(engine)
    if not found:
        console.print("No workflows yet: `consentry workflows create --file wf.json`.")
        return
    table = record_table("id", "name", "version", "state", "enrolled", "running", "completed")
    for workflow in found:
        counts = history.summary(engine, workflow.id)
        table.add_row(
            str(workflow.id),
            workflow.name,
            str(workflow.version),
            "on" if workflow.enabled else "off",
            f"{counts.enrolled:,}",
            f"{counts.active:,}",
            f"{counts.completed:,}",
        )
    console.print(table)


@app.command("enable")
def enable(workflow_id: int = typer.Argument(..., help="The workflow's id.")) -> None:
    """Turn a workflow on: contacts that start to match its trigger from now on enroll."""
    with reporting():
        _show(workflows.enable(migrated_engine(), workflow_id))


@app.command("disable")
def disable(
    workflow_id: int = typer.Argument(..., help="The workflow's id."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Don't ask for confirmation."),
) -> None:
    """Turn a workflow off. Its running enrollments end (waiting delays never run)."""
    engine = migrated_engine()
    with reporting():
        running = history.summary(engine, workflow_id).active
        if running and not yes:
            typer.confirm(f"{running:,} contacts are still running in it; end them?", abort=True)
        _show(workflows.disable(engine, workflow_id))


@app.command("run")
def run(
    workflow_id: int = typer.Argument(..., help="The workflow's id."),
    queue: bool = typer.Option(False, "--queue", help="Queue it for the worker instead."),
) -> None:
    """Enroll existing contacts now: every contact matching the trigger (a job)."""
    engine = migrated_engine()
    runner = JobRunner(engine, config())
    with reporting():
        job = workflows.submit_enroll_existing(
            engine, workflow_id, str(operator()), worker_id=None if queue else runner.worker_id
        )
    console.print(f"Job {job.id}: {job.total or 0:,} matching contacts")
    if queue:
        console.print("Queued: `consentry worker` (or `consentry serve` on SQLite) runs it.")
        return
    finished = with_progress("Enrolling", lambda progress: runner.run(job.id, progress))
    console.print("The worker runs their steps (`consentry worker`, or `consentry serve`).")
    raise typer.Exit(report(finished))


@app.command("show")
def show(workflow_id: int = typer.Argument(..., help="The workflow's id.")) -> None:
    """Enrollment counts and each step's outcomes."""
    engine = migrated_engine()
    with reporting():
        workflow = workflows.get(engine, workflow_id)
        found = history.summary(engine, workflow_id)
    _show(workflow)
    console.print(
        f"Enrolled {found.enrolled:,}: {found.active:,} running, {found.completed:,} completed,"
        f" {found.ended:,} ended"
    )
    table = record_table("step", "action", "outcomes")
    for step in found.steps:
        outcomes = ", ".join(f"{n:,} {name.lower()}" for name, n in step.outcomes.items())
        table.add_row(str(step.index + 1), step.description, outcomes or "—")
    console.print(table)


@app.command("log")
def log(
    workflow_id: int = typer.Argument(..., help="The workflow's id."),
    search: str = typer.Option("", "--search", help="An address (or part) or a contact id."),
    outcome: str = typer.Option(
        "", "--outcome", help="Only one outcome: ENROLLED, APPLIED, NO_CHANGE, REFUSED, …"
    ),
    limit: int = typer.Option(50, "--limit", min=1, max=history.MAX_PAGE),
) -> None:
    """What happened to each contact, newest first."""
    with reporting():
        lines = history.log(
            migrated_engine(),
            workflow_id,
            search=search,
            outcome=outcome.upper() or None,
            limit=limit,
        )
    table = record_table("at", "contact", "step", "outcome", "address", "message")
    for line in lines:
        table.add_row(
            line.at.strftime("%Y-%m-%d %H:%M:%S"),
            str(line.contact_id),
            "" if line.step is None else str(line.step + 1),
            line.outcome,
            line.address or "",
            line.message,
        )
    console.print(table)
