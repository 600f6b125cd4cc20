"""Schema migrations: Alembic, run from inside the package on a given engine."""

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine


def _config() -> Config:
    config = Config()
    config.set_main_option("script_location", "consentry.storage:migrations")
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None, "the package ships no migrations"
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    config = _config()
    with engine.connect() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        # The one commit in storage: a schema migration is its own unit of work, run only by
        # `consentry db upgrade` (and test set-up), never inside a use case's transaction.
        connection.commit()


def revision_message(revision: str) -> str:
    script = ScriptDirectory.from_config(_config()).get_revision(revision)
    return script.doc if script else ""


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()
