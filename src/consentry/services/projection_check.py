"""`consentry ledger rebuild --check`: do the current-status tables equal a fold of the ledger?

The tables are the ledger's projection, written in the transaction of each entry. This check
folds every subscriber's entries with the domain's own `fold` (no second copy of the rules) and
compares what that yields with the stored rows, in one snapshot, a range of subscribers at a
time so memory stays flat. It writes nothing.

Compared per row: the status (or wide flag), the entry it stands on (`ledger_id`), and what the
row copies from that entry (occurred_at, source; for statuses also reason and legal basis). The
`confirmed` flag of a pending double opt-in is not on the entry, so it is not compared.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import Engine

from consentry.domain import Action, LedgerEntry
from consentry.domain.projection import Projection, fold
from consentry.storage import ledger, statuses
from consentry.storage.statuses import StatusRow, WideRow

_RANGE = 2_000  # subscribers per read: a few thousand entries and rows in memory at a time


@dataclass(frozen=True)
class Difference:
    subscriber_id: int
    target: str  # "type 3" or "wide PORTAL_WIDE/0"
    expected: str  # what the fold of the ledger says ("absent" when it says nothing)
    stored: str  # what the table holds ("absent" when no row)

    def __str__(self) -> str:
        return (
            f"subscriber {self.subscriber_id}, {self.target}: ledger says {self.expected},"
            f" table holds {self.stored}"
        )


@dataclass
class ProjectionCheck:
    subscribers: int = 0
    entries: int = 0
    rows: int = 0
    different: int = 0  # every difference found; `differences` keeps the first of them
    differences: list[Difference] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.different == 0


def check_projection(
    engine: Engine,
    progress: Callable[[int, int], None] | None = None,
    *,
    limit: int = 100,
) -> ProjectionCheck:
    """Compare the stored projection with the fold of the ledger; keeps the first `limit`
    differences and counts them all; fixes none."""
    result = ProjectionCheck()
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        last = statuses.last_subscriber_id(connection)
        for first in range(1, last + 1, _RANGE):
            end = min(first + _RANGE - 1, last)
            entries = ledger.for_subscriber_range(connection, first, end)
            rows, wide = statuses.in_subscriber_range(connection, first, end)
            result.entries += len(entries)
            result.rows += len(rows) + len(wide)
            folds = {
                subscriber_id: fold(group)
                for subscriber_id, group in groupby(entries, key=lambda e: e.subscriber_id)
            }
            result.subscribers += len(folds)
            for difference in _compare(folds, rows, wide):
                result.different += 1
                if len(result.differences) < limit:
                    result.differences.append(difference)
            if progress:
                progress(end, last)
    return result


def _compare(
    folds: dict[int, Projection], rows: list[StatusRow], wide: list[WideRow]
) -> list[Difference]:
    found: list[Difference] = []
    stored_statuses = {(row.subscriber_id, row.subscription_type_id): row for row in rows}
    stored_wide = {(row.subscriber_id, (row.wide_type, row.business_unit_id)): row for row in wide}
    expected_statuses = {
        (subscriber_id, type_id): entry
        for subscriber_id, projection in folds.items()
        for type_id, entry in projection.status_entries.items()
    }
    expected_wide = {
        (subscriber_id, scope): entry
        for subscriber_id, projection in folds.items()
        for scope, entry in projection.wide_entries.items()
    }
    for key in sorted(expected_statuses.keys() | stored_statuses.keys()):
        want = _status_of(expected_statuses.get(key))
        have = _stored_status(stored_statuses.get(key))
        if want != have:
            found.append(Difference(key[0], f"type {key[1]}", want, have))
    for wide_key in sorted(expected_wide.keys() | stored_wide.keys(), key=str):
        want = _wide_of(expected_wide.get(wide_key))
        have = _stored_wide(stored_wide.get(wide_key))
        if want != have:
            subscriber_id, (wide_type, unit_id) = wide_key
            target = f"wide {wide_type.value}/{unit_id}"
            found.append(Difference(subscriber_id, target, want, have))
    return found


# Each side is spelled as one text so that a difference reads the same way it compares.
def _status_of(entry: LedgerEntry | None) -> str:
    if entry is None:
        return "absent"
    return _spell(
        entry.new_status,
        entry.id,
        entry.occurred_at.isoformat(),
        entry.source,
        entry.success_reason,
        entry.legal_basis,
        entry.legal_basis_explanation,
    )


def _stored_status(row: StatusRow | None) -> str:
    if row is None:
        return "absent"
    return _spell(
        row.status.value,
        row.ledger_id,
        row.occurred_at.isoformat(),
        row.source.value,
        row.reason.value,
        row.legal_basis.value if row.legal_basis else None,
        row.legal_basis_explanation,
    )


def _wide_of(entry: LedgerEntry | None) -> str:
    if entry is None:
        return "absent"
    opted_out = entry.action == Action.SET_WIDE
    return _spell(opted_out, entry.id, entry.occurred_at.isoformat(), entry.source, wide=True)


def _stored_wide(row: WideRow | None) -> str:
    if row is None:
        return "absent"
    return _spell(
        row.opted_out, row.ledger_id, row.occurred_at.isoformat(), row.source.value, wide=True
    )


def _spell(*values: object, wide: bool = False) -> str:
    names = (
        "opted_out" if wide else "status",
        "ledger_id",
        "occurred_at",
        "source",
        "reason",
        "legal_basis",
        "explanation",
    )
    return ", ".join(f"{name}={value}" for name, value in zip(names, values, strict=False))
