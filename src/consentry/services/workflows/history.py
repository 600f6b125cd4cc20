"""What a workflow has done: enrollment counts, each step's outcomes, and the per-contact log."""

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from consentry.domain import InvalidInput
from consentry.domain.workflows import describe
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.workflows.definitions import get
from consentry.storage import catalog
from consentry.storage import workflows as stored
from consentry.storage.workflow_tables import StepOutcomeValue

MAX_PAGE = 200


@dataclass(frozen=True)
class StepSummary:
    index: int
    description: str
    outcomes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    enrolled: int  # every enrollment so far
    active: int
    completed: int
    ended: int
    steps: list[StepSummary]


@dataclass(frozen=True)
class LogLine:
    id: int
    at: datetime
    contact_id: int
    enrollment_id: int
    version: int
    step: int | None
    outcome: str
    address: str | None
    message: str
    ledger_id: int | None


def summary(engine: Engine, workflow_id: int) -> Summary:
    workflow = get(engine, workflow_id)
    with UnitOfWork(engine) as uow:
        states = stored.enrollment_counts(uow.connection, workflow_id)
        outcomes = stored.outcome_counts(uow.connection, workflow_id)
        names = {t.id: t.name for t in catalog.list_types(uow.connection)}
    steps = [
        StepSummary(
            index,
            describe(action, names),
            {outcome: n for (step, outcome), n in sorted(outcomes.items()) if step == index},
        )
        for index, action in enumerate(workflow.definition.actions)
    ]
    return Summary(
        enrolled=sum(states.values()),
        active=states.get("ACTIVE", 0),
        completed=states.get("COMPLETED", 0),
        ended=states.get("ENDED", 0),
        steps=steps,
    )


def log(
    engine: Engine,
    workflow_id: int,
    *,
    search: str | None = None,
    outcome: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> list[LogLine]:
    """Newest first; `search` finds an address (or part of one) or a contact id."""
    get(engine, workflow_id)  # 404 for an unknown workflow
    if outcome and outcome not in StepOutcomeValue.__members__:
        known = ", ".join(StepOutcomeValue)
        raise InvalidInput(f"outcome: one of {known}.", field="outcome")
    with UnitOfWork(engine) as uow:
        rows = stored.log_page(
            uow.connection,
            workflow_id,
            search=(search or "").strip() or None,
            outcome=outcome or None,
            before=before,
            limit=max(1, min(limit, MAX_PAGE)),
        )
    return [
        LogLine(
            row.id,
            row.at,
            row.contact_id,
            row.enrollment_id,
            row.version,
            row.step,
            row.outcome,
            row.address,
            row.message,
            row.ledger_id,
        )
        for row in rows
    ]
