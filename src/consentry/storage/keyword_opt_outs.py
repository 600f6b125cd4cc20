"""What the ledger says stood before an opt-out: START lifts a keyword opt-out back to it."""

from collections.abc import Collection

from sqlalchemy import Connection, select

from consentry.domain.statuses import Status
from consentry.storage.tables import ledger


def statuses_before(connection: Connection, entry_ids: Collection[int]) -> dict[int, Status]:
    """For each ledger entry id, the status it replaced (`old_status`)."""
    if not entry_ids:
        return {}
    rows = connection.execute(
        select(ledger.c.id, ledger.c.old_status).where(ledger.c.id.in_(list(entry_ids)))
    )
    return {row.id: Status(row.old_status) for row in rows if row.old_status}
