"""The job runner: claims jobs, applies them a chunk at a time, keeps their result files.

Resuming after a crash is exact because each chunk commits its status changes and the job's new
cursor in one transaction (`Work.apply` hands that transaction to `_commit_chunk`). The chunk's
lines of the result file are written, under the chunk's number, before that transaction
commits; a resumed job deletes the parts of chunks that never committed and writes them again.
The parts are joined into one CSV when the job ends.
"""

import csv
import logging
import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Connection, Engine

from consentry.config import Config
from consentry.domain.events import EventType
from consentry.services import events
from consentry.services.jobs import ChunkAnswer, Job, JobState, ResultLine, Work, get_job
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import jobs as job_rows
from consentry.storage.job_tables import JobStateValue
from consentry.storage.jobs import JobRow

log = logging.getLogger("consentry.jobs")

Opener = Callable[[Engine, Config, JobRow], Work]
KINDS: dict[str, Opener] = {}
"""Every kind of job, by name; each kind's module registers its opener at import."""


class LostJob(Exception):
    """The job was cancelled, or taken over by another worker: this chunk must not commit."""


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def parts_dir(config: Config, job_id: int) -> Path:
    return config.jobs_dir.resolve() / f"job-{job_id}"


def result_file(config: Config, job_id: int) -> Path:
    return config.jobs_dir.resolve() / f"job-{job_id}-results.csv"


def write_lines(path: Path, lines: Iterable[ResultLine], header: Iterable[str] | None) -> None:
    """Write CSV lines durably under `path` (via a temporary name, so a part is whole or absent)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        if header is not None:
            writer.writerow(header)
        writer.writerows(lines)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def _part(directory: Path, chunk: int) -> Path:
    return directory / f"part-{chunk:08d}.csv"


def _drop_uncommitted_parts(directory: Path, committed: int) -> None:
    if not directory.exists():
        return
    for path in directory.iterdir():
        stem = path.name.removeprefix("part-").split(".")[0]
        if not stem.isdigit() or int(stem) >= committed or path.name.endswith(".tmp"):
            path.unlink()


def assemble(config: Config, job_id: int, header: Iterable[str]) -> Path:
    """Join the committed parts, in chunk order, into the job's result CSV."""
    directory = parts_dir(config, job_id)
    target = result_file(config, job_id)
    temporary = target.with_name(target.name + ".tmp")
    target.parent.mkdir(parents=True, exist_ok=True)
    with temporary.open("w", newline="", encoding="utf-8") as out:
        csv.writer(out).writerow(header)
        if directory.exists():
            for part in sorted(directory.glob("part-*.csv")):
                with part.open(encoding="utf-8", newline="") as source:
                    shutil.copyfileobj(source, out)
    os.replace(temporary, target)
    shutil.rmtree(directory, ignore_errors=True)
    return target


