"""`consentry serve`: run the HTTP service."""

import typer
from sqlalchemy.engine import make_url

from consentry.cli.context import EXIT_INVALID, config, console, errors, migrated_engine
from consentry.cli.users import announce_first_admin


def serve(
    host: str = typer.Option(None, help="Address to bind (default: CONSENTRY_HOST or 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default: CONSENTRY_PORT or 8000)."),
) -> None:
    """Serve the API (and, later, the admin app) over HTTP."""
    settings = config()
    host = host or settings.host
    port = port or settings.port
    if not 1 <= port <= 65535:
        errors.print(f"[red]Error:[/red] port {port} is out of range: use 1 to 65535.")
        raise typer.Exit(EXIT_INVALID)
    migrated_engine()  # refuses to start on a database that is not at the latest migration
    announce_first_admin()  # an empty database gets its first admin, printed once
    # The URL may carry a password: never print it.
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    console.print(f"Consentry on http://{host}:{port} (database: {database})")
    console.print(f"Admin: http://{host}:{port}/admin")
    import uvicorn  # only this command needs the server; keeps every other command quick

    uvicorn.run(
        "consentry.app:create_app",
        factory=True,
        host=host,
        port=port,
        log_level=settings.log_level,
    )
