"""Cheap counts for monitoring: rows by state over an indexed state column, and ledger entries
by source and outcome above a given id (a range of the primary key)."""

from collections.abc import Sequence

from sqlalchemy import Connection, Table, func, select

from consentry.storage.tables import ledger


def count_by_state(connection: Connection, table: Table, states: Sequence[str]) -> dict[str, int]:
    """How many rows of `table` are in each of `states` (0 for a state with none)."""
    rows = connection.execute(
        select(table.c.state, func.count())
        .where(table.c.state.in_(list(states)))
        .group_by(table.c.state)
    )
    found = {str(state): int(count) for state, count in rows}
    return {state: found.get(state, 0) for state in states}


def last_ledger_id(connection: Connection) -> int:
    return int(connection.execute(select(func.max(ledger.c.id))).scalar() or 0)


def ledger_counts(connection: Connection, after: int, until: int) -> dict[tuple[str, str], int]:
    """Entries with ids in (after, until], by (source, outcome)."""
    rows = connection.execute(
        select(ledger.c.source, ledger.c.outcome, func.count())
        .where(ledger.c.id > after, ledger.c.id <= until)
        .group_by(ledger.c.source, ledger.c.outcome)
    )
    return {(str(source), str(outcome)): int(count) for source, outcome, count in rows}
