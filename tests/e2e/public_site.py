"""A running server for the contact's pages, and what the tests ask of it: personal links,
the ledger of an address, the notice texts it recorded, the queued mail."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from consentry import services
from consentry.config import Config
from consentry.domain import Channel, LedgerEntry, Status
from consentry.services.links import PersonalLinks, generate_links
from consentry.services.unit_of_work import UnitOfWork
from consentry.storage import notices, outbox
from consentry.storage.outbox import QueuedMail
from tests.e2e.server import running_server, server_config

MARKETING, ONE_TO_ONE, CUSTOMER_SERVICE = 1, 2, 3  # the default types the first migration seeds


@dataclass
class Site:
    base: str
    engine: Engine
    config: Config

    def links(
        self,
        address: str,
        *,
        type_id: int | None = None,
        unit: int = 0,
        language: str | None = None,
        issued_at: datetime | None = None,
    ) -> PersonalLinks:
        return generate_links(
            self.engine,
            address,
            Channel.EMAIL,
            secret=self.config.secret(),
            public_url=self.base,
            business_unit_id=unit,
            subscription_type_id=type_id,
            language=language,
            issued_at=issued_at,
        )

    def entries(self, address: str) -> tuple[LedgerEntry, ...]:
        return services.history(self.engine, address, Channel.EMAIL).entries

    def status(self, address: str, type_id: int) -> Status:
        read = services.read_statuses(self.engine, address, Channel.EMAIL)
        return next(s.status for s in read.statuses if s.subscription_type.id == type_id)

    def notice(self, entry: LedgerEntry) -> str | None:
        if entry.notice_hash is None:
            return None
        with UnitOfWork(self.engine) as uow:
            return notices.texts(uow.connection, [entry.notice_hash])[entry.notice_hash]

    def mail(self, recipient: str | None = None) -> list[QueuedMail]:
        with UnitOfWork(self.engine) as uow:
            return outbox.listing(uow.connection, recipient)


@contextmanager
def public_site(engine: Engine, database_url: str, **overrides: object) -> Iterator[Site]:
    """A server on the migrated database of `engine`, with no worker thread (tests drive the
    mail pump themselves)."""
    config = server_config(database_url, in_process_worker=False, **overrides)
    with running_server(config) as base:
        yield Site(base, engine, config.model_copy(update={"public_url": base}))
