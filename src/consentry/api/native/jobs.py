"""Background jobs (imports, bulk edits): list them, follow one's progress, cancel it, and
download its per-row result file."""

from collections.abc import Mapping
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel

from consentry.api.dependencies import EngineDep
from consentry.api.native.shapes import Time
from consentry.domain import NotFound
from consentry.services.jobs import Job, JobState, cancel_job, get_job, list_jobs

router = APIRouter(prefix="/jobs", tags=["Jobs"])

JobId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class JobOut(BaseModel):
    id: int
    kind: str  # import_optouts, import_contacts, bulk_edit
    state: JobState
    total: int | None  # rows (or contacts) to do, once known
    done: int  # rows whose changes are committed
    summary: dict[str, int]  # applied, no_change, stale, refused, bad_rows, …
    resultsUrl: str | None  # the per-row result CSV, once the job has ended
    error: str | None
    createdBy: str
    createdAt: Time
    startedAt: Time | None
    finishedAt: Time | None
    params: dict[str, Any]


class JobList(BaseModel):
    results: list[JobOut]


_HIDDEN_PARAMS = ("file",)  # where the server keeps its copy of an upload


def job_out(job: Job) -> JobOut:
    params: Mapping[str, Any] = job.params
    return JobOut(
        id=job.id,
        kind=job.kind,
        state=job.state,
        total=job.total,
        done=job.done,
        summary=dict(job.summary),
        resultsUrl=f"/api/v1/jobs/{job.id}/results" if job.result_path else None,
        error=job.error,
        createdBy=job.created_by,
        createdAt=job.created_at,
        startedAt=job.started_at,
        finishedAt=job.finished_at,
        params={k: v for k, v in params.items() if k not in _HIDDEN_PARAMS},
    )


@router.get("", response_model=JobList, summary="List jobs")
def list_(engine: EngineDep, limit: Annotated[int, Query(ge=1, le=200)] = 50) -> JobList:
    """The newest jobs first."""
    return JobList(results=[job_out(job) for job in list_jobs(engine, limit=limit)])


@router.get("/{jobId}", response_model=JobOut, summary="Read a job")
def read(jobId: JobId, engine: EngineDep) -> JobOut:
    """A job's state and progress: poll it until `state` is SUCCEEDED, FAILED or CANCELLED."""
    return job_out(get_job(engine, jobId))


@router.post("/{jobId}/cancel", response_model=JobOut, summary="Cancel a job")
def cancel(jobId: JobId, engine: EngineDep) -> JobOut:
    """Stop a queued or running job before its next chunk; committed chunks stay. A finished
    job is answered as it is."""
    return job_out(cancel_job(engine, jobId))


@router.get(
    "/{jobId}/results",
    summary="Download a job's result file",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "One line per input row."}},
)
def results(jobId: JobId, engine: EngineDep) -> FileResponse:
    """The per-row result CSV: line, address, outcome (APPLIED, NO_CHANGE, STALE, REFUSED,
    BAD_ROW, …) and the reason."""
    job = get_job(engine, jobId)
    if not job.result_path or not FilePath(job.result_path).is_file():
        raise NotFound(f"Job {jobId} has no result file yet.", field="jobId")
    return FileResponse(job.result_path, media_type="text/csv", filename=f"job-{jobId}-results.csv")
