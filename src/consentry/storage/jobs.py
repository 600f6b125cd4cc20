"""The jobs table: queue, claim (with a lease), progress, finish and cancel.

Every function takes the caller's connection and never commits. `claim` uses
`FOR UPDATE SKIP LOCKED` on PostgreSQL so several workers share the queue without waiting on
each other; on SQLite the caller's BEGIN IMMEDIATE makes the claimer the only writer.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, or_, select, update

from consentry.storage.job_tables import JobStateValue, jobs

_RUNNING = JobStateValue.RUNNING.value
_QUEUED = JobStateValue.QUEUED.value


@dataclass(frozen=True)
class JobRow:
    id: int
    kind: str
    state: str
    params: dict[str, Any]
    total: int | None
    done: int
    cursor: int
    chunks: int
    summary: dict[str, int]
    result_path: str | None
    error: str | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    worker_id: str | None
    heartbeat_at: datetime | None


def _row(row: Any) -> JobRow:
    mapping = row._mapping
    values = {name: mapping[name] for name in JobRow.__dataclass_fields__}
    values["params"] = dict(values["params"] or {})
    values["summary"] = dict(values["summary"] or {})
    return JobRow(**values)


def insert(
    connection: Connection,
    *,
    kind: str,
    params: Mapping[str, Any],
    created_by: str,
    now: datetime,
    total: int | None = None,
    worker_id: str | None = None,
) -> int:
    """A new job: QUEUED, or already RUNNING under `worker_id` when its creator runs it."""
    running = worker_id is not None
    result = connection.execute(
        jobs.insert().returning(jobs.c.id),
        {
            "kind": kind,
            "state": _RUNNING if running else _QUEUED,
            "params": dict(params),
            "total": total,
            "done": 0,
            "cursor": 0,
            "chunks": 0,
            "summary": {},
            "created_by": created_by,
            "created_at": now,
            "started_at": now if running else None,
            "worker_id": worker_id,
            "heartbeat_at": now if running else None,
        },
    )
    return int(result.scalar_one())


def get(connection: Connection, job_id: int) -> JobRow | None:
    row = connection.execute(select(jobs).where(jobs.c.id == job_id)).first()
    return _row(row) if row else None


def newest(connection: Connection, limit: int) -> list[JobRow]:
    rows = connection.execute(select(jobs).order_by(jobs.c.id.desc()).limit(limit))
    return [_row(row) for row in rows]


def claim(connection: Connection, worker_id: str, now: datetime, lease: timedelta) -> JobRow | None:
    """Take the oldest queued job, or a running one whose worker stopped renewing its lease."""
    claimable = or_(
        jobs.c.state == _QUEUED,
        and_(jobs.c.state == _RUNNING, jobs.c.heartbeat_at < now - lease),
    )
    query = select(jobs.c.id).where(claimable).order_by(jobs.c.id).limit(1)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    job_id = connection.execute(query).scalar()
    if job_id is None:
        return None
    connection.execute(
        update(jobs)
        .where(jobs.c.id == job_id)
        .values(state=_RUNNING, worker_id=worker_id, heartbeat_at=now)
    )
    connection.execute(
        update(jobs).where(jobs.c.id == job_id, jobs.c.started_at.is_(None)).values(started_at=now)
    )
    return get(connection, job_id)


def advance(
    connection: Connection,
    job_id: int,
    worker_id: str,
    *,
    done: int,
    cursor: int,
    chunks: int,
    summary: Mapping[str, int],
    now: datetime,
) -> bool:
    """Record a committed chunk, if this worker still holds the job; False when it does not
    (cancelled, or taken over after its lease ran out): the caller must then roll back."""
    result = connection.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.worker_id == worker_id, jobs.c.state == _RUNNING)
        .values(
            done=done,
            cursor=cursor,
            chunks=chunks,
            summary=dict(summary),
            heartbeat_at=now,
            # A job over live data (enroll existing contacts) may find more rows than it
            # counted when queued: its total grows rather than the progress passing 100 %.
            total=case((jobs.c.total < done, done), else_=jobs.c.total),
        )
    )
    return result.rowcount == 1


def set_total(connection: Connection, job_id: int, total: int) -> None:
    connection.execute(update(jobs).where(jobs.c.id == job_id).values(total=total))


def finish(
    connection: Connection,
    job_id: int,
    worker_id: str | None,
    state: JobStateValue,
    now: datetime,
    *,
    result_path: str | None = None,
    error: str | None = None,
) -> bool:
    """End a running job held by `worker_id` (None: whoever holds it)."""
    condition = and_(jobs.c.id == job_id, jobs.c.state == _RUNNING)
    if worker_id is not None:
        condition = and_(condition, jobs.c.worker_id == worker_id)
    values: dict[str, Any] = {"state": state.value, "finished_at": now, "error": error}
    if result_path is not None:
        values["result_path"] = result_path
    return connection.execute(update(jobs).where(condition).values(**values)).rowcount == 1


def set_result_path(connection: Connection, job_id: int, path: str) -> None:
    connection.execute(update(jobs).where(jobs.c.id == job_id).values(result_path=path))


def cancel(connection: Connection, job_id: int, now: datetime) -> bool:
    """Cancel a queued or running job; a running one stops before its next chunk commits."""
    result = connection.execute(
        update(jobs)
        .where(jobs.c.id == job_id, jobs.c.state.in_([_QUEUED, _RUNNING]))
        .values(state=JobStateValue.CANCELLED.value, finished_at=now)
    )
    return result.rowcount == 1
