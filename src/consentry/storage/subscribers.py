"""Subscribers: one row per (channel, normalised key)."""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, select, tuple_

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
    pairs = list(pairs)
    result: dict[tuple[Channel, str], int] = {}
    for start in range(0, len(pairs), 500):
        chunk = [(channel.value, key) for channel, key in pairs[start : start + 500]]
        rows = connection.execute(
            select(subscribers.c.id, subscribers.c.channel, subscribers.c.key).where(
                tuple_(subscribers.c.channel, subscribers.c.key).in_(chunk)
            )
        )
        result.update({(Channel(row.channel), row.key): row.id for row in rows})
    return result


def find(connection: Connection, channel: Channel, key: str) -> SubscriberId | None:
    row = connection.execute(
        select(subscribers.c.key, subscribers.c.address).where(
            subscribers.c.channel == channel.value, subscribers.c.key == key
        )
    ).first()
    return SubscriberId(channel, row.key, row.address) if row else None
