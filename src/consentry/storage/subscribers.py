"""Subscribers: one row per (channel, normalised key)."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, select

from consentry.domain import Channel, SubscriberId
from consentry.storage.tables import subscribers
from consentry.storage.upsert import insert_ignoring_conflicts


def ensure(
    connection: Connection, ids: Iterable[SubscriberId], now: datetime
) -> dict[tuple[Channel, str], int]:
    """The row id of each subscriber, creating the ones not stored yet."""
    wanted = {(sid.channel, sid.key): sid for sid in ids}
    if not wanted:
        return {}
    found = find_ids(connection, wanted)
    missing = [sid for pair, sid in wanted.items() if pair not in found]
    if missing:
        insert_ignoring_conflicts(
            connection,
            subscribers,
            [
                {
                    "channel": sid.channel.value,
                    "key": sid.key,
                    "address": sid.address,
                    "created_at": now,
                }
                for sid in missing
            ],
        )
        found.update(find_ids(connection, [(sid.channel, sid.key) for sid in missing]))
    return found


def find_ids(
    connection: Connection, pairs: Iterable[tuple[Channel, str]]
) -> dict[tuple[Channel, str], int]:
    """Row ids of the stored subscribers among `pairs`, asked per channel by key (the unique
    index's columns one by one: SQLite does not look row values up through an index)."""
    keys_by_channel: dict[Channel, list[str]] = {}
    for channel, key in dict.fromkeys(pairs):
        keys_by_channel.setdefault(channel, []).append(key)
    result: dict[tuple[Channel, str], int] = {}
    for channel, keys in keys_by_channel.items():
        for start in range(0, len(keys), _CHUNK):
            rows = connection.execute(
                select(subscribers.c.id, subscribers.c.key).where(
                    subscribers.c.channel == channel.value,
                    subscribers.c.key.in_(keys[start : start + _CHUNK]),
                )
            )
            result.update({(channel, row.key): row.id for row in rows})
    return result


# Keys per statement: well under every database's bound on parameters.
_CHUNK = 900


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
    return SubscriberId(Channel(row.channel), row.key, row.address) if row else None
