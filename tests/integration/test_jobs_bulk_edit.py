"""Bulk edits ("Edit communication subscriptions" on the contacts index), run at once and as jobs,
and the job queue they share: progress, results, listing and cancelling."""

import csv
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from consentry import services
from consentry.config import Config
from consentry.domain import Actor, ActorKind, Channel, NotFound, Source, Status
from consentry.domain.filters import parse_groups
from consentry.services import contacts
from consentry.services.bulk_edit import (
    BulkEdit,
    count_selection,
    outcome_of,
    run_bulk_edit,
    submit_bulk_edit,
)
from consentry.services.job_pump import make_pump
from consentry.services.jobs import JobState, cancel_job, get_job, list_jobs
from consentry.storage.tables import ledger
from tests.integration.helpers import MARKETING, ONE_TO_ONE, change

ADMIN = Actor(ActorKind.USER, "admin@example.com")


@pytest.fixture
def config(tmp_path: Path, database_url: str) -> Config:
    return Config(database_url=database_url, jobs_dir=tmp_path / "jobs")


def _contacts(engine: Engine, *emails: str | None) -> list[int]:
    made = []
    for index, email in enumerate(emails):
        properties = {"firstname": f"c{index}", "lastname": "Bulk"}
        if email:
            properties["email"] = email
        made.append(contacts.create(engine, properties).id)
    return made


def _status(engine: Engine, address: str, type_id: int = MARKETING) -> Status:
    view = services.read_statuses(engine, address, Channel.EMAIL)
    return next(s.status for s in view.statuses if s.subscription_type.id == type_id)


