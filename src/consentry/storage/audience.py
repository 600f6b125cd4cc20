"""What eligibility reads of a long list of subscribers for one subscription type, in one
query per chunk: the keys go in as one parameter (a JSON array on SQLite, a text array on
PostgreSQL) and the stored facts of every key with anything stored come back as one JSON
document of `[position, code]` pairs.

One value per chunk, not one row per key: SQLite's driver releases the GIL for each step of a
statement, so a chunk answered as one aggregate is one long step another thread can run Python
beside (an audience reads its chunks on reader threads), and at a million addresses the per-row
tuples were themselves a large share of the time. The code is a short text that names one
combination of stored facts; a long list has only a few distinct ones, each decoded once.
"""

import json
from collections.abc import Sequence
from functools import lru_cache
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


# status|confirmed|reason|wide opt-out (type:unit)|suppression kind; none of the stored values
# can hold "|", ",", or ":" (they are enum names and integers). A subscriber with several wide
# opt-outs or suppressions has one row, so one code, per combination; `sending_codes` merges
# them (lists joined by ","). Joins, not a correlated aggregate per key: at a million keys the
# subqueries cost a third more, and several rows for one subscriber are rare.
_CODE = """coalesce(st.status, '') || '|' || coalesce({confirmed}, '') || '|'
    || coalesce(st.reason, '') || '|' || coalesce(w.wide_type || ':' || w.business_unit_id, '')
    || '|' || coalesce(sp.kind, '')"""
_OTHERS = """
LEFT JOIN subscription_statuses st
    ON st.subscriber_id = s.id AND st.subscription_type_id = {type_id}
LEFT JOIN wide_statuses w ON w.subscriber_id = s.id AND w.opted_out
LEFT JOIN suppressions sp ON sp.subscriber_id = s.id
WHERE st.status IS NOT NULL OR w.subscriber_id IS NOT NULL OR sp.subscriber_id IS NOT NULL
"""
# (The WHERE leaves out subscribers with nothing stored: they answer as no subscriber does.)
# CROSS JOIN keeps the keys as the outer loop (SQLite never reorders it): without statistics
# (no ANALYZE has run on a user's database) the planner otherwise scans every subscriber of
# the channel for each chunk.
_SQLITE = (
    "SELECT json_group_array(json_array(a.key, "
    + _CODE.format(confirmed="st.confirmed")
    + ")) FROM json_each(?) a CROSS JOIN subscribers s ON s.channel = ? AND s.key = a.value"
    + _OTHERS.format(type_id="?")
)
# ORDINALITY counts from 1; positions here count from 0. The subscriber is looked up per key
# through its unique index: a plain join is planned as a hash join over the whole subscribers
# table for every chunk, and LIMIT 1 (the key is unique) keeps the planner from flattening the
# LATERAL lookup back into one.
_POSTGRES = (
    "SELECT coalesce(json_agg(json_build_array(a.pos - 1, "
    + _CODE.format(confirmed="st.confirmed::int::text")
    + ")), '[]')::text FROM unnest(%s::text[]) WITH ORDINALITY AS a(key, pos)"
    " JOIN LATERAL (SELECT id FROM subscribers WHERE channel = %s AND key = a.key LIMIT 1) s"
    " ON true" + _OTHERS.format(type_id="%s")
)


def sending_codes(
    connection: Connection, channel: str, type_id: int, keys: Sequence[str]
) -> list[str | None]:
    """The code of each key's stored facts, in the order of `keys`; None for a key with
    nothing stored (no subscriber, or one without a row that eligibility reads: everything
    about it is NOT_SPECIFIED). `facts_of` reads a code."""
    cursor = connection.connection.cursor()
    try:
        if connection.dialect.name == "postgresql":
            cursor.execute(_POSTGRES, (list(keys), channel, type_id))
        else:
            cursor.execute(_SQLITE, (json.dumps(list(keys)), channel, type_id))
        (document,) = cursor.fetchone() or ("[]",)  # an aggregate: always one row
    finally:
        cursor.close()
    pairs = json.loads(document)
    codes: list[str | None] = [None] * len(keys)
    for position, code in pairs:
        codes[position] = code
    if len(codes) - codes.count(None) < len(pairs):  # a subscriber came back on several rows
        codes = [None] * len(keys)
        for position, code in pairs:
            known = codes[position]
            codes[position] = code if known is None else _merged(known, code)
    return codes


def _merged(code: str, other: str) -> str:
    """One code for two rows of the same subscriber: their wide opt-outs and kinds joined."""
    *facts, wide, kinds = code.split("|")
    *_, other_wide, other_kinds = other.split("|")
    return "|".join([*facts, f"{wide},{other_wide}", f"{kinds},{other_kinds}"])


@lru_cache(maxsize=4096)
def facts_of(code: str) -> StoredFacts:
    """The stored facts a code names (cached: a long list repeats a handful of codes)."""
    status, confirmed, reason, wide, suppressions = code.split("|")
    opt_outs = set()
    for pair in filter(None, wide.split(",")):
        wide_type, unit = pair.split(":")
        opt_outs.add((wide_type, int(unit)))
    return StoredFacts(
        status or None,
        confirmed == "1" if status else True,
        reason or None,
        tuple(sorted(opt_outs)),
        tuple(sorted(set(filter(None, suppressions.split(","))))),
    )


def sending_facts(
    connection: Connection, channel: str, type_id: int, keys: Sequence[str]
) -> list[StoredFacts | None]:
    """The stored facts of each key, in the order of `keys` (None: nothing stored)."""
    return [
        None if code is None else facts_of(code)
        for code in sending_codes(connection, channel, type_id, keys)
    ]
