"""Use case of the Audit page: the whole ledger, filtered by address, type, source, actor and
date, newest first, a page at a time."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine

from consentry.domain import Channel, InvalidInput, LedgerEntry, normalise
from consentry.services.unit_of_work import UnitOfWork
from consentry.storage import account_settings, audit_trail
from consentry.storage.audit_trail import AuditFilter

PAGE = 50


@dataclass(frozen=True)
class AuditQuery:
    address: str = ""
    subscription_type_id: int | None = None
    source: str = ""
    actor: str = ""  # a kind ("USER", "API_TOKEN"…) or kind:id ("USER:3")
    since: date | None = None
    until: date | None = None  # inclusive
    before: int | None = None  # paging cursor: entries with smaller ids


@dataclass(frozen=True)
class AuditPage:
    entries: tuple[LedgerEntry, ...]
    next_before: int | None


def _day(moment: date) -> datetime:
    return datetime.combine(moment, time(), tzinfo=UTC)


def audit_page(engine: Engine, query: AuditQuery) -> AuditPage:
    with UnitOfWork(engine) as uow:
        key = None
        if query.address:
            region = account_settings.load(uow.connection).default_phone_region
            channel = Channel.EMAIL if "@" in query.address else Channel.SMS
            try:
                key = normalise(query.address, channel, region).key
            except InvalidInput as problem:
                raise InvalidInput(problem.message, field="address") from None
        kind, _, actor_id = query.actor.partition(":")
        where = AuditFilter(
            subscriber_key=key,
            subscription_type_id=query.subscription_type_id,
            source=query.source or None,
            actor_kind=kind.upper() or None,
            actor_id=actor_id or None,
            since=_day(query.since) if query.since else None,
            until=_day(query.until) + timedelta(days=1) if query.until else None,
        )
        rows = audit_trail.page(uow.connection, where, before=query.before, limit=PAGE + 1)
    more = len(rows) > PAGE
    shown = tuple(rows[:PAGE])
    return AuditPage(shown, shown[-1].id if more else None)
