"""`POST /api/v1/imports/optouts`: upload an opt-out list (CSV or XLSX) with its confirmed row
count; it runs as a job (follow it at `/api/v1/jobs/{id}`), exactly as `consentry import
optouts` does."""

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool

from consentry.api.auth import TokenDep
from consentry.api.dependencies import ConfigDep, EngineDep
from consentry.api.hubspot.mapping import provenance
from consentry.api.native.jobs import JobOut, job_out
from consentry.api.native.shapes import Id
from consentry.api.native.uploads import media_type, spool
from consentry.domain import Channel
from consentry.services.imports import OptOutImport, submit_optout_import
from consentry.services.jobs import Job

router = APIRouter(prefix="/imports", tags=["Imports"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.post(
    "/optouts",
    response_model=JobOut,
    status_code=202,
    summary="Import an opt-out list",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def import_optouts(
    request: Request,
    engine: EngineDep,
    config: ConfigDep,
    token: TokenDep,
    expectRows: Annotated[int, Query(ge=0, le=10**9, description="The file's data rows.")],
    channel: Channel = Channel.EMAIL,
    businessUnitId: Annotated[Id | None, Query(description="Only this unit.")] = None,
    encoding: Annotated[str | None, Query(max_length=40)] = None,
) -> JobOut:
    """Every address in the file becomes unsubscribed from all (account-wide or in one
    business unit), source IMPORT; no contact is created. `expectRows` must equal the file's
    data rows (blank lines not counted), or nothing is imported (400)."""
    body = await spool(request)
    suffix = ".xlsx" if media_type(request) == XLSX else ".csv"
    actor = provenance(request, token).actor

    def submit() -> Job:
        # Off the event loop: copying an upload of up to 512 MB and the import's checks are
        # disk and database work.
        with body, tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / f"upload{suffix}"
            with path.open("wb") as out:
                shutil.copyfileobj(body, out)
            spec = OptOutImport(path, actor, channel, businessUnitId, encoding=encoding)
            return submit_optout_import(engine, config, spec, expect_rows=expectRows)

    return job_out(await run_in_threadpool(submit))
