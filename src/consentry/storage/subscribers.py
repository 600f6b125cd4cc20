"""Subscribers: one row per (channel, normalised key)."""

import json
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Connection, select

from consentry.domain import Channel, SubscriberId
from consentry.storage.tables import subscribers
from consentry.storage.upsert import sqlite_time

# An erased subscriber's row stays, keyed "erased:<id>" with no address, so that its id is
# never handed out again (SQLite reuses the highest deleted rowid) and entries of the erased
# person never read as the history of whoever gets the id next. No email or E.164 key has ":".
ERASED_KEY_PREFIX = "erased:"


def ensure(
    connection: Connection, ids: Iterable[SubscriberId], now: datetime
) -> dict[tuple[Channel, str], int]:
    """The row id of each subscriber, creating the ones not stored yet."""
    return ensure_noting_new(connection, ids, now)[0]


def ensure_noting_new(
    connection: Connection, ids: Iterable[SubscriberId], now: datetime
) -> tuple[dict[tuple[Channel, str], int], set[int]]:
    """`ensure`, and the ids of the rows this call created: nothing refers to those yet, so
    a writer need not look up their statuses."""
    wanted = {(sid.channel, sid.key): sid for sid in ids}
    if not wanted:
        return {}, set()
    found = find_ids(connection, wanted)
    missing = [sid for pair, sid in wanted.items() if pair not in found]
    if not missing:
        return found, set()
    created = _insert_returning_ids(connection, missing, now)
    found.update(created)
    # A row another transaction inserted meanwhile is not returned: look those up.
    late = [(sid.channel, sid.key) for sid in missing if (sid.channel, sid.key) not in found]
    if late:
        found.update(find_ids(connection, late))
    return found, set(created.values())


# One statement per chunk with the keys as one parameter (a JSON array on SQLite, text arrays
# on PostgreSQL): an expanding IN of 900 bound values per statement was most of the cost of
# looking up a batch's subscribers.
_FIND_SQLITE = (
    "SELECT id, key FROM subscribers WHERE channel = ? AND key IN (SELECT value FROM json_each(?))"
)
_FIND_POSTGRES = "SELECT id, key FROM subscribers WHERE channel = %s AND key = ANY(%s::text[])"
# `WHERE true` lets SQLite tell the upsert clause from a join constraint.
_INSERT_SQLITE = (
    "INSERT INTO subscribers (channel, key, address, created_at)"
    " SELECT ?, json_extract(value, '$[0]'), json_extract(value, '$[1]'), ?"
    " FROM json_each(?) WHERE true ON CONFLICT DO NOTHING RETURNING id, key"
)
_INSERT_POSTGRES = (
    "INSERT INTO subscribers (channel, key, address, created_at)"
    " SELECT %s, k, a, %s FROM unnest(%s::text[], %s::text[]) AS n(k, a)"
    " ON CONFLICT DO NOTHING RETURNING id, key"
)
_CHUNK = 5_000


def find_ids(
    connection: Connection, pairs: Iterable[tuple[Channel, str]]
) -> dict[tuple[Channel, str], int]:
    """Row ids of the stored subscribers among `pairs`, asked per channel by key."""
    keys_by_channel: dict[Channel, list[str]] = {}
    for channel, key in dict.fromkeys(pairs):
        keys_by_channel.setdefault(channel, []).append(key)
    result: dict[tuple[Channel, str], int] = {}
    postgres = connection.dialect.name == "postgresql"
    cursor = connection.connection.cursor()
    try:
        for channel, keys in keys_by_channel.items():
            for start in range(0, len(keys), _CHUNK):
                chunk = keys[start : start + _CHUNK]
                if postgres:
                    cursor.execute(_FIND_POSTGRES, (channel.value, chunk))
                else:
                    cursor.execute(_FIND_SQLITE, (channel.value, json.dumps(chunk)))
                result.update({(channel, key): id_ for id_, key in cursor.fetchall()})
    finally:
        cursor.close()
    return result


def _insert_returning_ids(
    connection: Connection, missing: Sequence[SubscriberId], now: datetime
) -> dict[tuple[Channel, str], int]:
    by_channel: dict[Channel, list[SubscriberId]] = {}
    for sid in missing:
        by_channel.setdefault(sid.channel, []).append(sid)
    result: dict[tuple[Channel, str], int] = {}
    postgres = connection.dialect.name == "postgresql"
    cursor = connection.connection.cursor()
    try:
        for channel, sids in by_channel.items():
            for start in range(0, len(sids), _CHUNK):
                chunk = sids[start : start + _CHUNK]
                if postgres:
                    keys = [sid.key for sid in chunk]
                    addresses = [sid.address for sid in chunk]
                    cursor.execute(_INSERT_POSTGRES, (channel.value, now, keys, addresses))
                else:
                    rows = json.dumps([[sid.key, sid.address] for sid in chunk])
                    cursor.execute(_INSERT_SQLITE, (channel.value, sqlite_time(now), rows))
                result.update({(channel, key): id_ for id_, key in cursor.fetchall()})
    finally:
        cursor.close()
    return result


def find(connection: Connection, channel: Channel, key: str) -> SubscriberId | None:
    row = connection.execute(
        select(subscribers.c.key, subscribers.c.address).where(
            subscribers.c.channel == channel.value, subscribers.c.key == key
        )
    ).first()
    return SubscriberId(channel, row.key, row.address) if row else None


def by_id(connection: Connection, subscriber_id: int) -> SubscriberId | None:
    """The subscriber a row id names (a personal link carries the id, not the address)."""
    row = connection.execute(
        select(subscribers.c.channel, subscribers.c.key, subscribers.c.address).where(
            subscribers.c.id == subscriber_id
        )
    ).first()
    if row is None or row.key.startswith(ERASED_KEY_PREFIX):
        return None  # an erased subscriber's old links open nothing
    return SubscriberId(Channel(row.channel), row.key, row.address)
