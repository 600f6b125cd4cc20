"""Migrations: `upgrade head` on an empty database gives exactly the tables the code declares."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, select

from consentry import services
from consentry.storage import migrate
from consentry.storage.engine import make_engine
from consentry.storage.schema import metadata
from consentry.storage.tables import ledger_head


def test_upgrade_head_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_first_migration_seeds_the_defaults(engine: Engine) -> None:
    names = [t.name for t in services.list_types(engine)]
    assert names == ["Marketing Information", "One to One", "Customer Service Communication"]
    assert [(u.id, u.name) for u in services.list_units(engine)] == [(0, "Account")]
    with engine.connect() as connection:
        assert connection.execute(select(ledger_head.c.last_entry_id)).scalar() == 0


def test_upgrade_is_idempotent_and_reports_its_revision(database_url: str) -> None:
    engine = make_engine(database_url)
    assert migrate.current_revision(engine) is None
    migrate.upgrade(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()
    assert migrate.is_current(engine)
    engine.dispose()
