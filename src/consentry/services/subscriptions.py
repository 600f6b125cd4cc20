"""Use cases that change statuses: set a type's status, unsubscribe from all, clear it.

Each call is one transaction; every input gets a ledger entry, refusals included.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, Engine

from consentry.domain import (
    AccountSettings,
    Action,
    ChangeRequest,
    Channel,
    Decision,
    InvalidInput,
    NotFound,
    Outcome,
    Status,
    SubscriberId,
    SubscriptionType,
    SuccessReason,
    TypeKind,
    decide,
)
from consentry.domain.statuses import covers, wide_scope
from consentry.services.changes import (
    ChangeResult,
    InputError,
    Provenance,
    StatusChange,
    WideChange,
    WideResult,
)
from consentry.services.writing import WriteContext, write_batch
from consentry.storage import catalog
from consentry.storage.statuses import StatusRow, WideRow

R = TypeVar("R")


def set_statuses(
    engine: Engine, changes: Sequence[StatusChange], *, request_id: str | None = None
) -> list[ChangeResult | InputError]:
    """Apply many type-status changes in one transaction, in order."""
    types: dict[int, SubscriptionType] = {}

    def check(connection: Connection, _: AccountSettings) -> Callable[[StatusChange], None]:
        wanted = {change.subscription_type_id for change in changes}
        types.update({t.id: t for t in catalog.list_types(connection, ids=wanted)})
        return lambda change: _check_type(types, change)

    def step(context: WriteContext, subscriber: SubscriberId, change: StatusChange) -> ChangeResult:
        return _change_status(
            context,
            subscriber,
            types[change.subscription_type_id],
            change.status,
            change.provenance,
        )

    return write_batch(
        engine,
        changes,
        check=check,
        step=step,
        type_ids=lambda change: (change.subscription_type_id,),
        request_id=request_id,
    )


def set_status(
    engine: Engine, change: StatusChange, *, request_id: str | None = None
) -> ChangeResult:
    """Apply one change; a bad address or unknown type raises and writes nothing."""
    return _single(set_statuses(engine, [change], request_id=request_id))


def set_wide_statuses(
    engine: Engine, changes: Sequence[WideChange], *, request_id: str | None = None
) -> list[WideResult | InputError]:
    """Set or clear "unsubscribe from all" for many subscribers in one transaction."""
    channel_types: dict[str, list[SubscriptionType]] = {}

    def check(connection: Connection, settings: AccountSettings) -> Callable[[WideChange], None]:
        units = {unit.id for unit in catalog.list_units(connection)}
        for type_ in catalog.list_types(connection):
            channel_types.setdefault(type_.channel.value, []).append(type_)

        def check_one(change: WideChange) -> None:
            if change.business_unit_id is not None and change.business_unit_id not in units:
                raise NotFound(
                    f"Business unit {change.business_unit_id} does not exist.",
                    field="businessUnitId",
                )
            wide_scope(change.business_unit_id, settings.business_units_enabled)

        return check_one

    def step(context: WriteContext, subscriber: SubscriberId, change: WideChange) -> WideResult:
        types = channel_types.get(change.channel.value, [])
        return _change_wide(context, subscriber, change, types)

    def type_ids(change: WideChange) -> list[int]:
        return [t.id for t in channel_types.get(change.channel.value, [])]

    return write_batch(
        engine, changes, check=check, step=step, type_ids=type_ids, request_id=request_id
    )


def unsubscribe_all(
    engine: Engine,
    address: str,
    channel: Channel,
    business_unit_id: int | None,
    provenance: Provenance,
    *,
    request_id: str | None = None,
) -> WideResult:
    change = WideChange(address, channel, business_unit_id, True, provenance)
    return _single(set_wide_statuses(engine, [change], request_id=request_id))


def clear_unsubscribe_all(
    engine: Engine,
    address: str,
    channel: Channel,
    business_unit_id: int | None,
    provenance: Provenance,
    *,
    request_id: str | None = None,
) -> WideResult:
    change = WideChange(address, channel, business_unit_id, False, provenance)
    return _single(set_wide_statuses(engine, [change], request_id=request_id))


def _single(results: list[R | InputError]) -> R:
    (result,) = results
    if isinstance(result, InputError):
        raise result.error
    return result


def _check_type(types: dict[int, SubscriptionType], change: StatusChange) -> None:
    type_ = types.get(change.subscription_type_id)
    if type_ is None:
        raise NotFound(
            f"Subscription type {change.subscription_type_id} does not exist.",
            field="subscriptionId",
        )
    if type_.channel is not change.channel:
        raise InvalidInput(
            f"Subscription type {type_.id} ({type_.name}) is a {type_.channel.value} type;"
            f" it cannot take a {change.channel.value} subscriber.",
            field="channel",
        )


def _entry_fields(
    subscriber: SubscriberId, subscriber_id: int, provenance: Provenance, occurred_at: datetime
) -> dict[str, Any]:
    return {
        "occurred_at": occurred_at,
        "channel": subscriber.channel.value,
        "subscriber_id": subscriber_id,
        "subscriber_key": subscriber.key,
        "address": subscriber.address,
        "contact_id": provenance.contact_id,
        "actor_kind": provenance.actor.kind.value,
        "actor_id": provenance.actor.id,
        "source": provenance.source.value,
        "evidence": dict(provenance.evidence),
    }


def _change_status(
    context: WriteContext,
    subscriber: SubscriberId,
    type_: SubscriptionType,
    requested: Status,
    provenance: Provenance,
    *,
    reason_override: SuccessReason | None = None,
) -> ChangeResult:
    subscriber_id = context.subscriber_id(subscriber)
    occurred_at = provenance.occurred_at or context.now
    current = context.state.current(subscriber_id, type_)
    request = ChangeRequest(
        channel=subscriber.channel,
        requested=requested,
        source=provenance.source,
        type_active=type_.is_active,
        legal_basis=provenance.legal_basis,
        explanation=provenance.explanation,
        occurred_at=occurred_at,
    )
    decision = decide(request, current, context.settings)
    reason = reason_override if decision.applied and reason_override else decision.reason
    entry = context.recorder.record(
        **_entry_fields(subscriber, subscriber_id, provenance, occurred_at),
        notice_text=provenance.notice_text,
        action=Action.SET_STATUS.value,
        subscription_type_id=type_.id,
        business_unit_id=type_.business_unit_id,
        old_status=current.status.value,
        requested_status=requested.value,
        new_status=(requested if decision.applied else current.status).value,
        outcome=decision.outcome.value,
        success_reason=reason.value if reason else None,
        refusal=decision.refusal.value if decision.refusal else None,
        message=decision.message,
        legal_basis=_basis(decision, provenance),
        legal_basis_explanation=provenance.explanation,
    )
    if decision.applied:
        context.state.put_status(
            StatusRow(
                subscriber_id,
                type_.id,
                requested,
                not decision.awaiting_confirmation,
                reason or SuccessReason.REQUESTED_CHANGE_OCCURRED,
                provenance.source,
                decision.legal_basis,
                provenance.explanation,
                occurred_at,
                entry.id,
            )
        )
        if decision.clears_wide:
            _clear_covering(context, subscriber, subscriber_id, type_, provenance, occurred_at)
    if reason is not decision.reason:
        decision = replace(decision, reason=reason)
    return _result(context, subscriber, subscriber_id, type_, decision, entry.id)


def _basis(decision: Decision, provenance: Provenance) -> str | None:
    """The basis on record: the one given, or the one the rulebook supplied (consent)."""
    basis = decision.legal_basis or provenance.legal_basis
    return basis.value if basis else None


def _result(
    context: WriteContext,
    subscriber: SubscriberId,
    subscriber_id: int,
    type_: SubscriptionType,
    decision: Decision,
    ledger_id: int,
) -> ChangeResult:
    row = context.state.status(subscriber_id, type_.id)
    return ChangeResult(
        subscriber=subscriber,
        subscription_type=type_,
        decision=decision,
        status=row.status if row else Status.NOT_SPECIFIED,
        occurred_at=row.occurred_at if row else None,
        source=row.source if row else None,
        legal_basis=row.legal_basis if row else None,
        legal_basis_explanation=row.legal_basis_explanation if row else None,
        ledger_id=ledger_id,
    )


def _clear_covering(
    context: WriteContext,
    subscriber: SubscriberId,
    subscriber_id: int,
    type_: SubscriptionType,
    provenance: Provenance,
    occurred_at: datetime,
) -> None:
    """Resubscribing to a type lifts the wide opt-outs that covered it, each on the record."""
    for wide in context.state.covering_opt_outs(subscriber_id, type_):
        entry = context.recorder.record(
            **_entry_fields(subscriber, subscriber_id, provenance, occurred_at),
            action=Action.CLEAR_WIDE.value,
            wide_type=wide.wide_type.value,
            business_unit_id=wide.business_unit_id,
            old_status=Status.UNSUBSCRIBED.value,
            requested_status=Status.NOT_SPECIFIED.value,
            new_status=Status.NOT_SPECIFIED.value,
            outcome=Outcome.APPLIED.value,
            success_reason=SuccessReason.RESUBSCRIBE_OCCURRED.value,
            message=f"Cleared by resubscribing to {type_.name!r}.",
            legal_basis=provenance.legal_basis.value if provenance.legal_basis else None,
            legal_basis_explanation=provenance.explanation,
        )
        context.state.put_wide(
            WideRow(
                subscriber_id,
                wide.wide_type,
                wide.business_unit_id,
                False,
                provenance.source,
                occurred_at,
                entry.id,
            )
        )


def _change_wide(
    context: WriteContext,
    subscriber: SubscriberId,
    change: WideChange,
    channel_types: list[SubscriptionType],
) -> WideResult:
    subscriber_id = context.subscriber_id(subscriber)
    provenance = change.provenance
    occurred_at = provenance.occurred_at or context.now
    wide_type, unit_id = wide_scope(
        change.business_unit_id, context.settings.business_units_enabled
    )
    current = context.state.current_wide(subscriber_id, wide_type, unit_id)
    requested = Status.UNSUBSCRIBED if change.opt_out else Status.NOT_SPECIFIED
    request = ChangeRequest(
        channel=subscriber.channel,
        requested=requested,
        source=provenance.source,
        wide=True,
        legal_basis=provenance.legal_basis,
        explanation=provenance.explanation,
        occurred_at=occurred_at,
    )
    decision = decide(request, current, context.settings)
    entry = context.recorder.record(
        **_entry_fields(subscriber, subscriber_id, provenance, occurred_at),
        notice_text=provenance.notice_text,
        action=(Action.SET_WIDE if change.opt_out else Action.CLEAR_WIDE).value,
        wide_type=wide_type.value,
        business_unit_id=unit_id,
        old_status=current.status.value,
        requested_status=requested.value,
        new_status=(requested if decision.applied else current.status).value,
        outcome=decision.outcome.value,
        success_reason=decision.reason.value if decision.reason else None,
        refusal=decision.refusal.value if decision.refusal else None,
        message=decision.message,
        legal_basis=_basis(decision, provenance),
        legal_basis_explanation=provenance.explanation,
    )
    type_results: list[ChangeResult] = []
    if decision.applied:
        context.state.put_wide(
            WideRow(
                subscriber_id,
                wide_type,
                unit_id,
                change.opt_out,
                provenance.source,
                occurred_at,
                entry.id,
            )
        )
    if decision.applied and change.opt_out:
        # Each covered type is recorded as opted out, so a later resubscribe to one type does
        # not revive the others. Transactional types are outside "unsubscribe from all".
        for type_ in channel_types:
            if type_.kind is TypeKind.TRANSACTIONAL or not covers(
                wide_type, unit_id, type_.business_unit_id
            ):
                continue
            type_results.append(
                _change_status(
                    context,
                    subscriber,
                    type_,
                    Status.UNSUBSCRIBED,
                    provenance,
                    reason_override=SuccessReason.UNSUBSCRIBE_FROM_ALL_OCCURRED,
                )
            )
    row = context.state.wide(subscriber_id, wide_type, unit_id)
    return WideResult(
        subscriber=subscriber,
        wide_type=wide_type,
        business_unit_id=unit_id,
        decision=decision,
        opted_out=bool(row and row.opted_out),
        occurred_at=row.occurred_at if row else None,
        ledger_id=entry.id,
        type_results=tuple(type_results),
    )
