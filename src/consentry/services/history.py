"""Use cases over the ledger: an address's history, its statuses as of a past time, and the
verification of the whole chain."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from consentry.domain import Channel, LedgerEntry, Verification, normalise, verify_chain
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
