"""`consentry worker`: run the background worker (jobs, …) in this process until stopped; and
`consentry jobs list|show|cancel`.

Several may run against one PostgreSQL database: they share the queue. `--until-idle` stops
once nothing is left to do (for scripts and tests).
"""

import logging.config
import signal
import threading
from types import FrameType

import typer

from consentry import worker as worker_loop
from consentry.cli.context import config, console, migrated_engine, record_table, reporting
from consentry.cli.job_progress import summary_line
from consentry.logs import logging_config
from consentry.services import jobs


def worker(
    until_idle: bool = typer.Option(False, "--until-idle", help="Exit when no work is left."),
) -> None:
    """Run queued jobs (and resume ones whose worker died) until stopped (Ctrl-C, SIGTERM)."""
    settings = config()
    logging.config.dictConfig(logging_config(settings))
    engine = migrated_engine()
    stop = threading.Event()

    def on_signal(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    pumps = worker_loop.make_pumps(engine, settings)
    console.print("Worker started" + (" (until idle)" if until_idle else ""))
    worker_loop.log.info("worker started", extra={"pumps": [name for name, _ in pumps]})
    while not stop.is_set():
        handled = 0
        for name, pump in pumps:
            try:
                done = pump()
            except Exception:  # as in the worker loop: one broken item must not stop it
                worker_loop.log.exception("worker pump %s failed", name, extra={"pump": name})
                continue
            if done:
                worker_loop.log.debug(
                    "pump %s handled %s", name, done, extra={"pump": name, "handled": done}
                )
            handled += done
        if handled == 0:
            if until_idle:
                break
            stop.wait(0.5)
    worker_loop.log.info("worker stopped")
    console.print("Worker stopped")


jobs_app = typer.Typer(help="Background jobs: list, show, cancel.", no_args_is_help=True)


@jobs_app.command("list")
def list_jobs(limit: int = typer.Option(20, min=1, max=200)) -> None:
    """The newest jobs first, with their progress."""
    table = record_table("id", "kind", "state", "done", "total", "created by", "created")
    for job in jobs.list_jobs(migrated_engine(), limit=limit):
        table.add_row(
            str(job.id),
            job.kind,
            job.state.value,
            f"{job.done:,}",
            f"{job.total:,}" if job.total is not None else "",
            job.created_by,
            f"{job.created_at:%Y-%m-%d %H:%M:%S} UTC",
        )
    console.print(table)


@jobs_app.command("show")
def show(job_id: int) -> None:
    """One job: state, progress, summary and result file."""
    with reporting():
        job = jobs.get_job(migrated_engine(), job_id)
    total = f"{job.total:,}" if job.total is not None else "?"
    console.print(f"Job {job.id} ({job.kind}) {job.state.value}: {job.done:,} of {total} rows")
    console.print(f"Summary: {summary_line(job.summary, job.kind)}")
    if job.result_path:
        console.print(f"Results: {job.result_path}")
    if job.error:
        console.print(f"Error: {job.error}")


@jobs_app.command("cancel")
def cancel(job_id: int) -> None:
    """Cancel a queued or running job; chunks already committed stay."""
    with reporting():
        job = jobs.cancel_job(migrated_engine(), job_id)
    console.print(f"Job {job.id} is {job.state.value}: {job.done:,} rows done.")
