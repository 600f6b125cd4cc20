"""Workflows (issue 7): the list, the builder form (new and edit), and each workflow's page —
its definition in words, turning it on and off, "enroll existing contacts now" with the job's
progress, enrolled and per-action outcome counts, and the per-contact log (searchable)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from consentry.domain import Actor, ActorKind, Channel, ConsentryError, InvalidInput
from consentry.domain.filters import Operator
from consentry.domain.roles import Permission
from consentry.domain.workflows import describe
from consentry.services import account, list_types, workflows
from consentry.services.jobs import get_job
from consentry.services.sessions import Session
from consentry.services.workflows import history
from consentry.services.workflows.definitions import Workflow
from consentry.web.admin import workflow_form
from consentry.web.admin.auth import current_session, need
from consentry.web.admin.pages import Form, engine, number, redirect, render, text

router = APIRouter()
PAGE = "/admin/workflows"
WorkflowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
LOG_PAGE = 50
OUTCOMES = (
    ("APPLIED", "Applied"),
    ("NO_CHANGE", "No change"),
    ("REFUSED", "Refused"),
    ("NO_ADDRESS", "No address"),
    ("WAITING", "Waiting"),
    ("ENROLLED", "Enrolled"),
    ("ENDED", "Ended"),
    ("STALE", "Stale"),
)
_WORDS = {**workflow_form.OPERATORS, Operator.IN: "is any of", Operator.NOT_IN: "is none of"}


def _by(session: Session) -> str:
    return str(Actor(ActorKind.USER, str(session.user.id)))


@router.get(PAGE)
def list_page(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    rows = [
        (workflow, history.summary(engine(request), workflow.id))
        for workflow in workflows.list_workflows(engine(request))
    ]
    return render(request, "workflows.html", {"rows": rows})


def _form_page(
    request: Request,
    values: dict[str, str],
    *,
    workflow: Any = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    refused: str = "Not saved",
) -> HTMLResponse:
    settings = account.get_settings(engine(request))
    channels = [c for c in Channel if settings.channel_enabled(c)]
    types = [t for t in list_types(engine(request)) if t.is_active and t.channel in channels]
    return render(
        request,
        "workflows_form.html",
        {
            "workflow": workflow,
            "v": values,
            "errors": errors or {},
            "refused": refused,
            "channels": channels,
            "types_by_channel": [(c, [t for t in types if t.channel is c]) for c in channels],
            "privacy": settings.data_privacy_mode,
            "operators": list(workflow_form.OPERATORS.items()),
            "action_kinds": list(workflow_form.ACTION_LABELS.items()),
            "statuses": workflow_form.STATUSES,
            "units": workflow_form.UNITS,
            "groups": range(workflow_form.GROUPS),
            "rows": range(workflow_form.ROWS),
            "slots": range(workflow_form.SLOTS),
        },
        status=status,
    )


@router.get(f"{PAGE}/new")
def new_page(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    need(session, Permission.MANAGE_WORKFLOWS)
    return _form_page(
        request, {"g0_0_operator": Operator.EQ.value, "a0_kind": "MANAGE_SUBSCRIPTION"}
    )


@router.get(f"{PAGE}/{{workflow_id}}/edit", response_model=None)
def edit_page(
    request: Request, workflow_id: WorkflowId, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.MANAGE_WORKFLOWS)
    workflow = workflows.get(engine(request), workflow_id)
    refusal = _not_editable_here(workflow)
    if refusal is not None:
        return refusal
    values = workflow_form.values_of(workflow.as_json())
    return _form_page(request, values, workflow=workflow)


def _not_editable_here(workflow: Workflow) -> RedirectResponse | None:
    """Back to the workflow's page when the form cannot hold its definition."""
    why = workflow_form.beyond_form(workflow.as_json())
    if why is None:
        return None
    return redirect(
        f"{PAGE}/{workflow.id}",
        f"This workflow cannot be edited here: {why}. Change it with `consentry workflows"
        f" update {workflow.id} --file …` or PUT /api/v1/workflows/{workflow.id}.",
    )


def _save(request: Request, form: FormData, session: Session, workflow_id: int | None) -> Response:
    need(session, Permission.MANAGE_WORKFLOWS)
    if workflow_id is not None:
        refusal = _not_editable_here(workflows.get(engine(request), workflow_id))
        if refusal is not None:
            return refusal
    built = workflow_form.build(form)
    try:
        if workflow_id is None:
            saved = workflows.create(engine(request), built.raw, _by(session))
        else:
            saved = workflows.update(engine(request), workflow_id, built.raw, _by(session))
    except InvalidInput as problem:
        where = built.input_for(problem.field)
        workflow = None if workflow_id is None else workflows.get(engine(request), workflow_id)
        return _form_page(
            request,
            workflow_form.form_values(form),
            workflow=workflow,
            errors={where: problem.message},
            status=400,
        )
    verb = "Saved" if workflow_id is None else f"Saved version {saved.version} of"
    return redirect(f"{PAGE}/{saved.id}", f"{verb} the workflow “{saved.name}”.")


@router.post(f"{PAGE}/new", response_model=None)
def create(request: Request, form: Form, session: Session = Depends(current_session)) -> Response:
    return _save(request, form, session, None)


