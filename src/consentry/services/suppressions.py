"""Use case: record a deliverability fact (bounce, complaint, quarantine, invalid address)."""

from sqlalchemy import Engine

from consentry.domain import (
    Action,
    Actor,
    Channel,
    Outcome,
    Source,
    SubscriberId,
    SuppressionKind,
    normalise,
)
from consentry.services.recorder import Recorder
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import account_settings, subscribers, suppressions


def record_suppression(
    engine: Engine,
    address: str,
    channel: Channel,
    kind: SuppressionKind,
    actor: Actor,
    *,
    detail: str = "",
    source: Source = Source.SYSTEM,
) -> SubscriberId:
    """Suppress an address; the fact goes in the ledger with the suppression row."""
    now = utcnow()
    with UnitOfWork(engine, write=True) as uow:
        connection = uow.connection
        settings = account_settings.load(connection)
        subscriber = normalise(address, channel, settings.default_phone_region)
        subscriber_id = subscribers.ensure(connection, [subscriber], now)[(channel, subscriber.key)]
        already = kind in suppressions.for_subscribers(connection, [subscriber_id]).get(
            subscriber_id, set()
        )
        recorder = Recorder(connection, uow.head, now)
        entry = recorder.record(
            occurred_at=now,
            action=Action.SUPPRESS.value,
            channel=channel.value,
            subscriber_id=subscriber_id,
            subscriber_key=subscriber.key,
            address=subscriber.address,
            actor_kind=actor.kind.value,
            actor_id=actor.id,
            source=source.value,
            suppression=kind.value,
            outcome=(Outcome.NO_CHANGE if already else Outcome.APPLIED).value,
            message=f"{kind.value.replace('_', ' ').capitalize()}: {detail}".rstrip(": "),
            evidence={"detail": detail} if detail else {},
        )
        recorder.flush()
        if not already:
            suppressions.save(connection, subscriber_id, kind, detail, now, entry.id)
        uow.commit()
    return subscriber
