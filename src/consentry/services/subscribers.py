"""Use cases that read everything about one subscriber: the profile an admin looks at
(statuses with the sending answer, wide opt-outs, suppressions) and the consent receipt
(COMPLIANCE.md: "A receipt for one subscriber can be exported as JSON")."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from consentry.domain import Channel, LedgerEntry
from consentry.domain.ledger import intact
from consentry.services.changes import InputError
from consentry.services.reading import SubscriberStatuses, read_in
from consentry.services.suppressions import Suppression
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import ledger, notices, subscribers, suppressions


@dataclass(frozen=True)
class Profile:
    statuses: SubscriberStatuses
    suppressions: tuple[Suppression, ...]
    subscriber_id: int | None  # None for an address never seen


@dataclass(frozen=True)
class ReceiptEntry:
    """One ledger entry as the receipt shows it: with the notice text the contact was shown,
    and whether the entry still matches its own hash."""

    entry: LedgerEntry
    notice_text: str | None
    intact: bool


@dataclass(frozen=True)
class Receipt:
    generated_at: datetime
    profile: Profile
    entries: tuple[ReceiptEntry, ...]


def subscriber_profile(
    engine: Engine, address: str, channel: Channel, business_unit_id: int | None = None
) -> Profile:
    """The subscriber's statuses for every type (of one unit, if named), in one snapshot."""
    with UnitOfWork(engine) as uow:
        return _profile(uow.connection, address, channel, business_unit_id)


def subscriber_receipt(engine: Engine, address: str, channel: Channel) -> Receipt:
    """Everything on record for the subscriber, every ledger entry included, in one snapshot."""
    with UnitOfWork(engine) as uow:
        found = _profile(uow.connection, address, channel, None)
        entries = (
            ledger.for_subscriber(uow.connection, found.subscriber_id)
            if found.subscriber_id is not None
            else []
        )
        texts = notices.texts(uow.connection, [e.notice_hash for e in entries if e.notice_hash])
    return Receipt(
        utcnow(),
        found,
        tuple(
            ReceiptEntry(e, texts.get(e.notice_hash) if e.notice_hash else None, intact(e))
            for e in entries
        ),
    )


def _profile(
    connection: Connection, address: str, channel: Channel, business_unit_id: int | None
) -> Profile:
    (read,) = read_in(connection, [address], channel, business_unit_id)
    if isinstance(read, InputError):
        raise read.error
    key = read.subscriber.key
    subscriber_id = subscribers.find_ids(connection, [(channel, key)]).get((channel, key))
    rows = (
        suppressions.page(connection, subscriber_id=subscriber_id, limit=100)
        if subscriber_id is not None
        else []
    )
    return Profile(
        read,
        tuple(
            Suppression(read.subscriber, r.kind, r.detail, r.created_at, r.ledger_id) for r in rows
        ),
        subscriber_id,
    )
