"""Use case: what the health check reports about the database."""

from dataclasses import dataclass

from sqlalchemy import Engine, text

from consentry.storage import migrate


@dataclass(frozen=True)
class DatabaseHealth:
    dialect: str
    revision: str | None
    current: bool


def database_health(engine: Engine) -> DatabaseHealth:
    """Touch the database and read its schema revision; raises if it cannot be reached."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    revision = migrate.current_revision(engine)
    return DatabaseHealth(engine.dialect.name, revision, revision == migrate.head_revision())
