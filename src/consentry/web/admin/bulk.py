"""The contacts index's More → Edit communication subscriptions: the side panel, the run, and
its summary (changed / no change / refused with reasons, as CSV too). Selections over
`SYNC_LIMIT` contacts run as a background job with a progress bar."""

import re
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from starlette.datastructures import FormData

from consentry.domain import Actor, ActorKind, Channel, ConsentryError, Status, SubscriptionType
from consentry.domain.roles import Permission
from consentry.services import list_types
from consentry.services.bulk_edit import (
    BulkEdit,
    BulkOutcome,
    count_selection,
    outcome_of,
    run_bulk_edit,
    submit_bulk_edit,
)
from consentry.services.jobs import get_job
from consentry.services.sessions import Session
from consentry.web.admin.auth import current_session, need
from consentry.web.admin.contacts import index_context
from consentry.web.admin.pages import (
    Form,
    config,
    engine,
    legal_basis,
    number,
    redirect,
    render,
    text,
    texts,
)
from consentry.web.admin.selection import FILTER_KEYS, Selection

SYNC_LIMIT = 1_000
CHOICES = (
    (Status.SUBSCRIBED, "Opt in"),
    (Status.NOT_SPECIFIED, "Not selected"),
    (Status.UNSUBSCRIBED, "Opt out"),
)
_RESULT_NAME = re.compile(r"bulk-[0-9T]+-[0-9a-f]{8}\.csv")

router = APIRouter()


def _ids(values: list[str]) -> tuple[int, ...]:
    return tuple(n for v in values if (n := number(v)) is not None)


@router.get("/admin/contacts/bulk")
def panel(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    need(session, Permission.BULK_EDIT)
    context = index_context(request)
    ids = _ids(request.query_params.getlist("id"))
    everything = request.query_params.get("all") == "1"
    context.update(
        {
            "bulk_ids": ids,
            "bulk_all": everything,
            "bulk_count": context["total"] if everything else len(ids),
            "all_types": list_types(engine(request)),
            "choices": CHOICES,
            "channels": list(Channel),
        }
    )
    return render(request, "bulk.html", context)


def _edit(form: FormData, session: Session, types: Sequence[SubscriptionType]) -> BulkEdit:
    everything = text(form, "all") == "1"
    selection = Selection.from_params({key: text(form, key) for key in FILTER_KEYS})
    return BulkEdit(
        channel=Channel(text(form, "channel") or "EMAIL"),
        status=Status(text(form, "status")),
        subscription_type_ids=_ids(texts(form, "type_id")),
        actor=Actor(ActorKind.USER, str(session.user.id)),
        contact_ids=() if everything else _ids(texts(form, "id")),
        filter_groups=selection.groups(types) if everything else None,
        query=(selection.q or None) if everything else None,
        explanation=text(form, "explanation") or None,
        legal_basis=legal_basis(text(form, "legal_basis")),
    )


@router.post("/admin/contacts/bulk", response_model=None)
def run(request: Request, form: Form, session: Session = Depends(current_session)) -> Response:
    need(session, Permission.BULK_EDIT)
    if text(form, "all") != "1" and not texts(form, "id"):
        raise HTTPException(400, "Tick some contacts first, or select all matching.")
    try:
        edit = _edit(form, session, list_types(engine(request)))
    except ValueError:
        raise HTTPException(400, "Choose Opt in, Not selected or Opt out, and a channel.") from None
    back = "/admin/contacts/bulk?" + urlencode(_selection_params(form))
    try:
        count = count_selection(engine(request), edit)
        if count > SYNC_LIMIT:
            job = submit_bulk_edit(engine(request), config(request), edit)
            # See Other: the progress page is a GET, safe to reload while it polls.
            return RedirectResponse(f"/admin/jobs/{job.id}", status_code=303)
        outcome = run_bulk_edit(engine(request), config(request), edit)
    except ConsentryError as problem:
        return redirect(back, f"Not run: {problem.message}")
    return _summary(request, outcome, count)


def _selection_params(form: FormData) -> list[tuple[str, str]]:
    """The panel's selection, to show it again with a message."""
    if text(form, "all") == "1":
        return [("all", "1"), *((key, text(form, key)) for key in FILTER_KEYS if text(form, key))]
    return [("id", value) for value in texts(form, "id")]


def _summary(request: Request, outcome: BulkOutcome, count: int) -> HTMLResponse:
    name = Path(outcome.result_path).name if outcome.result_path else None
    return render(
        request,
        "bulk_result.html",
        {
            "outcome": outcome,
            "count": count,
            "csv_url": f"/admin/contacts/bulk/results/{name}" if name else None,
            "type_names": {t.id: t.name for t in list_types(engine(request))},
        },
    )


@router.get("/admin/contacts/bulk/results/{name}", response_model=None)
def result_file(
    request: Request, name: str, session: Session = Depends(current_session)
) -> Response:
    path = config(request).jobs_dir.resolve() / name
    if not _RESULT_NAME.fullmatch(name) or not path.is_file():
        raise HTTPException(404, "That result file does not exist (any more).")
    return FileResponse(path, media_type="text/csv", filename="bulk-edit-results.csv")


def _job_page(request: Request, job_id: int) -> HTMLResponse:
    job = get_job(engine(request), job_id)
    if job.kind != "bulk_edit":
        raise HTTPException(404, f"Job {job_id} is not a bulk edit.")
    outcome = outcome_of(job) if job.state.finished else None
    return render(
        request,
        "bulk_job.html",
        {
            "job": job,
            "outcome": outcome,
            "percent": round(100 * job.done / job.total) if job.total else 0,
            "type_names": {t.id: t.name for t in list_types(engine(request))},
        },
    )


@router.get("/admin/jobs/{job_id}")
def job_page(
    request: Request, job_id: int, session: Session = Depends(current_session)
) -> HTMLResponse:
    return _job_page(request, job_id)


@router.get("/admin/jobs/{job_id}/progress")
def job_progress(
    request: Request, job_id: int, session: Session = Depends(current_session)
) -> JSONResponse:
    job = get_job(engine(request), job_id)
    return JSONResponse(
        {
            "state": job.state.value,
            "done": job.done,
            "total": job.total,
            "finished": job.state.finished,
        }
    )


@router.get("/admin/jobs/{job_id}/result.csv", response_model=None)
def job_result(
    request: Request, job_id: int, session: Session = Depends(current_session)
) -> Response:
    job = get_job(engine(request), job_id)
    if not job.result_path or not Path(job.result_path).is_file():
        raise HTTPException(404, "This job has no result file yet.")
    return FileResponse(
        job.result_path, media_type="text/csv", filename=f"job-{job_id}-results.csv"
    )
