"""The job queue shared by several workers: each job is claimed by one worker, a worker that
stops renewing its lease loses the job to another, and the one that lost it cannot commit."""

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from consentry import services
from consentry.config import Config
from consentry.domain import Actor, ActorKind, Channel, Status
from consentry.services import contacts
from consentry.services.bulk_edit import BulkEdit, submit_bulk_edit
from consentry.services.job_runner import JobRunner
from consentry.services.jobs import JobState, get_job
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import jobs as job_rows
from tests.integration.helpers import MARKETING

ADMIN = Actor(ActorKind.USER, "admin")


def _config(tmp_path: Path, database_url: str, lease: int) -> Config:
    return Config(database_url=database_url, jobs_dir=tmp_path / "jobs", job_lease_seconds=lease)


def _edit(engine: Engine, count: int, prefix: str) -> BulkEdit:
    ids: list[int] = []
    for start in range(0, count, 100):
        made = contacts.create_batch(
            engine, [{"email": f"{prefix}{i}@x.com"} for i in range(start, min(count, start + 100))]
        )
        ids += [c.id for c in made if isinstance(c, contacts.Contact)]
    return BulkEdit(Channel.EMAIL, Status.UNSUBSCRIBED, (MARKETING,), ADMIN, contact_ids=tuple(ids))


def test_two_workers_take_different_jobs(engine: Engine, tmp_path: Path, database_url: str) -> None:
    config = _config(tmp_path, database_url, lease=60)
    first = submit_bulk_edit(engine, config, _edit(engine, 1_200, "a"))
    second = submit_bulk_edit(engine, config, _edit(engine, 1_200, "b"))
    one, other = JobRunner(engine, config), JobRunner(engine, config)

    assert one.pump() == 1_000 and other.pump() == 1_000
    while one.pump() or other.pump():
        pass

    for job in (get_job(engine, first.id), get_job(engine, second.id)):
        assert (job.state, job.done, job.summary["applied"]) == (JobState.SUCCEEDED, 1_200, 1_200)
    entries = services.history(engine, "a0@x.com", Channel.EMAIL).entries
    assert len(entries) == 1  # applied once, by whichever worker held the job


def test_a_worker_that_lost_its_lease_cannot_commit(
    engine: Engine, tmp_path: Path, database_url: str
) -> None:
    stalled_config = _config(tmp_path, database_url, lease=0)
    job = submit_bulk_edit(engine, stalled_config, _edit(engine, 2_500, "c"))
    stalled, successor = JobRunner(engine, stalled_config), JobRunner(engine, stalled_config)

    assert stalled.pump() == 1_000  # claims the job, commits chunk 0
    assert successor.pump() == 1_000  # the lease has run out: takes the job over, chunk 1
    stalled.pump()  # its chunk would be chunk 1 again: refused, rolled back
    while successor.pump():
        pass

    finished = get_job(engine, job.id)
    assert (finished.state, finished.done) == (JobState.SUCCEEDED, 2_500)
    assert finished.summary == {"applied": 2_500}
    assert len(services.history(engine, "c1500@x.com", Channel.EMAIL).entries) == 1
    with open(finished.result_path or "", encoding="utf-8") as results:
        assert len(results.read().splitlines()) == 2_501  # a header and one line per contact


@pytest.mark.parametrize("kind", ["no_such_kind"])
def test_a_job_of_an_unknown_kind_fails_with_a_reason(
    engine: Engine, tmp_path: Path, database_url: str, kind: str
) -> None:
    config = _config(tmp_path, database_url, lease=60)
    job = services.jobs.submit(engine, kind, {}, "user:admin")

    JobRunner(engine, config).pump()

    failed = get_job(engine, job.id)
    assert failed.state is JobState.FAILED
    assert failed.error == "Unknown kind of job 'no_such_kind'."


def test_a_claim_skips_a_job_another_worker_is_claiming(
    engine: Engine, tmp_path: Path, database_url: str
) -> None:
    if engine.dialect.name == "sqlite":
        pytest.skip("SQLite has one writer at a time: its claims queue instead (BEGIN IMMEDIATE)")
    config = _config(tmp_path, database_url, lease=60)
    first = submit_bulk_edit(engine, config, _edit(engine, 10, "d"))
    second = submit_bulk_edit(engine, config, _edit(engine, 10, "e"))
    now, lease = utcnow(), timedelta(seconds=60)

    with engine.connect() as connection, connection.begin():
        held = job_rows.claim(connection, "worker-a", now, lease)  # not committed yet
        with UnitOfWork(engine, write=True, ledger=False) as uow:
            # Waiting for worker A's lock would be the bug: fail fast instead of hanging.
            uow.connection.execute(text("SET LOCAL lock_timeout = '2s'"))
            other = job_rows.claim(uow.connection, "worker-b", now, lease)
            uow.commit()

    assert held is not None and other is not None
    assert (held.id, other.id) == (first.id, second.id)
