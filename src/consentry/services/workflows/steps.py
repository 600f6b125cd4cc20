"""Running workflow steps: the worker takes due enrollments, groups them by workflow, version
and step, and runs each group's action as one transaction.

- *Manage communication subscription status* goes through `set_statuses` / `set_wide_statuses`
  with source WORKFLOW and the workflow (id and version) as actor, so the rulebook answers each
  contact — an address that opted out, by anyone, is refused and the refusal is on the ledger.
  A refusal also becomes a `workflow.action_refused` event.
- *Set contact property* updates the contacts (their `contact.updated` events included).
- *Delay* moves the enrollment's due time; it is a row, so it survives any restart.

Each transaction first checks that every enrollment of the group is still at the step it was
read at and then moves them on, holding the ledger head (every writer does): two workers can
read the same due rows, but only the first to commit runs the step; the other rolls back.
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine

from consentry.domain import Source
from consentry.domain.contact_properties import address_on
from consentry.domain.events import EventType
from consentry.domain.workflows import (
    Delay,
    ManageSubscription,
    SetProperty,
    WorkflowDefinition,
    actor,
    describe,
    parse_definition,
)
from consentry.services import events
from consentry.services.changes import (
    ChangeResult,
    InputError,
    Provenance,
    StatusChange,
    WideChange,
    WideResult,
)
from consentry.services.contact_batches import ContactError, ContactUpdate, update_in
from consentry.services.subscriptions import set_statuses
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.wide_opt_outs import set_wide_statuses
from consentry.services.writing import utcnow
from consentry.storage import contacts
from consentry.storage import workflows as stored
from consentry.storage.contacts import ContactRow
from consentry.storage.workflow_tables import EnrollmentStateValue, StepOutcomeValue
from consentry.storage.workflows import DueStep, WorkflowRow

BATCH = 500


class _Raced(Exception):
    """Another worker ran (part of) this group first: roll back and let the next round re-read."""


@dataclass(frozen=True)
class _Group:
    workflow_id: int
    version: int
    step: int
    definition: WorkflowDefinition
    items: list[DueStep]


def pump(engine: Engine, *, limit: int = BATCH) -> int:
    """Run the due steps (at most `limit` enrollments); how many enrollments moved."""
    now = utcnow()
    with UnitOfWork(engine) as uow:
        due = stored.due(uow.connection, now, limit)
        grouped: dict[tuple[int, int, int], list[DueStep]] = defaultdict(list)
        for item in due:
            grouped[(item.workflow_id, item.version, item.step)].append(item)
        groups = [
            _Group(wid, version, step, _definition(uow.connection, wid, version), items)
            for (wid, version, step), items in grouped.items()
        ]
    moved = 0
    for group in groups:
        try:
            moved += _run(engine, group)
        except _Raced:
            continue
    return moved


def _definition(connection: Connection, workflow_id: int, version: int) -> WorkflowDefinition:
    return parse_definition(stored.definition_at(connection, workflow_id, version))


def _run(engine: Engine, group: _Group) -> int:
    action = group.definition.actions[group.step]
    if isinstance(action, ManageSubscription):
        return _manage(engine, group, action)
    with UnitOfWork(engine, write=True) as uow:
        connection = uow.connection
        live = _claim(connection, group)
        now = utcnow()
        if isinstance(action, Delay):
            message = f"{describe(action)}."
            rows = [_line(group, step, "WAITING", message, now) for step, _ in live.values()]
            _advance(connection, group, live, now, wait=timedelta(seconds=action.seconds))
        else:
            rows = _set_property(connection, group, action, live, now)
            _advance(connection, group, live, now)
        stored.log(connection, rows)
        uow.commit()
    return len(group.items)


def _claim(connection: Connection, group: _Group) -> dict[int, tuple[DueStep, ContactRow]]:
    """Check the group is still ours; end the enrollments of contacts archived meanwhile.
    Answers the rest with their contacts."""
    if stored.still_due(connection, group.items) != {s.enrollment_id for s in group.items}:
        raise _Raced()
    found = contacts.get_many(connection, [step.contact_id for step in group.items])
    gone = [step for step in group.items if step.contact_id not in found]
    if gone:
        now = utcnow()
        stored.finish(connection, [s.enrollment_id for s in gone], _ENDED, now)
        message = "Ended: the contact was deleted."
        stored.log(
            connection, [_line(group, s, "ENDED", message, now, at_step=False) for s in gone]
        )
    return {
        step.enrollment_id: (step, found[step.contact_id])
        for step in group.items
        if step.contact_id in found
    }


_ENDED = EnrollmentStateValue.ENDED.value


def _advance(
    connection: Connection,
    group: _Group,
    live: dict[int, tuple[DueStep, ContactRow]],
    now: datetime,
    *,
    wait: timedelta = timedelta(0),
) -> None:
    following = group.step + 1
    if following >= len(group.definition.actions):
        stored.finish(connection, live, EnrollmentStateValue.COMPLETED.value, now)
    else:
        stored.advance(connection, live, following, now + wait)


def _line(
    group: _Group,
    item: DueStep,
    outcome: str,
    message: str,
    now: datetime,
    *,
    address: str | None = None,
    ledger_id: int | None = None,
    at_step: bool = True,
) -> dict[str, Any]:
    """One row of the run log; `at_step` False for what happens between steps (ending)."""
    return {
        "workflow_id": group.workflow_id,
        "version": group.version,
        "enrollment_id": item.enrollment_id,
        "contact_id": item.contact_id,
        "step": group.step if at_step else None,
        "outcome": StepOutcomeValue(outcome).value,
        "address": address,
        "message": message,
        "ledger_id": ledger_id,
        "at": now,
    }


def _set_property(
    connection: Connection,
    group: _Group,
    action: SetProperty,
    live: dict[int, tuple[DueStep, ContactRow]],
    now: datetime,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    updates: list[ContactUpdate] = []
    for step, contact in live.values():
        if contact.properties.get(action.name) == action.value:
            rows.append(
                _line(group, step, "NO_CHANGE", f"{action.name} already had that value.", now)
            )
        else:
            updates.append(ContactUpdate(str(contact.id), {action.name: action.value}))
            rows.append(_line(group, step, "APPLIED", f"{describe(action)}.", now))
    if any(isinstance(answer, ContactError) for answer in update_in(connection, updates, now)):
        raise _Raced()  # a contact was deleted or changed its email meanwhile: next round
    return rows


# --- Manage communication subscription status --------------------------------------------------


def _manage(engine: Engine, group: _Group, action: ManageSubscription) -> int:
    with UnitOfWork(engine) as uow:
        found = contacts.get_many(uow.connection, [step.contact_id for step in group.items])
    owners: list[tuple[DueStep, str | None]] = []
    for step in group.items:
        contact = found.get(step.contact_id)
        address = address_on(action.channel.is_phone, contact.properties, None) if contact else None
        owners.append((step, address))
    addressed = [(step, address) for step, address in owners if address is not None]

    def record(connection: Connection, answers: Sequence[Any]) -> None:
        live = _claim(connection, group)
        now = utcnow()
        rows: list[dict[str, Any]] = []
        refused: list[tuple[EventType, dict[str, Any], int | None, int | None]] = []
        results = dict(zip((s.enrollment_id for s, _ in addressed), answers, strict=True))
        for step, address in owners:
            if step.enrollment_id not in live:
                continue
            answer = results.get(step.enrollment_id)
            if address is None or isinstance(answer, InputError):
                missing = "phone number" if action.channel.is_phone else "email address"
                detail = f": {answer.error.message}" if isinstance(answer, InputError) else ""
                message = f"The contact has no valid {missing}{detail}."
                rows.append(_line(group, step, "NO_ADDRESS", message, now, address=address))
                continue
            assert answer is not None
            outcome = answer.decision.outcome.value
            rows.append(
                _line(
                    group,
                    step,
                    outcome,
                    answer.decision.message,
                    now,
                    address=address,
                    ledger_id=answer.ledger_id,
                )
            )
            if outcome == "REFUSED":
                refused.append(_refusal(group, action, step, address, answer))
        events.record_many(connection, refused, now=now)
        stored.log(connection, rows)
        _advance(connection, group, live, now)

    provenance = [_provenance(group, action, step) for step, _ in addressed]
    if action.status is None:
        wide = [
            WideChange(address, action.channel, action.business_unit_id, True, provenance[i])
            for i, (_, address) in enumerate(addressed)
        ]
        set_wide_statuses(engine, wide, before_commit=record)
    else:
        assert action.subscription_type_id is not None
        changes = [
            StatusChange(
                address, action.channel, action.subscription_type_id, action.status, provenance[i]
            )
            for i, (_, address) in enumerate(addressed)
        ]
        set_statuses(engine, changes, before_commit=record)
    return len(group.items)


def _provenance(group: _Group, action: ManageSubscription, step: DueStep) -> Provenance:
    return Provenance(
        Source.WORKFLOW,
        actor(group.workflow_id, group.version),
        action.legal_basis,
        action.explanation,
        evidence={
            "workflowId": group.workflow_id,
            "version": group.version,
            "step": group.step,
            "enrollmentId": step.enrollment_id,
        },
        contact_id=step.contact_id,
    )


def _refusal(
    group: _Group,
    action: ManageSubscription,
    step: DueStep,
    address: str,
    answer: ChangeResult | WideResult,
) -> tuple[EventType, dict[str, Any], int | None, int | None]:
    data = {
        "workflowId": str(group.workflow_id),
        "version": group.version,
        "step": group.step,
        "enrollmentId": step.enrollment_id,
        "contactId": step.contact_id,
        "channel": action.channel.value,
        "address": address,
        "subscriptionTypeId": action.subscription_type_id,
        "requestedStatus": action.status.value if action.status else "UNSUBSCRIBED_FROM_ALL",
        "reason": answer.decision.message,
        "refusal": answer.decision.refusal.value if answer.decision.refusal else None,
        "ledgerEntryId": answer.ledger_id,
    }
    return (EventType.WORKFLOW_ACTION_REFUSED, data, step.contact_id, None)


# --- turning a workflow off -------------------------------------------------------------------


def end_running(connection: Connection, row: WorkflowRow, message: str, now: datetime) -> int:
    """End every running enrollment of the workflow, each with a line in the log."""
    running = stored.running(connection, row.id)
    stored.finish(connection, [enrollment for enrollment, _ in running], _ENDED, now)
    stored.log(
        connection,
        [
            {
                "workflow_id": row.id,
                "version": row.version,
                "enrollment_id": enrollment,
                "contact_id": contact,
                "step": None,
                "outcome": StepOutcomeValue.ENDED.value,
                "address": None,
                "message": message,
                "ledger_id": None,
                "at": now,
            }
            for enrollment, contact in running
        ],
    )
    return len(running)
