"""Workflows at the service layer, on SQLite and PostgreSQL: enrollment from the event log,
the steps the worker runs, the rulebook's refusals, and "enroll existing contacts now"."""

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from consentry import services
from consentry.config import Config
from consentry.domain import Channel, InvalidInput, Source, Status
from consentry.domain.events import EventType, Position
from consentry.services import account, contacts, workflows
from consentry.services import events as event_log
from consentry.services.job_pump import make_pump
from consentry.services.jobs import JobState
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.workflows import enrollment, history, steps
from consentry.storage import events as stored_events
from consentry.storage.event_tables import event_cursors
from consentry.storage.tables import ledger
from tests.integration.helpers import MARKETING, change


def _definition(**overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "name": "Customers get marketing",
        "enrollmentTrigger": {
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"}
                    ]
                }
            ]
        },
        "actions": [
            {
                "type": "MANAGE_SUBSCRIPTION",
                "channel": "EMAIL",
                "status": "SUBSCRIBED",
                "subscriptionId": str(MARKETING),
                "legalBasis": "LEGITIMATE_INTEREST_CLIENT",
                "legalBasisExplanation": "Existing customer",
            }
        ],
    }
    raw.update(overrides)
    return raw


def _status(engine: Engine, address: str, type_id: int = MARKETING) -> Status:
    view = services.read_statuses(engine, address, Channel.EMAIL)
    return next(s.status for s in view.statuses if s.subscription_type.id == type_id)


def _drain(engine: Engine) -> None:
    """What the worker does each round, until nothing is left."""
    for _ in range(50):
        if enrollment.pump(engine) + steps.pump(engine) == 0:
            return
    raise AssertionError("the workflow pumps never went idle")


def _contact(engine: Engine, email: str, stage: str = "lead") -> int:
    return contacts.create(engine, {"email": email, "lifecyclestage": stage}).id


def test_a_contact_that_becomes_a_customer_is_subscribed_and_the_ledger_names_the_workflow(
    engine: Engine,
) -> None:
    workflow = workflows.create(engine, _definition(), "user:tester")
    workflows.enable(engine, workflow.id)
    lead = _contact(engine, "lead@example.com")
    _drain(engine)
    assert _status(engine, "lead@example.com") is Status.NOT_SPECIFIED

    contacts.update(engine, str(lead), {"lifecyclestage": "customer"})
    _drain(engine)

    assert _status(engine, "lead@example.com") is Status.SUBSCRIBED
    with UnitOfWork(engine) as uow:
        entry = uow.connection.execute(select(ledger).order_by(ledger.c.id.desc())).first()
    assert entry is not None
    assert (entry.source, entry.actor_kind, entry.actor_id) == (
        "WORKFLOW",
        "WORKFLOW",
        f"{workflow.id}:v1",
    )
    found = history.summary(engine, workflow.id)
    assert (found.enrolled, found.completed, found.steps[0].outcomes) == (1, 1, {"APPLIED": 1})


def test_an_opted_out_address_is_refused_whoever_opted_it_out(
    engine: Engine, tmp_path: Path
) -> None:
    for address, source in (
        ("self@example.com", Source.PREFERENCE_CENTER),
        ("user@example.com", Source.USER),
    ):
        services.set_status(engine, change(address, Status.UNSUBSCRIBED, source))
    # "another workflow": one that opts customers out first.
    opt_out = _definition(name="Opt customers out")
    opt_out["actions"] = [
        {
            "type": "MANAGE_SUBSCRIPTION",
            "channel": "EMAIL",
            "status": "UNSUBSCRIBED",
            "subscriptionId": str(MARKETING),
        }
    ]
    first = workflows.enable(engine, workflows.create(engine, opt_out, "user:tester").id)
    for address in ("self@example.com", "user@example.com", "other@example.com"):
        _contact(engine, address, "customer")
    _drain(engine)
    workflows.disable(engine, first.id)
    assert _status(engine, "other@example.com") is Status.UNSUBSCRIBED

    second = workflows.enable(engine, workflows.create(engine, _definition(), "user:tester").id)
    runner = make_pump(engine, Config(database_url=str(engine.url), jobs_dir=tmp_path))
    job = workflows.submit_enroll_existing(
        engine, second.id, "user:tester", worker_id=runner.worker_id
    )
    finished = runner.run(job.id)
    assert finished.state is JobState.SUCCEEDED and finished.summary["enrolled"] == 3
    _drain(engine)

    for address in ("self@example.com", "user@example.com", "other@example.com"):
        assert _status(engine, address) is Status.UNSUBSCRIBED
    lines = history.log(engine, second.id)
    refused = [line for line in lines if line.outcome == "REFUSED"]
    assert {line.address for line in refused} == {
        "self@example.com",
        "user@example.com",
        "other@example.com",
    }
    assert all(line.ledger_id for line in refused)
    with UnitOfWork(engine) as uow:
        found, _ = event_log.read(uow.connection, Position(), limit=10_000)
    refusals = [e for e in found if e.type is EventType.WORKFLOW_ACTION_REFUSED]
    assert len(refusals) == 3 and refusals[0].data["workflowId"] == str(second.id)
    assert history.log(engine, second.id, search="self@")[0].address == "self@example.com"


