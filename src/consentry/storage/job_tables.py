"""Tables of background jobs: the queue, its leases and each job's progress (issue 6).

A job's `cursor` is how far into its input the committed chunks reach (rows of a file, or the
last contact id of a bulk edit); `chunks` counts them. Both move in the transaction that writes
a chunk's statuses, so a worker that dies resumes exactly where the database says it stopped.
`worker_id` and `heartbeat_at` are the lease: a RUNNING job whose heartbeat is older than the
lease is taken over by another worker.

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from enum import StrEnum

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Table, Text

from consentry.storage.tables import metadata, one_of
from consentry.storage.types import UTCDateTime


class JobStateValue(StrEnum):
    """The states a job row may hold (services.jobs.JobState names the same)."""

    QUEUED = "QUEUED"
    RUNNING = "RUNNING"
    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("params", JSON, nullable=False),
    Column("total", BigInteger),
    Column("done", BigInteger, nullable=False, default=0),
    Column("cursor", BigInteger, nullable=False, default=0),
    Column("chunks", Integer, nullable=False, default=0),
    Column("summary", JSON, nullable=False),
    Column("result_path", Text),
    Column("error", Text),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("started_at", UTCDateTime),
    Column("finished_at", UTCDateTime),
    Column("worker_id", String(200)),
    Column("heartbeat_at", UTCDateTime),
    one_of("state", JobStateValue),
    # Workers look for the oldest claimable job.
    Index(None, "state", "id"),
)

__all__ = ["JobStateValue", "jobs", "metadata"]
