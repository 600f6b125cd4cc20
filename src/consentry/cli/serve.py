"""`consentry serve`: run the HTTP service, in one process or (on PostgreSQL) several.

With `--workers N` uvicorn runs N processes on one socket. Each counts the requests it serves
in files under PROMETHEUS_MULTIPROC_DIR, which `/metrics` adds up: the operator's directory if
set (made if missing; counts of an earlier run cleared first), else a fresh temporary one,
removed at exit.
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from sqlalchemy.engine import make_url

from consentry.cli.context import EXIT_INVALID, config, console, errors, migrated_engine
from consentry.cli.users import announce_first_admin
from consentry.logs import logging_config

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"
# The files prometheus_client writes per process (counter_<pid>.db, histogram_<pid>.db, …).
_COUNT_FILES = ("counter_*.db", "histogram_*.db", "gauge_*.db", "summary_*.db")


@contextmanager
def _shared_request_counts(workers: int) -> Iterator[None]:
    """A directory where every worker process writes its request counts, empty at start (none
    for a single process, unless the operator names one)."""
    given = os.environ.get(MULTIPROCESS_DIR)
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        for pattern in _COUNT_FILES:
            for stale in Path(given).glob(pattern):
                stale.unlink()
    if given or workers == 1:
        yield
        return
    made = tempfile.mkdtemp(prefix="consentry-metrics-")
    os.environ[MULTIPROCESS_DIR] = made  # inherited by the worker processes uvicorn starts
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_DIR]
        shutil.rmtree(made, ignore_errors=True)


def serve(
    host: str = typer.Option(None, help="Address to bind (default: CONSENTRY_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default: CONSENTRY_PORT or 8000)."),
    workers: int = typer.Option(
        1, "--workers", min=1, help="HTTP worker processes (more than 1 needs PostgreSQL)."
    ),
) -> None:
    """Serve the API, the admin app and the public pages over HTTP."""
    settings = config()
    host = host or settings.host
    port = port or settings.port
    if not 1 <= port <= 65535:
        errors.print(f"[red]Error:[/red] port {port} is out of range: use 1 to 65535.")
        raise typer.Exit(EXIT_INVALID)
    engine = migrated_engine()  # refuses to start on a database that is not at the latest migration
    if workers > 1 and engine.dialect.name == "sqlite":
        errors.print(
            f"[red]Error:[/red] --workers {workers} needs PostgreSQL. SQLite lets one process"
            " write at a time, so more processes only queue behind each other (and each would"
            " run its own background worker thread). Serve one process on SQLite, or set"
            " CONSENTRY_DATABASE_URL=postgresql://… and run `consentry worker` beside it."
        )
        raise typer.Exit(EXIT_INVALID)
    announce_first_admin()  # an empty database gets its first admin, printed once
    # The URL may carry a password: never print it.
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    processes = f", {workers} worker processes" if workers > 1 else ""
    console.print(f"Consentry on http://{host}:{port} (database: {database}{processes})")
    console.print(f"Admin: http://{host}:{port}/admin")
    import uvicorn  # only this command needs the server; keeps every other command quick

    with _shared_request_counts(workers):
        uvicorn.run(
            "consentry.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level=settings.log_level,
            log_config=logging_config(settings),
            access_log=False,  # the request log (api.request_log) says more, and no raw paths
        )