def test_data_privacy_mode_needs_a_legal_basis_to_enable(engine: Engine) -> None:
    account.set_setting(engine, "data_privacy_mode", "true")
    bare = _definition()
    del bare["actions"][0]["legalBasis"]
    workflow = workflows.create(engine, bare, "user:tester")
    with pytest.raises(InvalidInput) as refused:
        workflows.enable(engine, workflow.id)
    assert refused.value.field == "actions[0].legalBasis"
    assert not workflows.get(engine, workflow.id).enabled


def test_sms_actions_are_refused_until_the_channel_is_set_up(engine: Engine) -> None:
    sms = _definition()
    sms["actions"] = [
        {
            "type": "MANAGE_SUBSCRIPTION",
            "channel": "SMS",
            "status": "UNSUBSCRIBED",
            "subscriptionId": "1",
        }
    ]
    with pytest.raises(InvalidInput) as refused:
        workflows.create(engine, sms, "user:tester")
    assert refused.value.field == "actions[0].channel"


def test_a_contact_enrolls_once_without_reenrollment_and_a_delay_waits(engine: Engine) -> None:
    definition = _definition(
        actions=[
            {"type": "SET_PROPERTY", "propertyName": "welcomed", "value": "yes"},
            {"type": "DELAY", "delay": 1, "unit": "DAYS"},
            {"type": "SET_PROPERTY", "propertyName": "followed_up", "value": "yes"},
        ]
    )
    workflow = workflows.enable(engine, workflows.create(engine, definition, "user:tester").id)
    contact = _contact(engine, "c@example.com", "customer")
    _drain(engine)
    assert (
        contacts.get(engine, str(contact), properties=["welcomed", "followed_up"]).properties.get(
            "welcomed"
        )
        == "yes"
    )
    found = history.summary(engine, workflow.id)
    assert (found.active, found.steps[1].outcomes) == (1, {"WAITING": 1})
    # Leaving and meeting the trigger again does not enroll a second time (it is still running,
    # and re-enrollment is off).
    contacts.update(engine, str(contact), {"lifecyclestage": "lead"})
    contacts.update(engine, str(contact), {"lifecyclestage": "customer"})
    _drain(engine)
    assert history.summary(engine, workflow.id).enrolled == 1


def test_turning_a_workflow_off_ends_its_running_contacts(engine: Engine) -> None:
    definition = _definition(
        actions=[{"type": "DELAY", "delay": 2, "unit": "HOURS"}, _definition()["actions"][0]]
    )
    workflow = workflows.enable(engine, workflows.create(engine, definition, "user:tester").id)
    _contact(engine, "d@example.com", "customer")
    _drain(engine)
    workflows.disable(engine, workflow.id)
    found = history.summary(engine, workflow.id)
    assert (found.active, found.ended) == (0, 1)
    assert _status(engine, "d@example.com") is Status.NOT_SPECIFIED


def test_contacts_matching_before_the_workflow_was_enabled_wait_for_enroll_existing(
    engine: Engine,
) -> None:
    old = _contact(engine, "old@example.com", "customer")
    workflow = workflows.enable(engine, workflows.create(engine, _definition(), "user:tester").id)
    contacts.update(engine, str(_contact(engine, "x@example.com")), {"firstname": "X"})
    # An unrelated change of a contact that already matched does not enroll it.
    contacts.update(engine, str(old), {"firstname": "Old"})
    _drain(engine)
    assert history.summary(engine, workflow.id).enrolled == 0
    # It stops matching and (once the worker has seen that) matches again: now it enrolls.
    contacts.update(engine, str(old), {"lifecyclestage": "lead"})
    _drain(engine)
    contacts.update(engine, str(old), {"lifecyclestage": "customer"})
    _drain(engine)
    assert history.summary(engine, workflow.id).enrolled == 1
    assert _status(engine, "old@example.com") is Status.SUBSCRIBED


def _cursor(engine: Engine, consumer: str) -> Position:
    with UnitOfWork(engine) as uow:
        row = uow.connection.execute(
            select(event_cursors).where(event_cursors.c.consumer == consumer)
        ).one()
    return Position(int(row.event_row), int(row.ledger_entry))


def _end(engine: Engine) -> Position:
    with UnitOfWork(engine) as uow:
        return event_log.end_position(uow.connection)


def test_with_no_workflow_on_the_log_is_skipped_unread_and_a_workflow_turned_on_still_enrolls(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    off = workflows.create(engine, _definition(name="Never turned on"), "user:tester")
    _contact(engine, "early@example.com", "customer")
    services.set_statuses(
        engine,
        [change("a@example.com", Status.SUBSCRIBED), change("b@example.com", Status.UNSUBSCRIBED)],
    )

    def unread(*_: object) -> None:
        raise AssertionError("the event log was read with no workflow on")

    with monkeypatch.context() as patched:
        patched.setattr(stored_events, "rows_after", unread)
        assert enrollment.pump(engine) == 0  # idle: the worker may sleep
        assert _cursor(engine, enrollment.CONSUMER) == _end(engine)
        assert enrollment.pump(engine) == 0  # already at the end: nothing to move

    # Turned on later, a workflow enrolls on what happens from then on (a contact already
    # matching is its baseline, left to "enroll existing contacts now").
    workflows.enable(engine, off.id)
    _contact(engine, "later@example.com", "customer")
    _drain(engine)
    assert history.summary(engine, off.id).enrolled == 1
    assert {line.address for line in history.log(engine, off.id) if line.address} == {
        "later@example.com"
    }
    assert _status(engine, "later@example.com") is Status.SUBSCRIBED
    assert _status(engine, "early@example.com") is Status.NOT_SPECIFIED
