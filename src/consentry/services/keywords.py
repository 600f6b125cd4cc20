"""Inbound messages on the phone channels (issue 8): what a keyword or a plain-language reply
asks, recorded through the rulebook like any other change, and which reply to send.

- An opt-out unsubscribes the number from everything on that channel (and only that channel):
  "unsubscribe from all" plus each transactional type, one transaction, source SMS_KEYWORD or
  WHATSAPP_KEYWORD, actor the provider, the raw body and message id as evidence.
- START / YES / UNSTOP only lifts an earlier keyword opt-out (domain.keywords.liftable): from a
  number that never opted in it creates nothing.
- A reply that might be a stop goes to the review queue (services.review_queue).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine

from consentry.domain import (
    AccountSettings,
    Actor,
    ActorKind,
    Channel,
    Status,
    SubscriberId,
    SubscriptionType,
    TypeKind,
    WideType,
    normalise,
)
from consentry.domain.keywords import (
    Intent,
    classify,
    keyword_source,
    liftable,
    restored_status,
)
from consentry.domain.sms_replies import Reply
from consentry.services.changes import InputError, Provenance, WideChange, WideResult
from consentry.services.entries import single
from consentry.services.subscriptions import change_status
from consentry.services.unit_of_work import UnitOfWork

# The one write path for "unsubscribe from all" (a step of write_batch); shared, not copied.
from consentry.services.wide_opt_outs import change_wide
from consentry.services.writing import WriteContext, utcnow, write_batch
from consentry.storage import account_settings, catalog, keyword_opt_outs, review_queue


@dataclass(frozen=True)
class Inbound:
    """One inbound message as a provider's webhook delivered it."""

    channel: Channel
    address: str  # the sender, E.164
    body: str
    provider: str  # "twilio", "whatsapp_cloud"
    message_id: str | None = None
    # The provider matched a keyword itself and has answered (Twilio's OptOutType).
    provider_intent: Intent | None = None
    details: Mapping[str, str] = field(default_factory=dict)  # other fields, kept as evidence


@dataclass(frozen=True)
class Handled:
    intent: Intent
    reply: Reply
    ledger_ids: tuple[int, ...] = ()
    review_id: int | None = None


def handle_inbound(engine: Engine, inbound: Inbound) -> Handled:
    intent = inbound.provider_intent or classify(inbound.body)
    answered = inbound.provider_intent is not None
    provenance = _provenance(inbound)
    if intent is Intent.OPT_OUT:
        ids = opt_out(engine, inbound.address, inbound.channel, provenance)
        return Handled(intent, Reply.NONE if answered else Reply.OPT_OUT, ids)
    if intent is Intent.OPT_IN:
        lifted = lift_keyword_opt_out(engine, inbound.address, inbound.channel, provenance)
        reply = Reply.OPT_IN if lifted.restored else Reply.NOTHING_TO_RESTART
        return Handled(intent, Reply.NONE if answered else reply, lifted.ledger_ids)
    if intent is Intent.HELP:
        return Handled(intent, Reply.NONE if answered else Reply.HELP)
    if intent is Intent.POSSIBLE_STOP:
        return Handled(intent, Reply.NONE, review_id=_queue(engine, inbound))
    return Handled(intent, Reply.NONE)


def opt_out(
    engine: Engine,
    address: str,
    channel: Channel,
    provenance: Provenance,
    *,
    before_commit: Callable[[Connection, list[int]], None] | None = None,
) -> tuple[int, ...]:
    """Unsubscribe a number from every type of one phone channel; the ledger ids written."""
    keyword_source(channel)  # phone channels only
    types: list[SubscriptionType] = []

    def step(context: WriteContext, subscriber: SubscriberId, change: WideChange) -> list[int]:
        wide: WideResult = change_wide(context, subscriber, change, types)
        ids = [wide.ledger_id, *(r.ledger_id for r in wide.type_results)]
        for type_ in types:
            if type_.kind is TypeKind.TRANSACTIONAL:
                status = Status.UNSUBSCRIBED
                ids.append(change_status(context, subscriber, type_, status, provenance).ledger_id)
        return ids

    return _write(engine, address, channel, provenance, True, types, step, before_commit)


