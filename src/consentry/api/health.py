"""GET /healthz: is the process up, which database does it use, at which schema revision."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from consentry.api.dependencies import EngineDep
from consentry.services.health import database_health

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Liveness and database check")
def healthz(engine: EngineDep) -> JSONResponse:
    try:
        health = database_health(engine)
    except Exception as error:  # the answer to "is the database reachable?" is this 503
        return JSONResponse(
            {"status": "error", "database": engine.dialect.name, "message": str(error)[:200]},
            status_code=503,
        )
    body = {"status": "ok", "database": health.dialect, "schema": health.revision}
    if not health.current:
        body["status"] = "error"
        body["message"] = "The database schema is not at the latest migration."
        return JSONResponse(body, status_code=503)
    return JSONResponse(body)
