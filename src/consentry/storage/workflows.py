"""Reading and writing workflows, their matched sets, enrollments and run log.

Holds no rule: which contacts enroll and what a step does are decided in `domain.workflows`
and `services.workflows`; this module only moves rows, many at a time.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, insert, or_, select, update

from consentry.domain.events import Position
from consentry.storage.tables import contacts
from consentry.storage.upsert import insert_rows
from consentry.storage.workflow_tables import (
    EnrollmentStateValue,
    workflow_enrollments,
    workflow_log,
    workflow_versions,
    workflows,
)

_ACTIVE = EnrollmentStateValue.ACTIVE.value
_CHUNK = 900


@dataclass(frozen=True)
class WorkflowRow:
    id: int
    name: str
    version: int
    enabled: bool
    listen: Position
    definition: dict[str, Any]
    created_by: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DueStep:
    enrollment_id: int
    workflow_id: int
    version: int
    contact_id: int
    step: int


def chunks(ids: Iterable[int]) -> Iterable[list[int]]:
    """Sorted distinct ids, 900 at a time: under every database's parameter bound."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), _CHUNK):
        yield wanted[start : start + _CHUNK]


# --- definitions --------------------------------------------------------------------------------


def insert_workflow(
    connection: Connection, name: str, definition: Mapping[str, Any], by: str, now: datetime
) -> int:
    workflow_id = int(
        connection.execute(
            insert(workflows)
            .values(
                name=name,
                version=1,
                enabled=False,
                listen_row=0,
                listen_entry=0,
                created_by=by,
                created_at=now,
                updated_at=now,
            )
            .returning(workflows.c.id)
        ).scalar_one()
    )
    insert_version(connection, workflow_id, 1, definition, by, now)
    return workflow_id


def insert_version(
    connection: Connection,
    workflow_id: int,
    version: int,
    definition: Mapping[str, Any],
    by: str,
    now: datetime,
) -> None:
    connection.execute(
        insert(workflow_versions).values(
            workflow_id=workflow_id,
            version=version,
            definition=dict(definition),
            created_by=by,
            created_at=now,
        )
    )
    connection.execute(
        update(workflows)
        .where(workflows.c.id == workflow_id)
        .values(name=definition["name"], version=version, updated_at=now)
    )


def _select_workflows() -> Any:
    return select(
        workflows,
        workflow_versions.c.definition,
    ).join(
        workflow_versions,
        and_(
            workflow_versions.c.workflow_id == workflows.c.id,
            workflow_versions.c.version == workflows.c.version,
        ),
    )