class JobRunner:
    """Runs jobs a chunk at a time. `pump` (for the worker loop) claims a job when it holds
    none and applies one chunk; `run` drives one job it already holds to its end."""

    def __init__(self, engine: Engine, config: Config, worker_id: str | None = None) -> None:
        self.engine = engine
        self.config = config
        self.worker_id = worker_id or worker_name()
        self._lease = timedelta(seconds=config.job_lease_seconds)
        self._row: JobRow | None = None
        self._work: Work | None = None
        self._done = self._chunks = 0
        self._summary: dict[str, int] = {}

    def pump(self) -> int:
        """One chunk of the job held, or of a newly claimed one; 0 when there is nothing to do."""
        if self._row is None:
            with UnitOfWork(self.engine, write=True, ledger=False) as uow:
                row = job_rows.claim(uow.connection, self.worker_id, utcnow(), self._lease)
                uow.commit()
            if row is None:
                return 0
            log.info(
                "job %s (%s) claimed by %s",
                row.id,
                row.kind,
                self.worker_id,
                extra={"job_id": row.id, "kind": row.kind, "worker_id": self.worker_id},
            )
            self._open(row)
            if self._row is None:
                return 1  # it could not start: failed, with its reason
        return self._step()

    def run(self, job_id: int, on_progress: Callable[[int, int | None], None] | None = None) -> Job:
        """Run a job this runner already holds (see `jobs.submit(worker_id=...)`) to its end."""
        if self._row is None or self._row.id != job_id:
            with UnitOfWork(self.engine) as uow:
                row = job_rows.get(uow.connection, job_id)
            assert row is not None and row.worker_id == self.worker_id
            self._open(row)
        while self._row is not None:
            self._step()
            if on_progress is not None:
                on_progress(self._done, self._total)
        return get_job(self.engine, job_id)

    @property
    def _total(self) -> int | None:
        return self._row.total if self._row else None

    def _open(self, row: JobRow) -> None:
        opener = KINDS.get(row.kind)
        if opener is None:
            self._fail(row, f"Unknown kind of job {row.kind!r}.")
            return
        _drop_uncommitted_parts(parts_dir(self.config, row.id), row.chunks)
        try:
            work = opener(self.engine, self.config, row)
            total = row.total if row.total is not None else work.total()
        except Exception as error:
            log.exception("job %s cannot start", row.id)
            self._fail(row, str(error) or type(error).__name__)
            return
        if total is not None and row.total is None:
            with UnitOfWork(self.engine, write=True, ledger=False) as uow:
                job_rows.set_total(uow.connection, row.id, total)
                uow.commit()
        self._row = JobRow(**{**row.__dict__, "total": total})
        self._work = work
        self._done, self._chunks, self._summary = row.done, row.chunks, dict(row.summary)

    def _step(self) -> int:
        row, work = self._row, self._work
        assert row is not None and work is not None
        try:
            chunk = work.next_chunk()
            if chunk is None:
                self._end(JobStateValue.SUCCEEDED)
                return 1
            work.apply(
                chunk, lambda c, answer: self._commit_chunk(c, answer, chunk.rows, chunk.cursor)
            )
            return max(chunk.rows, 1)
        except LostJob:
            self._lost()
            return 1
        except Exception as error:
            log.exception("job %s failed", row.id)
            self._end(JobStateValue.FAILED, error=str(error) or type(error).__name__)
            return 1

    def _commit_chunk(
        self, connection: Connection, answer: ChunkAnswer, rows: int, cursor: int
    ) -> None:
        """Inside the chunk's transaction: move the job on, then write the chunk's part.

        The job row is updated first: from then until commit this transaction holds it (the row
        lock on PostgreSQL, the database lock on SQLite), so no worker that took the job over can
        be writing the same part. A worker that lost the job writes nothing and rolls back.
        """
        row = self._row
        assert row is not None and self._work is not None
        summary = dict(self._summary)
        for key, value in answer.counts.items():
            summary[key] = summary.get(key, 0) + value
        held = job_rows.advance(
            connection,
            row.id,
            self.worker_id,
            done=self._done + rows,
            cursor=cursor,
            chunks=self._chunks + 1,
            summary=summary,
            now=utcnow(),
        )
        if not held:
            raise LostJob()
        write_lines(_part(parts_dir(self.config, row.id), self._chunks), answer.lines, None)
        # Should the commit itself fail, the job ends FAILED and the database's count stands.
        self._done, self._chunks, self._summary = self._done + rows, self._chunks + 1, summary
        if row.total is not None and self._done > row.total:  # as job_rows.advance does
            self._row = JobRow(**{**row.__dict__, "total": self._done})

    def _end(self, state: JobStateValue, *, error: str | None = None) -> None:
        """Record the job's end, then join its result parts (a job that ended is never taken
        over, so its parts can no longer change)."""
        row, work = self._row, self._work
        assert row is not None and work is not None
        announced = state is JobStateValue.SUCCEEDED and row.kind.startswith("import_")
        # An event is appended under the ledger head lock (services.events says why).
        with UnitOfWork(self.engine, write=True, ledger=announced) as uow:
            now = utcnow()
            ended = job_rows.finish(
                uow.connection,
                row.id,
                self.worker_id,
                state,
                now,
                result_path=str(result_file(self.config, row.id)),
                error=error,
            )
            if ended and announced:
                events.record(
                    uow.connection,
                    EventType.IMPORT_COMPLETED,
                    {"jobId": row.id, "kind": row.kind, "rows": self._done, **self._summary},
                    now=now,
                )
            uow.commit()
        if ended:
            log.info(
                "job %s (%s) %s after %s rows",
                row.id,
                row.kind,
                state.value,
                self._done,
                extra={
                    "job_id": row.id,
                    "kind": row.kind,
                    "state": state.value,
                    "rows": self._done,
                },
            )
            assemble(self.config, row.id, work.header)
            if state is JobStateValue.SUCCEEDED:
                self._discard_input(row)
            self._release()
        else:
            self._lost()

    def _lost(self) -> None:
        """Cancelled (or taken over): a cancelled job keeps the results of its chunks."""
        row, work = self._row, self._work
        assert row is not None and work is not None
        job = get_job(self.engine, row.id)
        if job.state is JobState.CANCELLED:
            path = assemble(self.config, row.id, work.header)
            with UnitOfWork(self.engine, write=True, ledger=False) as uow:
                job_rows.set_result_path(uow.connection, row.id, str(path))
                uow.commit()
            self._discard_input(row)
        self._release()

    def _discard_input(self, row: JobRow) -> None:
        """The job's own copy of an uploaded file, once nothing will read it again."""
        kept = row.params.get("file")
        inputs = self.config.jobs_dir.resolve() / "inputs"
        if isinstance(kept, str) and Path(kept).parent == inputs:
            Path(kept).unlink(missing_ok=True)

    def _fail(self, row: JobRow, error: str) -> None:
        with UnitOfWork(self.engine, write=True, ledger=False) as uow:
            job_rows.finish(
                uow.connection, row.id, self.worker_id, JobStateValue.FAILED, utcnow(), error=error
            )
            uow.commit()

    def _release(self) -> None:
        if self._work is not None:
            self._work.close()
        self._row = self._work = None
