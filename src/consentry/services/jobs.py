"""Background jobs as callers see them: what a job is, its progress, reading and cancelling.

A job (an import, a bulk edit) runs in chunks on a worker (`services.job_runner`). Each chunk's
status changes and the job's progress commit in one transaction, so `done` only counts rows
whose changes are in the database. Cancelling stops a running job before its next chunk.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol

from sqlalchemy import Connection, Engine

from consentry.domain import NotFound
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import jobs as job_rows
from consentry.storage.jobs import JobRow


class JobState(StrEnum):
    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"

    @property
    def finished(self) -> bool:
        return self in (JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED)


@dataclass(frozen=True)
class Job:
    id: int
    kind: str
    state: JobState
    total: int | None
    done: int
    summary: Mapping[str, int]  # e.g. {"applied": .., "no_change": .., "refused": .., ...}
    result_path: str | None  # the per-row result CSV under config.jobs_dir, once there is one
    error: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    params: Mapping[str, Any]


def job_of(row: JobRow) -> Job:
    return Job(
        id=row.id,
        kind=row.kind,
        state=JobState(row.state),
        total=row.total,
        done=row.done,
        summary=row.summary,
        result_path=row.result_path,
        error=row.error,
        created_by=row.created_by,
        created_at=row.created_at,
        started_at=row.started_at,
        finished_at=row.finished_at,
        params=row.params,
    )


def get_job(engine: Engine, job_id: int) -> Job:
    """One job; NotFound when there is none with that id."""
    with UnitOfWork(engine) as uow:
        row = job_rows.get(uow.connection, job_id)
    if row is None:
        raise NotFound(f"No job with id {job_id}.", field="jobId")
    return job_of(row)


def list_jobs(engine: Engine, *, limit: int = 50) -> list[Job]:
    """The newest jobs first."""
    with UnitOfWork(engine) as uow:
        return [job_of(row) for row in job_rows.newest(uow.connection, limit)]


def cancel_job(engine: Engine, job_id: int) -> Job:
    """Cancel a queued or running job (a finished one is answered as it is). Chunks already
    committed stay: each is a complete, recorded set of changes."""
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        if job_rows.get(uow.connection, job_id) is None:
            raise NotFound(f"No job with id {job_id}.", field="jobId")
        job_rows.cancel(uow.connection, job_id, utcnow())
        uow.commit()
    return get_job(engine, job_id)


def submit(
    engine: Engine,
    kind: str,
    params: Mapping[str, Any],
    created_by: str,
    *,
    total: int | None = None,
    worker_id: str | None = None,
) -> Job:
    """Queue a job for a worker; with `worker_id`, the caller runs it itself (it starts
    RUNNING under that worker's lease, so no other worker picks it up)."""
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        job_id = job_rows.insert(
            uow.connection,
            kind=kind,
            params=params,
            created_by=created_by,
            now=utcnow(),
            total=total,
            worker_id=worker_id,
        )
        uow.commit()
    return get_job(engine, job_id)


# --- what a kind of job provides to the runner ------------------------------------------------

ResultLine = Sequence[object]
"""One row of a job's result file, in the order of its kind's `header`."""


@dataclass
class Chunk:
    """The next piece of a job's input: `rows` input rows, after which the cursor is `cursor`."""

    rows: int
    cursor: int
    payload: Any


@dataclass
class ChunkAnswer:
    """What one chunk did: a line per row for the result file, and counts for the summary."""

    lines: list[ResultLine] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, outcome: str, line: ResultLine) -> None:
        self.lines.append(line)
        key = SUMMARY_KEYS.get(outcome, outcome.lower())
        self.counts[key] = self.counts.get(key, 0) + 1


# The result file's outcome of a row -> the summary count it adds to.
SUMMARY_KEYS = {
    "APPLIED": "applied",
    "NO_CHANGE": "no_change",
    "STALE": "stale",
    "REFUSED": "refused",
    "BAD_ROW": "bad_rows",
    "DUPLICATE": "bad_rows",
    "BLANK": "blank_lines",
    "NO_EMAIL": "no_email",
    "CREATED": "contacts_created",
    "UPDATED": "contacts_updated",
    "UNCHANGED": "contacts_unchanged",
}


Commit = Callable[[Connection, ChunkAnswer], None]
"""Called inside a chunk's transaction with its answer; raises to roll the chunk back."""


class Work(Protocol):
    """A job's input, read from its cursor onwards, and how to apply one chunk of it."""

    @property
    def header(self) -> tuple[str, ...]: ...

    def total(self) -> int | None: ...

    def next_chunk(self) -> Chunk | None: ...

    def apply(self, chunk: Chunk, commit: Commit) -> None: ...

    def close(self) -> None: ...
