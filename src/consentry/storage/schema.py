"""The whole schema: every table module, gathered on the one `metadata`.

Migrations compare against this, so a table declared in any module below is part of the schema.
"""

from consentry.storage import (
    admin_tables,
    erasure_tables,
    event_tables,
    job_tables,
    mail_tables,
    phone_tables,
    webhook_tables,
    workflow_tables,
)
from consentry.storage.tables import metadata

__all__ = [
    "admin_tables",
    "erasure_tables",
    "event_tables",
    "job_tables",
    "mail_tables",
    "metadata",
    "phone_tables",
    "webhook_tables",
    "workflow_tables",
]