def _lines(path: str | None) -> list[dict[str, str]]:
    assert path is not None
    with open(path, encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


def test_opt_out_of_ticked_contacts_reports_each_row(engine: Engine, config: Config) -> None:
    ids = _contacts(engine, "a@x.com", "b@x.com", None)
    services.set_status(engine, change("b@x.com", Status.UNSUBSCRIBED))
    edit = BulkEdit(
        Channel.EMAIL, Status.UNSUBSCRIBED, (MARKETING, ONE_TO_ONE), ADMIN, contact_ids=tuple(ids)
    )

    assert count_selection(engine, edit) == 3
    seen: list[tuple[int, int]] = []
    outcome = run_bulk_edit(engine, config, edit, on_progress=lambda d, t: seen.append((d, t)))

    assert (outcome.changed, outcome.no_change, outcome.refused) == (3, 1, 2)
    assert outcome.refusals == {"The contact has no email address.": 2}
    assert seen[-1] == (3, 3)
    assert _status(engine, "a@x.com", ONE_TO_ONE) is Status.UNSUBSCRIBED
    rows = {(r.contact_id, r.subscription_type_id): r.outcome for r in outcome.rows}
    assert rows[(ids[1], MARKETING)] == "NO_CHANGE"
    assert rows[(ids[2], MARKETING)] == "NO_EMAIL"
    assert len(_lines(outcome.result_path)) == 6
    with engine.connect() as connection:
        bulk = connection.execute(
            select(ledger.c.contact_id, ledger.c.actor_id).where(
                ledger.c.source == Source.BULK.value
            )
        ).all()
    assert len(bulk) == 4  # one entry per answered row; the contact without email has none
    assert {row.actor_id for row in bulk} == {"admin@example.com"}
    assert {row.contact_id for row in bulk} == {ids[0], ids[1]}


def test_bulk_edit_never_resubscribes_an_opt_out(engine: Engine, config: Config) -> None:
    ids = _contacts(engine, "out@x.com", "new@x.com")
    services.set_status(engine, change("out@x.com", Status.UNSUBSCRIBED, Source.PREFERENCE_CENTER))
    edit = BulkEdit(Channel.EMAIL, Status.SUBSCRIBED, (MARKETING,), ADMIN, contact_ids=tuple(ids))

    outcome = run_bulk_edit(engine, config, edit)

    assert (outcome.changed, outcome.refused) == (1, 1)
    assert outcome.refusals == {"A bulk edit cannot resubscribe an address that opted out.": 1}
    assert _status(engine, "out@x.com") is Status.UNSUBSCRIBED
    assert _status(engine, "new@x.com") is Status.SUBSCRIBED


def test_all_matching_a_filter_and_the_search_box(engine: Engine, config: Config) -> None:
    _contacts(engine, "ann@x.com", "bob@x.com", "anna@y.com")
    groups = parse_groups(
        [{"filters": [{"propertyName": "lastname", "operator": "EQ", "value": "Bulk"}]}]
    )
    edit = BulkEdit(
        Channel.EMAIL, Status.UNSUBSCRIBED, (MARKETING,), ADMIN, filter_groups=groups, query="ann"
    )

    assert count_selection(engine, edit) == 2
    outcome = run_bulk_edit(engine, config, edit)

    assert outcome.changed == 2
    assert _status(engine, "bob@x.com") is Status.NOT_SPECIFIED
    everyone = BulkEdit(Channel.EMAIL, Status.UNSUBSCRIBED, (MARKETING,), ADMIN)
    assert count_selection(engine, everyone) == 3


def test_whatsapp_is_refused_row_by_row_on_the_record(engine: Engine, config: Config) -> None:
    services.set_setting(engine, "whatsapp_enabled", "true")
    wa = services.create_type(engine, services.NewType("WA news", channel=Channel.WHATSAPP))
    created = contacts.create(engine, {"email": "w@x.com", "phone": "+14155550123"})
    edit = BulkEdit(
        Channel.WHATSAPP, Status.UNSUBSCRIBED, (wa.id,), ADMIN, contact_ids=(created.id,)
    )

    outcome = run_bulk_edit(engine, config, edit)

    assert outcome.refused == 1
    assert outcome.refusals == {"WhatsApp subscriptions cannot be changed in bulk.": 1}
    history = services.history(engine, "+14155550123", Channel.WHATSAPP)
    assert [e.refusal for e in history.entries] == ["BULK_WHATSAPP"]


def test_a_bulk_edit_job_runs_on_the_worker(engine: Engine, config: Config) -> None:
    ids = _contacts(engine, *(f"j{i}@x.com" for i in range(5)))
    edit = BulkEdit(Channel.EMAIL, Status.UNSUBSCRIBED, (MARKETING,), ADMIN, contact_ids=tuple(ids))

    job = submit_bulk_edit(engine, config, edit)
    assert (job.state, job.total, job.done, job.kind) == (JobState.QUEUED, 5, 0, "bulk_edit")
    assert job.created_by == "user:admin@example.com"

    runner = make_pump(engine, config)
    while runner.pump():
        pass

    finished = get_job(engine, job.id)
    assert finished.state is JobState.SUCCEEDED
    assert (finished.done, finished.summary["applied"]) == (5, 5)
    assert finished.started_at is not None and finished.finished_at is not None
    assert [line["outcome"] for line in _lines(finished.result_path)] == ["APPLIED"] * 5
    assert outcome_of(finished).changed == 5
    assert _status(engine, "j4@x.com") is Status.UNSUBSCRIBED


def test_jobs_are_listed_newest_first_and_cancelled(engine: Engine, config: Config) -> None:
    ids = _contacts(engine, "c1@x.com")
    edit = BulkEdit(Channel.EMAIL, Status.UNSUBSCRIBED, (MARKETING,), ADMIN, contact_ids=tuple(ids))
    first = submit_bulk_edit(engine, config, edit)
    second = submit_bulk_edit(engine, config, edit)

    assert [j.id for j in list_jobs(engine)] == [second.id, first.id]
    assert cancel_job(engine, first.id).state is JobState.CANCELLED
    assert cancel_job(engine, first.id).state is JobState.CANCELLED  # again: no change

    runner = make_pump(engine, config)
    while runner.pump():
        pass
    assert get_job(engine, first.id).done == 0
    assert get_job(engine, second.id).state is JobState.SUCCEEDED
    with pytest.raises(NotFound):
        get_job(engine, 999)


def test_cancelling_a_running_job_keeps_its_committed_chunks(
    engine: Engine, config: Config
) -> None:
    for start in range(0, 1_500, 100):
        contacts.create_batch(engine, [{"email": f"m{i}@x.com"} for i in range(start, start + 100)])
    edit = BulkEdit(Channel.EMAIL, Status.UNSUBSCRIBED, (MARKETING,), ADMIN)
    job = submit_bulk_edit(engine, config, edit)
    runner = make_pump(engine, config)

    assert runner.pump() == 1_000  # claims the job and commits its first chunk
    cancel_job(engine, job.id)
    runner.pump()  # the next chunk finds the job cancelled and rolls back
    assert runner.pump() == 0

    cancelled = get_job(engine, job.id)
    assert (cancelled.state, cancelled.done) == (JobState.CANCELLED, 1_000)
    assert len(_lines(cancelled.result_path)) == 1_000
    assert _status(engine, "m999@x.com") is Status.UNSUBSCRIBED
    assert _status(engine, "m1000@x.com") is Status.NOT_SPECIFIED


def test_many_ticked_rows_are_counted_and_edited(engine: Engine, config: Config) -> None:
    for start in range(0, 2_000, 100):
        contacts.create_batch(engine, [{"email": f"t{i}@x.com"} for i in range(start, start + 100)])
    ticked = tuple(range(1, 40_001))  # more ids than a statement takes parameters; most unknown
    edit = BulkEdit(Channel.EMAIL, Status.UNSUBSCRIBED, (MARKETING,), ADMIN, contact_ids=ticked)

    assert count_selection(engine, edit) == 2_000
    assert run_bulk_edit(engine, config, edit).changed == 2_000
