"""What eligibility reads of a long list of subscribers for one subscription type, in one
query per chunk: the keys go in as one parameter (a JSON array on SQLite, a text array on
PostgreSQL) and come back joined to their status, wide opt-outs and suppressions.

Rows are read through the driver's own cursor: at a million addresses, SQLAlchemy's per-row
processing was most of the time, and these columns need none.
"""

import json
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import Connection


class StoredFacts(NamedTuple):
    """One stored subscriber's rows that eligibility reads, as stored (opted-out wide rows
    only). Hashable: an audience judges each distinct combination once."""

    status: str | None
    confirmed: bool
    reason: str | None
    wide_opt_outs: tuple[tuple[str, int], ...] = ()
    suppressions: tuple[str, ...] = ()


_COLUMNS = "a.pos, st.status, st.confirmed, st.reason, w.wide_type, w.business_unit_id, sp.kind"
_OTHERS = """
LEFT JOIN subscription_statuses st
    ON st.subscriber_id = s.id AND st.subscription_type_id = {type_id}
LEFT JOIN wide_statuses w ON w.subscriber_id = s.id AND w.opted_out
LEFT JOIN suppressions sp ON sp.subscriber_id = s.id
"""
# CROSS JOIN keeps the keys as the outer loop (SQLite never reorders it): without statistics
# (no ANALYZE has run on a user's database) the planner otherwise scans every subscriber of
# the channel for each chunk.
_SQLITE = (
    f"SELECT {_COLUMNS} FROM (SELECT key AS pos, value AS key FROM json_each(?)) a"
    " CROSS JOIN subscribers s ON s.channel = ? AND s.key = a.key" + _OTHERS.format(type_id="?")
)
# ORDINALITY counts from 1; positions here count from 0. The subscriber is looked up per key
# through its unique index: a plain join is planned as a hash join over the whole subscribers
# table for every chunk, and LIMIT 1 (the key is unique) keeps the planner from flattening the
# LATERAL lookup back into one.
_POSTGRES = (
    f"SELECT {_COLUMNS.replace('a.pos', 'a.pos - 1')}"
    " FROM unnest(%s::text[]) WITH ORDINALITY AS a(key, pos)"
    " JOIN LATERAL (SELECT id FROM subscribers WHERE channel = %s AND key = a.key LIMIT 1) s"
    " ON true" + _OTHERS.format(type_id="%s")
)


def sending_facts(
    connection: Connection, channel: str, type_id: int, keys: Sequence[str]
) -> dict[int, StoredFacts]:
    """The stored facts of each key that names a stored subscriber, by its position in `keys`
    (keys without a subscriber have none: everything about them is NOT_SPECIFIED)."""
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            cursor.execute(_POSTGRES, (list(keys), channel, type_id))
        else:
            cursor.execute(_SQLITE, (json.dumps(list(keys)), channel, type_id))
        rows = cursor.fetchall()
    finally:
        cursor.close()
    found: dict[int, StoredFacts] = {}
    # Rows repeat a handful of combinations: each is built once and shared (a NamedTuple per
    # row was a quarter of an audience's time).
    shared: dict[tuple[object, ...], StoredFacts] = {}
    for row in rows:
        pos, status, confirmed, reason, wide_type, wide_unit, kind = row
        facts = found.get(pos)
        if facts is None:
            combination = row[1:]
            facts = shared.get(combination)
            if facts is None:
                facts = shared[combination] = StoredFacts(
                    status,
                    bool(confirmed) if status else True,
                    reason,
                    ((wide_type, wide_unit),) if wide_type else (),
                    (kind,) if kind else (),
                )
            found[pos] = facts
            continue
        # A subscriber with several wide opt-outs or suppressions comes back once per pair.
        if wide_type and (wide_type, wide_unit) not in facts.wide_opt_outs:
            facts = facts._replace(wide_opt_outs=(*facts.wide_opt_outs, (wide_type, wide_unit)))
        if kind and kind not in facts.suppressions:
            facts = facts._replace(suppressions=(*facts.suppressions, kind))
        found[pos] = facts
    return found
