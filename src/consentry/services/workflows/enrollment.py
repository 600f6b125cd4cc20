"""Enrollment: contacts join a workflow when they start to match its trigger.

The worker reads the event log through the "workflows" cursor. Each batch of events names some
contacts (a contact event names its contact; a status event its email address's contact); the
trigger of each enabled workflow is evaluated for those contacts only, as one query, and
compared with the workflow's matched set. Contacts on the edge enroll (`domain.workflows.enrolls`).
Evaluation, enrollment and the cursor's move commit together, holding the ledger head, so an
enrollment can race neither another worker nor the "enroll existing contacts" job.

"Enroll existing contacts now" is a job (`KIND`) over every matching contact, in pages by id.
"""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from consentry.config import Config
from consentry.domain import NotFound
from consentry.domain.events import Event, Position
from consentry.domain.workflows import (
    WorkflowDefinition,
    enrolls,
    enrolls_existing,
    parse_definition,
)
from consentry.services import events, jobs
from consentry.services.job_runner import KINDS
from consentry.services.jobs import Chunk, ChunkAnswer, Commit, Job
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import contact_selection, workflow_members
from consentry.storage import events as event_rows
from consentry.storage import workflows as stored
from consentry.storage.jobs import JobRow
from consentry.storage.workflow_members import Member
from consentry.storage.workflow_tables import StepOutcomeValue
from consentry.storage.workflows import WorkflowRow, chunks

CONSUMER = "workflows"
KIND = "workflow_enroll"
HEADER = ("contact_id", "outcome", "message")
PAGE = 1_000


def after(position: Position, listen: Position) -> bool:
    """Whether an event at `position` happened after a workflow started listening at `listen`
    (a position with entry 0 stands for its whole row)."""
    if position.row != listen.row:
        return position.row > listen.row
    return listen.entry != 0 and position.entry > listen.entry


def pump(engine: Engine) -> int:
    """Handle the next batch of events; how many were handled (0: nothing new, and also when
    no workflow is enabled: skipping is no work the worker should hurry back for)."""
    if _skip_unheard(engine):
        return 0
    return events.consume(engine, CONSUMER, _handle, lock_head=True)


def _skip_unheard(engine: Engine) -> bool:
    """Jump the cursor past events no enabled workflow listens to: to the log's end, without
    reading, when none is enabled (answers True: nothing is left to read), else to the earliest
    position one listens from (so a new install or a long-disabled account never re-reads its
    whole history).

    The end is taken before the workflows are listed. A workflow this listing misses is
    enabled after it, holding the ledger head, so it listens from a position at or past that
    end (every event is recorded under the ledger head): none of the events it hears is
    skipped."""
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        connection = uow.connection
        cursor = event_rows.lock_cursor(connection, CONSUMER)
        end = events.end_position(connection)
        listening = [row.listen for row in stored.list_all(connection, enabled_only=True)]
        if listening:
            # Listening positions come from `end_position`: whole rows (entry 0).
            target = min(listening)
            behind = cursor.row < target.row
        else:
            target = end
            behind = cursor.row < end.row or (cursor.row == end.row and cursor.entry != 0)
        if behind:
            event_rows.move_cursor(connection, CONSUMER, target)
            uow.commit()
        return not listening


def _handle(connection: Connection, found: list[Event]) -> None:
    now = utcnow()
    for row in stored.list_all(connection, enabled_only=True):
        heard = [event for event in found if after(event.position, row.listen)]
        ids = _contacts_named(connection, heard)
        if ids:
            evaluate(connection, row, parse_definition(row.definition), ids, now)


def _contacts_named(connection: Connection, found: Sequence[Event]) -> set[int]:
    ids = {event.contact_id for event in found if event.contact_id is not None}
    subscribers = {
        event.subscriber_id
        for event in found
        if event.subscriber_id is not None and event.data.get("channel") == "EMAIL"
    }
    return ids | workflow_members.contacts_of_subscribers(connection, subscribers)


def matching(
    connection: Connection, definition: WorkflowDefinition, contact_ids: Iterable[int]
) -> set[int]:
    """Which of these live contacts match the trigger now."""
    found: set[int] = set()
    for chunk in chunks(contact_ids):
        page = contact_selection.page(
            connection, chunk, definition.trigger, (), after=0, limit=len(chunk)
        )
        found.update(contact.id for contact in page)
    return found


def evaluate(
    connection: Connection,
    row: WorkflowRow,
    definition: WorkflowDefinition,
    contact_ids: set[int],
    now: datetime,
) -> list[int]:
    """Re-evaluate the trigger for these contacts; enroll those on the edge. Answers the
    contacts enrolled."""
    now_matching = matching(connection, definition, contact_ids)
    members = workflow_members.members(connection, row.id, contact_ids)
    active = workflow_members.active_contacts(connection, row.id, now_matching)
    changed: dict[int, Member] = {}
    joining: list[int] = []
    for contact_id in sorted(contact_ids):
        before = members.get(contact_id, Member(False, 0))
        matches = contact_id in now_matching
        if enrolls(
            was_matching=before.matching,
            matches=matches,
            ever_enrolled=before.enrollments > 0,
            active=contact_id in active,
            reenroll=definition.reenroll,
        ):
            joining.append(contact_id)
            changed[contact_id] = Member(True, before.enrollments + 1)
        elif before.matching != matches:
            changed[contact_id] = Member(matches, before.enrollments)
    workflow_members.save_members(connection, row.id, changed)
    _enroll(connection, row, joining, "TRIGGER", now)
    return joining


