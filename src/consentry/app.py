"""The ASGI application: wires configuration and storage into the HTTP routes and pages."""

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from consentry import __version__
from consentry.api import contacts, errors, health, native, openapi
from consentry.api.hubspot import v3, v4
from consentry.api.idempotency import IdempotencyMiddleware
from consentry.config import Config
from consentry.storage.engine import make_engine
from consentry.web import STATIC_DIR, admin, public


def create_app(config: Config | None = None) -> FastAPI:
    config = config or Config()
    app = FastAPI(
        title="Consentry",
        version=__version__,
        summary="Communication subscriptions and consent, with a HubSpot-compatible API.",
    )
    app.state.config = config
    app.state.engine = make_engine(config.database_url)
    app.add_middleware(IdempotencyMiddleware, engine=app.state.engine)
    errors.install(app)
    openapi.install(app)
    app.include_router(health.router)
    app.include_router(contacts.router)
    app.include_router(v3.router)
    app.include_router(v4.router)
    app.include_router(native.router)
    app.include_router(admin.router)
    app.include_router(public.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
