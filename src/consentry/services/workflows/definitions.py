"""Creating, changing, enabling and disabling workflows.

Every change of the definition is a new version (the ledger names the version that acted).
Enabling takes the ledger head, so no writer commits between the two things it records: the
event-log position the workflow listens from, and the contacts that match its trigger at that
moment (its *baseline*: they count as already matching, so only a contact that starts to match
later enrolls; "enroll existing contacts now" is the explicit way to take them in).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from consentry.domain import Channel, NotFound
from consentry.domain.workflows import (
    Catalog,
    WorkflowDefinition,
    check_actions,
    check_enable,
    definition_json,
    parse_definition,
)
from consentry.services import events
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.workflows.steps import end_running
from consentry.services.writing import utcnow
from consentry.storage import account_settings, catalog
from consentry.storage import workflow_members as baseline
from consentry.storage import workflows as stored
from consentry.storage.workflows import WorkflowRow


@dataclass(frozen=True)
class Workflow:
    id: int
    name: str
    version: int
    enabled: bool
    definition: WorkflowDefinition
    created_by: str
    created_at: datetime
    updated_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "version": self.version,
            "enabled": self.enabled,
            **definition_json(self.definition),
            "createdBy": self.created_by,
            "createdAt": self.created_at.isoformat(),
            "updatedAt": self.updated_at.isoformat(),
        }


def _workflow(row: WorkflowRow) -> Workflow:
    return Workflow(
        id=row.id,
        name=row.name,
        version=row.version,
        enabled=row.enabled,
        definition=parse_definition(row.definition),
        created_by=row.created_by,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def load_catalog(connection: Connection) -> Catalog:
    settings = account_settings.load(connection)
    return Catalog(
        type_channels={t.id: t.channel for t in catalog.list_types(connection)},
        unit_ids=frozenset(unit.id for unit in catalog.list_units(connection)),
        channels_set_up=frozenset(c for c in Channel if settings.channel_enabled(c)),
        data_privacy_mode=settings.data_privacy_mode,
        business_units_enabled=settings.business_units_enabled,
    )


def _found(connection: Connection, workflow_id: int, *, lock: bool = False) -> WorkflowRow:
    row = stored.get(connection, workflow_id, lock=lock)
    if row is None:
        raise NotFound(f"No workflow with id {workflow_id}.", field="workflowId")
    return row


def create(engine: Engine, raw: Mapping[str, Any], by: str) -> Workflow:
    """A new workflow, disabled: check it, then `enable` it."""
    definition = parse_definition(raw)
    now = utcnow()
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        check_actions(definition, load_catalog(uow.connection))
        workflow_id = stored.insert_workflow(
            uow.connection, definition.name, definition_json(definition), by, now
        )
        uow.commit()
    return get(engine, workflow_id)


def update(engine: Engine, workflow_id: int, raw: Mapping[str, Any], by: str) -> Workflow:
    """A new version. Running enrollments finish on the version they started with; an enabled
    workflow re-checks and re-takes its baseline, since the trigger may have changed."""
    definition = parse_definition(raw)
    now = utcnow()
    with UnitOfWork(engine, write=True) as uow:
        connection = uow.connection
        row = _found(connection, workflow_id, lock=True)
        checks = load_catalog(connection)
        (check_enable if row.enabled else check_actions)(definition, checks)
        stored.insert_version(
            connection, workflow_id, row.version + 1, definition_json(definition), by, now
        )
        if row.enabled:
            _listen(connection, workflow_id, definition, now)
        uow.commit()
    return get(engine, workflow_id)


def enable(engine: Engine, workflow_id: int) -> Workflow:
    now = utcnow()
    with UnitOfWork(engine, write=True) as uow:
        connection = uow.connection
        row = _found(connection, workflow_id, lock=True)
        definition = parse_definition(row.definition)
        check_enable(definition, load_catalog(connection))
        if not row.enabled:
            _listen(connection, workflow_id, definition, now)
        uow.commit()
    return get(engine, workflow_id)


def _listen(
    connection: Connection, workflow_id: int, definition: WorkflowDefinition, now: datetime
) -> None:
    stored.set_enabled(connection, workflow_id, True, now, events.end_position(connection))
    baseline.take(connection, workflow_id, definition.trigger)


def disable(engine: Engine, workflow_id: int) -> Workflow:
    """Stop enrolling, and end the running enrollments (a delay still waiting never runs)."""
    now = utcnow()
    with UnitOfWork(engine, write=True) as uow:
        row = _found(uow.connection, workflow_id, lock=True)
        if row.enabled:
            stored.set_enabled(uow.connection, workflow_id, False, now)
            end_running(uow.connection, row, "The workflow was turned off.", now)
        uow.commit()
    return get(engine, workflow_id)


def get(engine: Engine, workflow_id: int) -> Workflow:
    with UnitOfWork(engine) as uow:
        return _workflow(_found(uow.connection, workflow_id))


def list_workflows(engine: Engine) -> list[Workflow]:
    with UnitOfWork(engine) as uow:
        return [_workflow(row) for row in stored.list_all(uow.connection)]