@router.post(f"{PAGE}/{{workflow_id}}/edit", response_model=None)
def update(
    request: Request,
    form: Form,
    workflow_id: WorkflowId,
    session: Session = Depends(current_session),
) -> Response:
    return _save(request, form, session, workflow_id)


def _trigger_words(raw: dict[str, Any]) -> list[list[str]]:
    """Each group's filters in words: the groups are OR-ed, a group's filters AND-ed."""
    groups = []
    for group in raw.get("enrollmentTrigger", {}).get("filterGroups", []):
        lines = []
        for item in group.get("filters", []):
            operator = Operator(item["operator"])
            words = f"{item['propertyName']} {_WORDS.get(operator, operator.value)}"
            if item.get("values"):
                words += " " + ", ".join(f"“{v}”" for v in item["values"])
            elif item.get("highValue"):
                words += f" “{item.get('value')}” and “{item['highValue']}”"
            elif item.get("value") is not None:
                words += f" “{item['value']}”"
            lines.append(words)
        groups.append(lines)
    return groups


@router.get(f"{PAGE}/{{workflow_id}}")
def workflow_page(
    request: Request, workflow_id: WorkflowId, session: Session = Depends(current_session)
) -> HTMLResponse:
    workflow = workflows.get(engine(request), workflow_id)
    params = request.query_params
    search = params.get("q", "").strip()
    outcome = params.get("outcome", "")
    outcome = outcome if outcome in dict(OUTCOMES) else ""
    before = number(params.get("before", ""))
    lines = history.log(
        engine(request),
        workflow_id,
        search=search or None,
        outcome=outcome or None,
        before=before,
        limit=LOG_PAGE,
    )
    names = {t.id: t.name for t in list_types(engine(request))}
    return render(
        request,
        "workflows_page.html",
        {
            "workflow": workflow,
            "trigger": _trigger_words(workflow.as_json()),
            "steps": [describe(a, names) for a in workflow.definition.actions],
            "summary": history.summary(engine(request), workflow_id),
            "lines": lines,
            "search": search,
            "outcome": outcome,
            "outcomes": OUTCOMES,
            "outcome_labels": dict(OUTCOMES),
            "older": lines[-1].id if len(lines) == LOG_PAGE else None,
            "paged": before is not None,
        },
    )


@router.post(f"{PAGE}/{{workflow_id}}/enable", response_model=None)
def enable(
    request: Request, workflow_id: WorkflowId, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.MANAGE_WORKFLOWS)
    back = f"{PAGE}/{workflow_id}"
    try:
        workflow = workflows.enable(engine(request), workflow_id)
    except InvalidInput as problem:
        # A refusal naming a field of the definition (e.g. a legal basis data privacy mode
        # needs) is shown where it can be fixed: in the edit form, next to that field.
        stored = workflows.get(engine(request), workflow_id)
        where = workflow_form.as_stored(stored.as_json()).input_for(problem.field)
        if not where or workflow_form.beyond_form(stored.as_json()):
            return redirect(back, f"Not turned on: {problem.message}")
        return _form_page(
            request,
            workflow_form.values_of(stored.as_json()),
            workflow=stored,
            errors={where: problem.message},
            status=400,
            refused="Not turned on",
        )
    except ConsentryError as problem:
        return redirect(back, f"Not turned on: {problem.message}")
    return redirect(back, f"“{workflow.name}” is on: contacts that start to match enroll.")


@router.post(f"{PAGE}/{{workflow_id}}/disable", response_model=None)
def disable(
    request: Request,
    form: Form,
    workflow_id: WorkflowId,
    session: Session = Depends(current_session),
) -> Response:
    need(session, Permission.MANAGE_WORKFLOWS)
    back = f"{PAGE}/{workflow_id}"
    running = history.summary(engine(request), workflow_id).active
    if running and text(form, "confirm") != "yes":
        return redirect(
            back,
            f"Not turned off: {running} contacts are running; tick the box to end their"
            " enrollments, then turn it off.",
        )
    workflow = workflows.disable(engine(request), workflow_id)
    ended = f" {running} running enrollments were ended." if running else ""
    return redirect(back, f"“{workflow.name}” is off.{ended}")


@router.post(f"{PAGE}/{{workflow_id}}/enroll", response_model=None)
def enroll_existing(
    request: Request, workflow_id: WorkflowId, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.MANAGE_WORKFLOWS)
    try:
        job = workflows.submit_enroll_existing(engine(request), workflow_id, _by(session))
    except ConsentryError as problem:
        return redirect(f"{PAGE}/{workflow_id}", f"Not started: {problem.message}")
    return redirect(f"{PAGE}/{workflow_id}/jobs/{job.id}")


@router.get(f"{PAGE}/{{workflow_id}}/jobs/{{job_id}}")
def job_page(
    request: Request,
    workflow_id: WorkflowId,
    job_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: Session = Depends(current_session),
) -> HTMLResponse:
    workflow = workflows.get(engine(request), workflow_id)
    job = get_job(engine(request), job_id)
    if job.kind != workflows.KIND or job.params.get("workflowId") != workflow_id:
        raise HTTPException(404, f"Job {job_id} is not an enrollment of workflow {workflow_id}.")
    return render(
        request,
        "workflows_job.html",
        {
            "workflow": workflow,
            "job": job,
            "percent": min(100, round(100 * job.done / job.total)) if job.total else 0,
        },
    )