@dataclass(frozen=True)
class Lifted:
    ledger_ids: tuple[int, ...]
    restored: bool  # an opt-in the keyword opt-out had ended stands again


def lift_keyword_opt_out(
    engine: Engine, address: str, channel: Channel, provenance: Provenance
) -> Lifted:
    """START: lift what an earlier keyword opt-out on this channel did, nothing more."""
    source = keyword_source(channel)
    types: list[SubscriptionType] = []
    restored: list[SubscriptionType] = []

    def step(context: WriteContext, subscriber: SubscriberId, change: WideChange) -> list[int]:
        subscriber_id = context.subscriber_id(subscriber)
        wide = context.state.wide(subscriber_id, WideType.PORTAL_WIDE, 0)
        wide_source = wide.source if wide is not None and wide.opted_out else None
        rows = [(type_, context.state.status(subscriber_id, type_.id)) for type_ in types]
        lifted = [
            (type_, row)
            for type_, row in rows
            if row is not None
            and row.status is Status.UNSUBSCRIBED
            and liftable(channel, wide_source, row.source)
        ]
        ids: list[int] = []
        if wide_source is source:
            ids.append(change_wide(context, subscriber, change, types).ledger_id)
        before = keyword_opt_outs.statuses_before(
            context.connection, [row.ledger_id for _, row in lifted]
        )
        for type_, row in lifted:
            status = restored_status(before.get(row.ledger_id))
            result = change_status(context, subscriber, type_, status, provenance)
            ids.append(result.ledger_id)
            if result.decision.applied and status is Status.SUBSCRIBED:
                restored.append(type_)
        return ids

    ids = _write(engine, address, channel, provenance, False, types, step, None)
    return Lifted(ids, bool(restored))


def _write(
    engine: Engine,
    address: str,
    channel: Channel,
    provenance: Provenance,
    opt_out: bool,
    types: list[SubscriptionType],
    step: Callable[[WriteContext, SubscriberId, WideChange], list[int]],
    before_commit: Callable[[Connection, list[int]], None] | None,
) -> tuple[int, ...]:
    def check(connection: Connection, _: AccountSettings) -> Callable[[WideChange], None]:
        types.extend(catalog.list_types(connection, channel=channel))
        return lambda _: None

    def commit_hook(connection: Connection, answers: list[list[int] | InputError]) -> None:
        if before_commit is not None and answers and not isinstance(answers[0], InputError):
            before_commit(connection, answers[0])

    change = WideChange(address, channel, None, opt_out, provenance)
    results = write_batch(
        engine,
        [change],
        check=check,
        step=step,
        type_ids=lambda _: [type_.id for type_ in types],
        before_commit=commit_hook,
    )
    ids: list[int] = single(results)
    return tuple(ids)


def _provenance(inbound: Inbound) -> Provenance:
    evidence: dict[str, str] = {"body": inbound.body, "provider": inbound.provider}
    if inbound.message_id:
        evidence["message_id"] = inbound.message_id
    evidence.update({k: v for k, v in inbound.details.items() if k not in evidence})
    return Provenance(
        source=keyword_source(inbound.channel),
        actor=Actor(ActorKind.PROVIDER, inbound.provider),
        evidence=evidence,
    )


def _queue(engine: Engine, inbound: Inbound) -> int:
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        if inbound.message_id:
            known = review_queue.find_message(uow.connection, inbound.provider, inbound.message_id)
            if known is not None:  # a provider's retry: one item per message
                return known
        region = account_settings.load(uow.connection).default_phone_region
        item_id = review_queue.add(
            uow.connection,
            inbound.channel,
            normalise(inbound.address, inbound.channel, region).key,
            inbound.body,
            inbound.message_id,
            inbound.provider,
            utcnow(),
        )
        uow.commit()
    return item_id
