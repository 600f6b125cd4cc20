"""Use cases for suppressions (deliverability facts: bounce, complaint, quarantine, invalid
address): record one, lift one, and list them. Each record and each lift is a ledger entry,
written in the transaction that changes the suppression row."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from consentry.domain import (
    Action,
    Actor,
    Channel,
    InvalidInput,
    NotFound,
    Outcome,
    Source,
    SubscriberId,
    SuppressionKind,
    normalise,
)
from consentry.services.erased_addresses import ensure_subscribers
from consentry.services.recorder import Recorder
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import account_settings, subscribers, suppressions
from consentry.storage.suppressions import SuppressionRow

MAX_PAGE = 1_000


@dataclass(frozen=True)
class Suppression:
    subscriber: SubscriberId
    kind: SuppressionKind
    detail: str
    created_at: datetime
    ledger_id: int  # the entry that recorded it


@dataclass(frozen=True)
class SuppressionChange:
    """The suppression after a record or a lift, and the ledger entry that says so.
    `applied` is false when the address was already suppressed for that kind."""

    suppression: Suppression
    applied: bool
    ledger_id: int


@dataclass(frozen=True)
class SuppressionPage:
    suppressions: tuple[Suppression, ...]
    next_after: int | None  # the cursor of the next page; None on the last one


def record_suppression(
    engine: Engine,
    address: str,
    channel: Channel,
    kind: SuppressionKind,
    actor: Actor,
    *,
    detail: str = "",
    source: Source = Source.SYSTEM,
    evidence: Mapping[str, Any] | None = None,
) -> SuppressionChange:
    """Suppress an address; the fact goes in the ledger with the suppression row."""
    now = utcnow()
    if kind is SuppressionKind.ERASED:
        raise InvalidInput(
            "ERASED suppressions are made by erasure (`consentry erase`), not recorded by hand.",
            field="kind",
        )
    with UnitOfWork(engine, write=True) as uow:
        recorder = Recorder(uow.connection, uow.head, now)
        subscriber, subscriber_id = _subscriber(uow.connection, address, channel, now, recorder)
        stored = _stored(uow.connection, subscriber_id, kind)
        entry = recorder.record(
            **_fields(subscriber, subscriber_id, actor, source, now, kind),
            action=Action.SUPPRESS.value,
            outcome=(Outcome.NO_CHANGE if stored else Outcome.APPLIED).value,
            message=f"{_label(kind)}: {detail}".rstrip(": "),
            evidence={**(evidence or {}), **({"detail": detail} if detail else {})},
        )
        recorder.flush()
        if stored is None:
            suppressions.save(uow.connection, subscriber_id, kind, detail, now, entry.id)
        uow.commit()
    if stored is not None:
        return SuppressionChange(_suppression(stored), False, entry.id)
    return SuppressionChange(Suppression(subscriber, kind, detail, now, entry.id), True, entry.id)


def lift_suppression(
    engine: Engine,
    address: str,
    channel: Channel,
    kind: SuppressionKind,
    actor: Actor,
    *,
    source: Source = Source.SYSTEM,
    evidence: Mapping[str, Any] | None = None,
) -> SuppressionChange:
    """Remove a suppression (a bounce that was the provider's mistake, say) and record why not
    any more: an UNSUPPRESS entry in the same transaction as the delete."""
    now = utcnow()
    with UnitOfWork(engine, write=True) as uow:
        connection = uow.connection
        subscriber, stored = _existing(connection, address, channel, kind)
        recorder = Recorder(connection, uow.head, now)
        entry = recorder.record(
            **_fields(subscriber, stored.subscriber_id, actor, source, now, kind),
            action=Action.UNSUPPRESS.value,
            outcome=Outcome.APPLIED.value,
            message=f"{_label(kind)} lifted.",
            evidence=dict(evidence or {}),
        )
        recorder.flush()
        suppressions.delete(connection, stored.subscriber_id, kind)
        uow.commit()
    return SuppressionChange(_suppression(stored), True, entry.id)


def list_suppressions(
    engine: Engine,
    *,
    channel: Channel | None = None,
    kind: SuppressionKind | None = None,
    address: str | None = None,
    after: int = 0,
    limit: int = 100,
) -> SuppressionPage:
    """Suppressions in the order they were recorded, `limit` at a time (keyset paging)."""
    limit = max(1, min(limit, MAX_PAGE))
    if address is not None and channel is None:
        raise InvalidInput("Name the channel to look an address up.", field="channel")
    with UnitOfWork(engine) as uow:
        subscriber_id = None
        if address is not None and channel is not None:
            key = _normalise(uow.connection, address, channel).key
            subscriber_id = subscribers.find_ids(uow.connection, [(channel, key)]).get(
                (channel, key)
            )
            if subscriber_id is None:
                return SuppressionPage((), None)
        rows = suppressions.page(
            uow.connection,
            after=after,
            limit=limit + 1,
            channel=channel,
            kind=kind,
            subscriber_id=subscriber_id,
        )
    found = tuple(_suppression(row) for row in rows)
    more = len(found) > limit
    return SuppressionPage(found[:limit], found[limit - 1].ledger_id if more else None)


def _normalise(connection: Connection, address: str, channel: Channel) -> SubscriberId:
    return normalise(address, channel, account_settings.load(connection).default_phone_region)


def _subscriber(
    connection: Connection, address: str, channel: Channel, now: datetime, recorder: Recorder
) -> tuple[SubscriberId, int]:
    subscriber = _normalise(connection, address, channel)
    ids, _ = ensure_subscribers(connection, [subscriber], now, recorder)
    return subscriber, ids[(channel, subscriber.key)]


def _existing(
    connection: Connection, address: str, channel: Channel, kind: SuppressionKind
) -> tuple[SubscriberId, SuppressionRow]:
    subscriber = _normalise(connection, address, channel)
    key = (channel, subscriber.key)
    subscriber_id = subscribers.find_ids(connection, [key]).get(key)
    stored = _stored(connection, subscriber_id, kind) if subscriber_id is not None else None
    if stored is None:
        raise NotFound(
            f"{subscriber.key} is not suppressed for {kind.value} on {channel.value}.",
            field="kind",
        )
    return subscriber, stored


def _stored(
    connection: Connection, subscriber_id: int, kind: SuppressionKind
) -> SuppressionRow | None:
    rows = suppressions.page(connection, subscriber_id=subscriber_id, kind=kind, limit=1)
    return rows[0] if rows else None


def _suppression(row: SuppressionRow) -> Suppression:
    subscriber = SubscriberId(row.channel, row.key, row.address)  # the address as first stored
    return Suppression(subscriber, row.kind, row.detail, row.created_at, row.ledger_id)


def _fields(
    subscriber: SubscriberId,
    subscriber_id: int,
    actor: Actor,
    source: Source,
    now: datetime,
    kind: SuppressionKind,
) -> dict[str, Any]:
    return {
        "occurred_at": now,
        "channel": subscriber.channel.value,
        "subscriber_id": subscriber_id,
        "subscriber_key": subscriber.key,
        "address": subscriber.address,
        "actor_kind": actor.kind.value,
        "actor_id": actor.id,
        "source": source.value,
        "suppression": kind.value,
    }


def _label(kind: SuppressionKind) -> str:
    return kind.value.replace("_", " ").capitalize()