def _enroll(
    connection: Connection, row: WorkflowRow, contact_ids: list[int], via: str, now: datetime
) -> None:
    enrollment_ids = stored.enroll(connection, row.id, row.version, contact_ids, via, now)
    how = "met the enrollment trigger" if via == "TRIGGER" else "enrolled as an existing contact"
    stored.log(
        connection,
        [
            {
                "workflow_id": row.id,
                "version": row.version,
                "enrollment_id": enrollment_id,
                "contact_id": contact_id,
                "step": None,
                "outcome": StepOutcomeValue.ENROLLED.value,
                "address": None,
                "message": f"Enrolled: {how} (version {row.version}).",
                "ledger_id": None,
                "at": now,
            }
            for enrollment_id, contact_id in zip(enrollment_ids, contact_ids, strict=True)
        ],
    )


# --- "enroll existing contacts now" ------------------------------------------------------------


def submit_enroll_existing(
    engine: Engine, workflow_id: int, by: str, *, worker_id: str | None = None
) -> Job:
    """Queue the job that enrolls every contact matching the trigger now (`worker_id`: the
    caller runs it itself, as `jobs.submit` explains)."""
    with UnitOfWork(engine) as uow:
        row = stored.get(uow.connection, workflow_id)
        if row is None:
            raise NotFound(f"No workflow with id {workflow_id}.", field="workflowId")
        definition = parse_definition(row.definition)
        total = contact_selection.count(uow.connection, None, definition.trigger)
        # "Existing" means existing now: contacts made after the request enroll through their
        # own events, so the job's count stays what it was when it was asked for.
        up_to = contact_selection.last_id(uow.connection)
    _require_enabled(row)
    params = {"workflowId": workflow_id, "upTo": up_to}
    return jobs.submit(engine, KIND, params, by, total=total, worker_id=worker_id)


def _require_enabled(row: WorkflowRow) -> None:
    if not row.enabled:
        from consentry.domain import Conflict

        raise Conflict(
            f"Workflow {row.id} is off: turn it on before enrolling existing contacts.",
            field="workflowId",
        )


class EnrollExisting:
    """The contacts matching the trigger, in pages by id; the cursor is the last id committed."""

    header = HEADER

    def __init__(
        self, engine: Engine, workflow_id: int, cursor: int, up_to: int | None = None
    ) -> None:
        self._engine = engine
        self._workflow_id = workflow_id
        self._after = cursor
        self._up_to = up_to

    def _workflow(self, connection: Connection) -> tuple[WorkflowRow, WorkflowDefinition]:
        row = stored.get(connection, self._workflow_id)
        if row is None:
            raise NotFound(f"No workflow with id {self._workflow_id}.", field="workflowId")
        return row, parse_definition(row.definition)

    def total(self) -> int:
        with UnitOfWork(self._engine) as uow:
            _, definition = self._workflow(uow.connection)
            return contact_selection.count(uow.connection, None, definition.trigger)

    def next_chunk(self) -> Chunk | None:
        with UnitOfWork(self._engine) as uow:
            _, definition = self._workflow(uow.connection)
            page = contact_selection.page(
                uow.connection, None, definition.trigger, (), after=self._after, limit=PAGE
            )
        if self._up_to is not None:
            page = [c for c in page if c.id <= self._up_to]
        if not page:
            return None
        self._after = page[-1].id
        return Chunk(rows=len(page), cursor=page[-1].id, payload=[c.id for c in page])

    def apply(self, chunk: Chunk, commit: Commit) -> None:
        contact_ids: list[int] = chunk.payload
        now = utcnow()
        with UnitOfWork(self._engine, write=True) as uow:
            connection = uow.connection
            row, definition = self._workflow(connection)
            _require_enabled(row)
            # Re-read under the lock: a contact may have stopped matching since the page.
            still = matching(connection, definition, contact_ids)
            members = workflow_members.members(connection, row.id, still)
            active = workflow_members.active_contacts(connection, row.id, still)
            answer = ChunkAnswer()
            joining: list[int] = []
            changed: dict[int, Member] = {}
            for contact_id in contact_ids:
                before = members.get(contact_id, Member(False, 0))
                if contact_id not in still:
                    answer.add("SKIPPED", (contact_id, "SKIPPED", "No longer matches the trigger."))
                elif enrolls_existing(
                    ever_enrolled=before.enrollments > 0,
                    active=contact_id in active,
                    reenroll=definition.reenroll,
                ):
                    joining.append(contact_id)
                    changed[contact_id] = Member(True, before.enrollments + 1)
                    answer.add("ENROLLED", (contact_id, "ENROLLED", "Enrolled."))
                else:
                    changed[contact_id] = Member(True, before.enrollments)
                    reason = _why_not(contact_id in active)
                    answer.add("SKIPPED", (contact_id, "SKIPPED", reason))
            workflow_members.save_members(connection, row.id, changed)
            _enroll(connection, row, joining, "EXISTING", now)
            commit(connection, answer)
            uow.commit()

    def close(self) -> None:
        pass


def _why_not(active: bool) -> str:
    if active:
        return "Already enrolled and still running."
    return "Enrolled before, and re-enrollment is off."


def _open(engine: Engine, _: Config, row: JobRow) -> EnrollExisting:
    params: Mapping[str, Any] = row.params
    up_to = params.get("upTo")
    return EnrollExisting(
        engine,
        int(params["workflowId"]),
        cursor=row.cursor,
        up_to=None if up_to is None else int(up_to),
    )


KINDS[KIND] = _open
