"""Use cases for "unsubscribe from all": set it (recording each covered type as opted out) or
clear it, account-wide or per business unit."""

from collections.abc import Callable, Sequence

from sqlalchemy import Connection, Engine

from consentry.domain import (
    AccountSettings,
    Action,
    ChangeRequest,
    Channel,
    NotFound,
    Status,
    SubscriberId,
    SubscriptionType,
    SuccessReason,
    TypeKind,
    decide,
)
from consentry.domain.statuses import covers, wide_scope
from consentry.services.changes import ChangeResult, InputError, Provenance, WideChange, WideResult
from consentry.services.entries import entry_fields, legal_basis_on_record, single
from consentry.services.subscriptions import change_status
from consentry.services.writing import WriteContext, write_batch
from consentry.storage import catalog
from consentry.storage.statuses import WideRow


def set_wide_statuses(
    engine: Engine,
    changes: Sequence[WideChange],
    *,
    request_id: str | None = None,
    before_commit: Callable[[Connection, list[WideResult | InputError]], None] | None = None,
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
        return change_wide(context, subscriber, change, types)

    def type_ids(change: WideChange) -> list[int]:
        return [t.id for t in channel_types.get(change.channel.value, [])]

    return write_batch(
        engine,
        changes,
        check=check,
        step=step,
        type_ids=type_ids,
        request_id=request_id,
        before_commit=before_commit,
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
    return single(set_wide_statuses(engine, [change], request_id=request_id))


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
    return single(set_wide_statuses(engine, [change], request_id=request_id))


def change_wide(
    context: WriteContext,
    subscriber: SubscriberId,
    change: WideChange,
    channel_types: list[SubscriptionType],
) -> WideResult:
    """One wide change inside a writing transaction a caller holds (`write_batch`'s step):
    keyword opt-outs use it to set the flag and end transactional types in one transaction."""
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
        # Only a client's claim of time is judged for staleness; without one, arrival order
        # decides, so later rows of a batch are never "older" than earlier ones.
        occurred_at=provenance.occurred_at,
    )
    decision = decide(request, current, context.settings)
    entry = context.recorder.record(
        **entry_fields(subscriber, subscriber_id, provenance, occurred_at),
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
        legal_basis=legal_basis_on_record(decision, provenance),
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
                change_status(
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
