"""Erased addresses that come back: the one place subscribers are created (`ensure_subscribers`),
so that no path — import, API, form, workflow, link request — can bring an erased address back
without its ERASED suppression (domain.erasure)."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection

from consentry.domain import (
    SYSTEM_ACTOR,
    Action,
    Channel,
    Outcome,
    Source,
    SubscriberId,
    SuppressionKind,
)
from consentry.domain.erasure import RETURNED_MESSAGE, address_hash
from consentry.services.recorder import Recorder
from consentry.storage import erasures, ledger, subscribers, suppressions


def ensure_subscribers(
    connection: Connection,
    wanted: Sequence[SubscriberId],
    now: datetime,
    recorder: Recorder | None = None,
) -> tuple[dict[tuple[Channel, str], int], set[int]]:
    """`storage.subscribers.ensure_noting_new`, and an ERASED suppression (with its ledger
    entry, in `recorder`'s transaction) on each new subscriber whose address was erased.

    Without a recorder (a unit of work that does not lock the ledger) the ledger head is locked
    here, before the first row is written, once the account has erased anything at all.
    """
    key = None
    own_recorder = None
    if recorder is None:
        key = erasures.key(connection)
        if key is not None:
            recorder = own_recorder = Recorder(connection, ledger.lock_head(connection), now)
    ids, created = subscribers.ensure_noting_new(connection, wanted, now)
    if not created:
        return ids, created
    if key is None:
        key = erasures.key(connection)
        if key is None:  # nothing was ever erased: the common case costs one primary-key read
            return ids, created
    new = {(sid.channel, sid.key): sid for sid in wanted if ids[(sid.channel, sid.key)] in created}
    hashes = {pair: address_hash(key, *pair) for pair in new}
    back = erasures.remembered(connection, [(pair[0], h) for pair, h in hashes.items()])
    returning = [new[pair] for pair, digest in hashes.items() if digest in back]
    if returning:
        assert recorder is not None
        for subscriber in returning:
            subscriber_id = ids[(subscriber.channel, subscriber.key)]
            entry = recorder.record(
                occurred_at=now,
                action=Action.SUPPRESS.value,
                channel=subscriber.channel.value,
                subscriber_id=subscriber_id,
                subscriber_key=subscriber.key,
                address=subscriber.address,
                actor_kind=SYSTEM_ACTOR.kind.value,
                actor_id=SYSTEM_ACTOR.id,
                source=Source.SYSTEM.value,
                outcome=Outcome.APPLIED.value,
                suppression=SuppressionKind.ERASED.value,
                message=RETURNED_MESSAGE,
            )
            suppressions.save(connection, subscriber_id, SuppressionKind.ERASED, "", now, entry.id)
    if own_recorder is not None:
        own_recorder.flush()
    return ids, created
