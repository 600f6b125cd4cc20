"""Use cases over the ledger: an address's history (whole, or a page at a time), its statuses
as of a past time, and the verification of the whole chain."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from consentry.domain import (
    Channel,
    LedgerEntry,
    SubscriberId,
    Verification,
    normalise,
    verify_chain,
)
from consentry.domain.projection import Projection, fold
from consentry.services.unit_of_work import UnitOfWork
from consentry.storage import account_settings, ledger, subscribers


@dataclass(frozen=True)
class History:
    address: str
    channel: Channel
    entries: tuple[LedgerEntry, ...]


def history(engine: Engine, address: str, channel: Channel) -> History:
    """Every ledger entry of one address on one channel, oldest first; refusals included."""
    return _entries(engine, address, channel, until=None)


def statuses_as_of(engine: Engine, address: str, channel: Channel, moment: datetime) -> Projection:
    """What stood for the address at `moment`: the fold of the changes that had occurred by then."""
    return fold(_entries(engine, address, channel, until=moment).entries)


MAX_PAGE = 1_000


@dataclass(frozen=True)
class LedgerPage:
    """Up to a page of one address's entries, oldest first. With `as_of`, only the entries that
    had occurred by then, and `standing` is what stood at that moment (a fold of all of them)."""

    subscriber: SubscriberId
    entries: tuple[LedgerEntry, ...]
    next_after: int | None  # the cursor of the next page; None on the last one
    standing: Projection | None = None


def ledger_page(
    engine: Engine,
    address: str,
    channel: Channel,
    *,
    after: int = 0,
    limit: int = 100,
    as_of: datetime | None = None,
) -> LedgerPage:
    """One page of an address's ledger (keyset paging by entry id), in one snapshot."""
    limit = max(1, min(limit, MAX_PAGE))
    with UnitOfWork(engine) as uow:
        settings = account_settings.load(uow.connection)
        subscriber = normalise(address, channel, settings.default_phone_region)
        found = subscribers.find_ids(uow.connection, [(channel, subscriber.key)])
        subscriber_id = found.get((channel, subscriber.key))
        if subscriber_id is None:
            return LedgerPage(subscriber, (), None, Projection() if as_of else None)
        entries = ledger.page_for_subscriber(
            uow.connection, subscriber_id, after=after, limit=limit + 1, until=as_of
        )
        standing = None
        if as_of is not None:
            standing = fold(ledger.for_subscriber(uow.connection, subscriber_id, until=as_of))
    more = len(entries) > limit
    page = tuple(entries[:limit])
    return LedgerPage(subscriber, page, page[-1].id if more else None, standing)


def _entries(engine: Engine, address: str, channel: Channel, until: datetime | None) -> History:
    with UnitOfWork(engine) as uow:
        settings = account_settings.load(uow.connection)
        subscriber = normalise(address, channel, settings.default_phone_region)
        found = subscribers.find_ids(uow.connection, [(channel, subscriber.key)])
        subscriber_id = found.get((channel, subscriber.key))
        entries = (
            ledger.for_subscriber(uow.connection, subscriber_id, until=until)
            if subscriber_id is not None
            else []
        )
    return History(subscriber.key, channel, tuple(entries))


def verify_ledger(
    engine: Engine, progress: Callable[[int, int], None] | None = None
) -> Verification:
    """Walk the whole chain in one consistent snapshot and name the first broken entry."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as connection, connection.begin():
        head_id, head_hash = ledger.head(connection)

        def entries() -> Iterator[LedgerEntry]:
            for position, entry in enumerate(ledger.iterate(connection), start=1):
                if progress and position % 10_000 == 0:
                    progress(position, head_id)
                yield entry

        result = verify_chain(entries(), head_id, head_hash)
    if progress:
        progress(result.checked, head_id)
    return result
