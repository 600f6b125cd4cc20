"""Alembic environment: runs on the connection handed in by `consentry.storage.migrate`."""

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext

from consentry.storage.schema import metadata
from consentry.storage.types import UTCDateTime

connection = context.config.attributes["connection"]


def _render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write our UTC column type as the plain SQL type it stands for, so migrations never
    import application code that may change after them."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    render_item=_render_item,
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
