"""Use cases that read: a subscriber's statuses (with the sending answer), in one or in batches."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, partial

from sqlalchemy import Connection, Engine

from consentry.domain import (
    AccountSettings,
    Channel,
    ConsentryError,
    Eligibility,
    LegalBasis,
    Source,
    Status,
    SubscriberId,
    SubscriptionType,
    SuccessReason,
    SuppressionKind,
    WideType,
    eligibility,
    normalise,
)
from consentry.services.changes import InputError
from consentry.services.sending_state import sending_state
from consentry.services.unit_of_work import UnitOfWork
from consentry.storage import account_settings, catalog, statuses, subscribers, suppressions
from consentry.storage.statuses import StatusRow, WideRow


@dataclass(frozen=True)
class TypeStatus:
    subscription_type: SubscriptionType
    status: Status
    # The sending answer is worked out when first asked for: most batch reads never ask.
    answer: Callable[[], Eligibility] = field(repr=False, compare=False)
    occurred_at: datetime | None = None
    source: Source | None = None
    legal_basis: LegalBasis | None = None
    legal_basis_explanation: str | None = None
    reason: SuccessReason | None = None
    confirmed: bool = True

    @cached_property
    def eligibility(self) -> Eligibility:
        return self.answer()


@dataclass(frozen=True)
class WideStatus:
    wide_type: WideType
    business_unit_id: int
    occurred_at: datetime
    source: Source


@dataclass(frozen=True)
class SubscriberStatuses:
    """Everything stored for one address on one channel. `known` is false for an address never
    seen: every status reads NOT_SPECIFIED."""

    subscriber: SubscriberId
    known: bool
    statuses: tuple[TypeStatus, ...]
    wide_opt_outs: tuple[WideStatus, ...]
    suppressions: frozenset[SuppressionKind]

    @property
    def unsubscribed_from_all(self) -> bool:
        """True when opted out of all account-wide or in any business unit."""
        return bool(self.wide_opt_outs)


def read_statuses(
    engine: Engine, address: str, channel: Channel, business_unit_id: int | None = None
) -> SubscriberStatuses:
    (result,) = read_statuses_batch(engine, [address], channel, business_unit_id)
    if isinstance(result, InputError):
        raise result.error
    return result


def read_statuses_batch(
    engine: Engine,
    addresses: Sequence[str],
    channel: Channel,
    business_unit_id: int | None = None,
) -> list[SubscriberStatuses | InputError]:
    """Statuses of many addresses with a fixed number of queries, whatever the batch size."""
    with UnitOfWork(engine) as uow:
        return read_in(uow.connection, addresses, channel, business_unit_id)


def read_in(
    connection: Connection,
    addresses: Sequence[str],
    channel: Channel,
    business_unit_id: int | None = None,
) -> list[SubscriberStatuses | InputError]:
    """`read_statuses_batch` inside a transaction the caller holds."""
    settings = account_settings.load(connection)
    types = catalog.list_types(connection, channel=channel, business_unit_id=business_unit_id)
    parsed: list[SubscriberId | InputError] = []
    for index, address in enumerate(addresses):
        try:
            parsed.append(normalise(address, channel, settings.default_phone_region))
        except ConsentryError as error:
            parsed.append(InputError(index, address, error))
    keys = [(p.channel, p.key) for p in parsed if isinstance(p, SubscriberId)]
    ids = subscribers.find_ids(connection, keys)
    rows = statuses.load(connection, [(i, t.id) for i in ids.values() for t in types])
    wide: dict[int, list[WideRow]] = {}
    for row in statuses.load_wide(connection, ids.values()):
        wide.setdefault(row.subscriber_id, []).append(row)
    blocked = suppressions.for_subscribers(connection, ids.values())
    return [
        p
        if isinstance(p, InputError)
        else _assemble(p, ids.get((p.channel, p.key)), types, rows, wide, blocked, settings)
        for p in parsed
    ]


def _assemble(
    subscriber: SubscriberId,
    subscriber_id: int | None,
    types: list[SubscriptionType],
    rows: dict[tuple[int, int], StatusRow],
    wide: dict[int, list[WideRow]],
    blocked: dict[int, set[SuppressionKind]],
    settings: AccountSettings,
) -> SubscriberStatuses:
    opt_outs = [w for w in wide.get(subscriber_id or -1, []) if w.opted_out]
    kinds = frozenset(blocked.get(subscriber_id or -1, set()))
    result = []
    for type_ in types:
        row = rows.get((subscriber_id or -1, type_.id))
        status = row.status if row else Status.NOT_SPECIFIED
        result.append(
            TypeStatus(
                subscription_type=type_,
                status=status,
                answer=partial(_answer, type_, row, opt_outs, kinds, settings),
                occurred_at=row.occurred_at if row else None,
                source=row.source if row else None,
                legal_basis=row.legal_basis if row else None,
                legal_basis_explanation=row.legal_basis_explanation if row else None,
                reason=row.reason if row else None,
                confirmed=row.confirmed if row else True,
            )
        )
    return SubscriberStatuses(
        subscriber=subscriber,
        known=subscriber_id is not None,
        statuses=tuple(result),
        wide_opt_outs=tuple(
            WideStatus(w.wide_type, w.business_unit_id, w.occurred_at, w.source) for w in opt_outs
        ),
        suppressions=kinds,
    )


def _answer(
    type_: SubscriptionType,
    row: StatusRow | None,
    opt_outs: list[WideRow],
    kinds: frozenset[SuppressionKind],
    settings: AccountSettings,
) -> Eligibility:
    return eligibility(sending_state(type_, row, opt_outs, kinds), settings)
