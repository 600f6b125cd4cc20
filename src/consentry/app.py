"""The ASGI application: wires configuration and storage into the HTTP routes and pages."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from consentry import __version__, worker
from consentry.api import contacts, errors, health, metrics, native, openapi, webhooks
from consentry.api.body_limit import BodyLimit
from consentry.api.hubspot import v3, v4
from consentry.api.idempotency import IdempotencyMiddleware
from consentry.api.request_log import RequestLog
from consentry.config import Config
from consentry.storage.engine import make_engine
from consentry.web import STATIC_DIR, admin, public
from consentry.web.error_pages import html_error
from consentry.web.rate_limits import RateLimits
from consentry.web.security_headers import SecurityHeaders


@asynccontextmanager
async def _in_process_worker(app: FastAPI) -> AsyncIterator[None]:
    """On SQLite the embedded default needs no second process: a worker thread runs the jobs
    (PostgreSQL deployments run `consentry worker` processes instead)."""
    config: Config = app.state.config
    running = None
    if config.in_process_worker and app.state.engine.dialect.name == "sqlite":
        running = worker.start_in_thread(app.state.engine, config)
    try:
        yield
    finally:
        if running is not None:
            thread, stop = running
            stop.set()
            thread.join(timeout=30)


def create_app(config: Config | None = None) -> FastAPI:
    config = config or Config()
    app = FastAPI(
        lifespan=_in_process_worker,
        title="Consentry",
        version=__version__,
        summary="Communication subscriptions and consent, with a HubSpot-compatible API.",
    )
    app.state.config = config
    app.state.engine = make_engine(config.database_url)
    app.add_middleware(IdempotencyMiddleware, engine=app.state.engine)
    app.add_middleware(RateLimits, config=config, json_for=errors.http_error_answer)
    # Outside the limits, so a 429 carries the headers too.
    app.add_middleware(SecurityHeaders, always_https=config.behind_https)
    app.add_middleware(BodyLimit, config=config)  # outside every layer that reads a body whole
    # Outermost: times and logs the whole answer, replays included, under its correlation id.
    app.add_middleware(RequestLog, metrics=metrics.install(app, app.state.engine))
    errors.install(app, html_for=html_error)
    openapi.install(app)
    app.include_router(health.router)
    app.include_router(contacts.router)
    app.include_router(v3.router)
    app.include_router(v4.router)
    app.include_router(native.router)
    app.include_router(webhooks.router)
    app.include_router(admin.router)
    app.include_router(public.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