def _workflow(row: Any) -> WorkflowRow:
    return WorkflowRow(
        id=row.id,
        name=row.name,
        version=row.version,
        enabled=bool(row.enabled),
        listen=Position(int(row.listen_row), int(row.listen_entry)),
        definition=dict(row.definition),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def get(connection: Connection, workflow_id: int, *, lock: bool = False) -> WorkflowRow | None:
    query = _select_workflows().where(workflows.c.id == workflow_id)
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update(of=workflows)
    row = connection.execute(query).first()
    return _workflow(row) if row is not None else None


def list_all(connection: Connection, *, enabled_only: bool = False) -> list[WorkflowRow]:
    query = _select_workflows().order_by(workflows.c.id)
    if enabled_only:
        query = query.where(workflows.c.enabled.is_(True))
    return [_workflow(row) for row in connection.execute(query)]


def definition_at(connection: Connection, workflow_id: int, version: int) -> dict[str, Any]:
    row = connection.execute(
        select(workflow_versions.c.definition).where(
            workflow_versions.c.workflow_id == workflow_id,
            workflow_versions.c.version == version,
        )
    ).scalar_one()
    return dict(row)


def set_enabled(
    connection: Connection,
    workflow_id: int,
    enabled: bool,
    now: datetime,
    listen: Position | None = None,
) -> None:
    values: dict[str, Any] = {"enabled": enabled, "updated_at": now}
    if listen is not None:
        values.update(listen_row=listen.row, listen_entry=listen.entry)
    connection.execute(update(workflows).where(workflows.c.id == workflow_id).values(**values))


# --- enrollments ------------------------------------------------------------------------------


def enroll(
    connection: Connection,
    workflow_id: int,
    version: int,
    contact_ids: Sequence[int],
    via: str,
    now: datetime,
) -> list[int]:
    """Start an enrollment for each contact (at step 0, due now); answers their ids in order."""
    if not contact_ids:
        return []
    rows = [
        {
            "workflow_id": workflow_id,
            "version": version,
            "contact_id": contact_id,
            "active_contact": contact_id,
            "state": _ACTIVE,
            "step": 0,
            "due_at": now,
            "enrolled_at": now,
            "finished_at": None,
            "via": via,
        }
        for contact_id in contact_ids
    ]
    insert_rows(connection, workflow_enrollments, rows)
    found = {
        row.contact_id: row.id
        for chunk in chunks(contact_ids)
        for row in connection.execute(
            select(workflow_enrollments.c.id, workflow_enrollments.c.contact_id).where(
                workflow_enrollments.c.workflow_id == workflow_id,
                workflow_enrollments.c.active_contact.in_(chunk),
            )
        )
    }
    return [found[contact_id] for contact_id in contact_ids]


def due(connection: Connection, now: datetime, limit: int) -> list[DueStep]:
    """The oldest due steps of running enrollments (locked and skipped by other workers on
    PostgreSQL)."""
    query = (
        select(
            workflow_enrollments.c.id,
            workflow_enrollments.c.workflow_id,
            workflow_enrollments.c.version,
            workflow_enrollments.c.contact_id,
            workflow_enrollments.c.step,
        )
        .where(workflow_enrollments.c.state == _ACTIVE, workflow_enrollments.c.due_at <= now)
        .order_by(workflow_enrollments.c.due_at, workflow_enrollments.c.id)
        .limit(limit)
    )
    if connection.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [
        DueStep(row.id, row.workflow_id, row.version, row.contact_id, row.step)
        for row in connection.execute(query)
    ]


def still_due(connection: Connection, steps: Sequence[DueStep]) -> set[int]:
    """Which of these enrollments are still running at the step they were read at (another
    worker may have run it meanwhile)."""
    found: set[int] = set()
    by_id = {step.enrollment_id: step for step in steps}
    for chunk in chunks(by_id):
        rows = connection.execute(
            select(workflow_enrollments.c.id, workflow_enrollments.c.step).where(
                workflow_enrollments.c.id.in_(chunk),
                workflow_enrollments.c.state == _ACTIVE,
            )
        )
        found.update(row.id for row in rows if row.step == by_id[row.id].step)
    return found


def advance(
    connection: Connection, enrollment_ids: Iterable[int], step: int, due_at: datetime
) -> None:
    for chunk in chunks(enrollment_ids):
        connection.execute(
            update(workflow_enrollments)
            .where(workflow_enrollments.c.id.in_(chunk))
            .values(step=step, due_at=due_at)
        )


def finish(
    connection: Connection, enrollment_ids: Iterable[int], state: str, now: datetime
) -> None:
    for chunk in chunks(enrollment_ids):
        connection.execute(
            update(workflow_enrollments)
            .where(workflow_enrollments.c.id.in_(chunk))
            .values(state=state, active_contact=None, finished_at=now)
        )


def running(connection: Connection, workflow_id: int) -> list[tuple[int, int]]:
    """(enrollment id, contact id) of every running enrollment of a workflow."""
    rows = connection.execute(
        select(workflow_enrollments.c.id, workflow_enrollments.c.contact_id).where(
            workflow_enrollments.c.workflow_id == workflow_id,
            workflow_enrollments.c.state == _ACTIVE,
        )
    )
    return [(row.id, row.contact_id) for row in rows]


# --- the run log ------------------------------------------------------------------------------


def log(connection: Connection, rows: Sequence[Mapping[str, Any]]) -> None:
    insert_rows(connection, workflow_log, [dict(row) for row in rows])


def enrollment_counts(connection: Connection, workflow_id: int) -> dict[str, int]:
    rows = connection.execute(
        select(workflow_enrollments.c.state, func.count())
        .where(workflow_enrollments.c.workflow_id == workflow_id)
        .group_by(workflow_enrollments.c.state)
    )
    return {row[0]: int(row[1]) for row in rows}


def outcome_counts(connection: Connection, workflow_id: int) -> dict[tuple[int, str], int]:
    """How many log rows of each outcome each step has."""
    rows = connection.execute(
        select(workflow_log.c.step, workflow_log.c.outcome, func.count())
        .where(workflow_log.c.workflow_id == workflow_id, workflow_log.c.step.is_not(None))
        .group_by(workflow_log.c.step, workflow_log.c.outcome)
    )
    return {(int(row[0]), row[1]): int(row[2]) for row in rows}


def log_page(
    connection: Connection,
    workflow_id: int,
    *,
    contact_ids: Sequence[int] | None = None,
    search: str | None = None,
    outcome: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[Any]:
    """Newest first; `search` matches the address or the contact's email (part of either), or
    the contact id; `before` pages on."""
    query = select(workflow_log).where(workflow_log.c.workflow_id == workflow_id)
    if contact_ids is not None:
        query = query.where(workflow_log.c.contact_id.in_(list(contact_ids)[:_CHUNK]))
    if search:
        needle = f"%{search.lower()}%"
        with_email = select(contacts.c.id).where(contacts.c.email_key.like(needle))
        clauses: list[ColumnElement[bool]] = [
            func.lower(workflow_log.c.address).like(needle),
            workflow_log.c.contact_id.in_(with_email),
        ]
        if search.isdigit():
            clauses.append(workflow_log.c.contact_id == int(search))
        query = query.where(or_(*clauses))
    if outcome:
        query = query.where(workflow_log.c.outcome == outcome)
    if before is not None:
        query = query.where(workflow_log.c.id < before)
    return list(connection.execute(query.order_by(workflow_log.c.id.desc()).limit(limit)))
