"""`/api/v1/workflows`: define workflows, turn them on and off, enroll existing contacts, and
read what each run did. A definition is checked by the domain (`domain.workflows`), so a bad
field answers 400 naming it (`actions[0].subscriptionId`)."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query
from pydantic import BaseModel

from consentry.api.auth import TokenDep
from consentry.api.dependencies import EngineDep
from consentry.api.native.jobs import JobOut, job_out
from consentry.api.native.shapes import Time
from consentry.domain import Actor, ActorKind
from consentry.services import workflows
from consentry.services.workflows import history

router = APIRouter(prefix="/workflows", tags=["Workflows"])

WorkflowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_EXAMPLE = {
    "name": "Customers in Germany get Product Updates",
    "enrollmentTrigger": {
        "filterGroups": [
            {
                "filters": [
                    {"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"},
                    {"propertyName": "country", "operator": "EQ", "value": "Germany"},
                ]
            }
        ]
    },
    "reenrollment": False,
    "actions": [
        {
            "type": "MANAGE_SUBSCRIPTION",
            "channel": "EMAIL",
            "status": "SUBSCRIBED",
            "subscriptionId": "1",
            "legalBasis": "LEGITIMATE_INTEREST_CLIENT",
            "legalBasisExplanation": "Existing customer",
        }
    ],
}
Definition = Annotated[
    dict[str, Any],
    Body(
        description="name, enrollmentTrigger.filterGroups (the contact search's filters),"
        " reenrollment, and actions: MANAGE_SUBSCRIPTION (channel, status SUBSCRIBED /"
        " NOT_SPECIFIED / UNSUBSCRIBED / UNSUBSCRIBED_FROM_ALL, subscriptionId, legalBasis,"
        " legalBasisExplanation, businessUnitId), SET_PROPERTY (propertyName, value) and DELAY"
        " (delay, unit MINUTES / HOURS / DAYS).",
        openapi_examples={"subscribe customers": {"value": _EXAMPLE}},
    ),
]


class WorkflowList(BaseModel):
    results: list[dict[str, Any]]


class StepOut(BaseModel):
    index: int
    description: str
    outcomes: dict[str, int]


class HistoryOut(BaseModel):
    enrolled: int
    active: int
    completed: int
    ended: int
    steps: list[StepOut]


class LogLineOut(BaseModel):
    id: int
    at: Time
    contactId: str
    enrollmentId: int
    version: int
    step: int | None
    outcome: str
    address: str | None
    message: str
    ledgerEntryId: int | None


class LogPage(BaseModel):
    results: list[LogLineOut]
    nextBefore: int | None  # pass as `before` for the next (older) page


def _by(token: TokenDep) -> str:
    return str(Actor(ActorKind.API_TOKEN, str(token.id)))


@router.get("", response_model=WorkflowList, summary="List workflows")
def list_workflows(engine: EngineDep) -> WorkflowList:
    return WorkflowList(results=[w.as_json() for w in workflows.list_workflows(engine)])


@router.post("", status_code=201, summary="Create a workflow (off until enabled)")
def create_workflow(body: Definition, engine: EngineDep, token: TokenDep) -> dict[str, Any]:
    return workflows.create(engine, body, _by(token)).as_json()


@router.get("/{workflowId}", summary="Read a workflow")
def get_workflow(workflowId: WorkflowId, engine: EngineDep) -> dict[str, Any]:
    return workflows.get(engine, workflowId).as_json()


@router.put("/{workflowId}", summary="Change a workflow (a new version)")
def update_workflow(
    workflowId: WorkflowId, body: Definition, engine: EngineDep, token: TokenDep
) -> dict[str, Any]:
    return workflows.update(engine, workflowId, body, _by(token)).as_json()


@router.post("/{workflowId}/enable", summary="Turn a workflow on")
def enable_workflow(workflowId: WorkflowId, engine: EngineDep) -> dict[str, Any]:
    """Refused (400, naming the action's field) in data privacy mode when an opt-in action has
    no legal basis and explanation, or when an SMS or WhatsApp channel is not set up."""
    return workflows.enable(engine, workflowId).as_json()


@router.post("/{workflowId}/disable", summary="Turn a workflow off")
def disable_workflow(workflowId: WorkflowId, engine: EngineDep) -> dict[str, Any]:
    """Running enrollments end; waiting delays never run."""
    return workflows.disable(engine, workflowId).as_json()


@router.post(
    "/{workflowId}/enroll-existing",
    response_model=JobOut,
    status_code=202,
    summary="Enroll existing matching contacts now",
)
def enroll_existing(workflowId: WorkflowId, engine: EngineDep, token: TokenDep) -> JobOut:
    """A job over every contact matching the trigger; follow it at `/api/v1/jobs/{id}`."""
    return job_out(workflows.submit_enroll_existing(engine, workflowId, _by(token)))


@router.get("/{workflowId}/history", response_model=HistoryOut, summary="Enrollment counts")
def workflow_history(workflowId: WorkflowId, engine: EngineDep) -> HistoryOut:
    """How many contacts enrolled, are running, completed or ended, and each step's outcomes."""
    found = history.summary(engine, workflowId)
    return HistoryOut(
        enrolled=found.enrolled,
        active=found.active,
        completed=found.completed,
        ended=found.ended,
        steps=[
            StepOut(index=s.index, description=s.description, outcomes=s.outcomes)
            for s in found.steps
        ],
    )


@router.get("/{workflowId}/log", response_model=LogPage, summary="The per-contact run log")
def workflow_log(
    workflowId: WorkflowId,
    engine: EngineDep,
    search: Annotated[str | None, Query(max_length=320)] = None,
    outcome: Annotated[str | None, Query(max_length=16)] = None,
    before: Annotated[int | None, Query(ge=1)] = None,
    limit: Annotated[int, Query(ge=1, le=history.MAX_PAGE)] = 50,
) -> LogPage:
    lines = history.log(
        engine, workflowId, search=search, outcome=outcome, before=before, limit=limit
    )
    return LogPage(
        results=[
            LogLineOut(
                id=line.id,
                at=line.at,
                contactId=str(line.contact_id),
                enrollmentId=line.enrollment_id,
                version=line.version,
                step=line.step,
                outcome=line.outcome,
                address=line.address,
                message=line.message,
                ledgerEntryId=line.ledger_id,
            )
            for line in lines
        ],
        nextBefore=lines[-1].id if len(lines) == limit else None,
    )
