"""Running a job from the command line: a Rich progress bar (rows, rows/s, ETA) on standard
error, then the job's summary line and the path of its result file on standard output."""

from collections.abc import Callable, Mapping
from typing import TypeVar

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from consentry.cli.context import console, errors
from consentry.services.jobs import Job, JobState
from consentry.services.workflows import enrollment as workflow_enrollment

T = TypeVar("T")

SUMMARY = (
    ("applied", "applied"),
    ("no_change", "no change"),
    ("stale", "stale"),
    ("refused", "refused"),
    ("bad_rows", "bad rows"),
)


class RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "… rows/s")


def with_progress(description: str, run: Callable[[Callable[[int, int | None], None]], T]) -> T:
    """Call `run(on_progress)` under a progress bar."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=errors,
    )
    with progress:
        task = progress.add_task(description, total=None)

        def on_progress(done: int, total: int | None) -> None:
            progress.update(task, completed=done, total=total)

        return run(on_progress)


# Jobs that change no statuses count other things: their line says only those.
_KIND_SUMMARY = {
    workflow_enrollment.KIND: (("enrolled", "enrolled"), ("skipped", "skipped")),
}


def summary_line(summary: Mapping[str, int], kind: str | None = None) -> str:
    if kind in _KIND_SUMMARY:
        return ", ".join(f"{summary.get(key, 0):,} {label}" for key, label in _KIND_SUMMARY[kind])
    counts = ", ".join(f"{summary.get(key, 0):,} {label}" for key, label in SUMMARY)
    extra = [
        f"{summary[key]:,} {label}"
        for key, label in (
            ("contacts_created", "contacts created"),
            ("contacts_updated", "contacts updated"),
            ("blank_lines", "blank lines skipped"),
        )
        if summary.get(key)
    ]
    return counts + (f" ({', '.join(extra)})" if extra else "")


def report(job: Job) -> int:
    """Print how the job ended; the exit code: 0 done, 1 failed or cancelled."""
    state = job.state
    console.print(f"Job {job.id} {state.value.lower()}: {summary_line(job.summary, job.kind)}")
    if job.result_path:
        console.print(f"Results: {job.result_path}")
    if job.error:
        errors.print(f"[red]Error:[/red] {job.error}")
    return 0 if state is JobState.SUCCEEDED else 1
