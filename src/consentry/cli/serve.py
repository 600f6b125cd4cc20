"""`consentry serve`: run the HTTP service."""

import typer

from consentry.cli.context import config, console, migrated_engine


def serve(
    host: str = typer.Option(None, help="Address to bind (default: CONSENTRY_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default: CONSENTRY_PORT or 8000)."),
) -> None:
    """Serve the API (and, later, the admin app) over HTTP."""
    settings = config()
    migrated_engine()  # refuses to start on a database that is not at the latest migration
    host = host or settings.host
    port = port or settings.port
    console.print(f"Consentry on http://{host}:{port} (database: {settings.database_url})")
    import uvicorn  # only this command needs the server; keeps every other command quick

    uvicorn.run(
        "consentry.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level=settings.log_level,
    )
