"""Use cases that change one subscription type's status, alone or in batches.

Each call is one transaction; every input gets a ledger entry, refusals included.
"""

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import Connection, Engine

from consentry.domain import (
    AccountSettings,
    Action,
    ChangeRequest,
    Decision,
    InvalidInput,
    Outcome,
    Status,
    SubscriberId,
    SubscriptionType,
    SuccessReason,
    decide,
)
from consentry.domain.mail import MailKind
from consentry.services.changes import (
    ChangeResult,
    InputError,
    Provenance,
    StatusChange,
)
from consentry.services.entries import entry_fields, legal_basis_on_record, single
from consentry.services.writing import WriteContext, write_batch
from consentry.storage import catalog, outbox
from consentry.storage.statuses import StatusRow, WideRow


def set_statuses(
    engine: Engine,
    changes: Sequence[StatusChange],
    *,
    request_id: str | None = None,
    before_commit: Callable[[Connection, list[ChangeResult | InputError]], None] | None = None,
) -> list[ChangeResult | InputError]:
    """Apply many type-status changes in one transaction, in order."""
    types: dict[int, SubscriptionType] = {}

    def check(connection: Connection, _: AccountSettings) -> Callable[[StatusChange], None]:
        wanted = {change.subscription_type_id for change in changes}
        types.update({t.id: t for t in catalog.list_types(connection, ids=wanted)})
        return lambda change: _check_type(types, change)

    def step(context: WriteContext, subscriber: SubscriberId, change: StatusChange) -> ChangeResult:
        return change_status(
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
        before_commit=before_commit,
    )


def set_status(
    engine: Engine, change: StatusChange, *, request_id: str | None = None
) -> ChangeResult:
    """Apply one change; a bad address or unknown type raises and writes nothing."""
    return single(set_statuses(engine, [change], request_id=request_id))


def _check_type(types: dict[int, SubscriptionType], change: StatusChange) -> None:
    type_ = types.get(change.subscription_type_id)
    if type_ is None:
        # A request naming a type that does not exist is malformed (400), not a missing
        # resource: the resource addressed is the subscriber.
        raise InvalidInput(
            f"Unknown subscriptionId {change.subscription_type_id}: no subscription type has"
            " that id.",
            field="subscriptionId",
        )
    if type_.channel is not change.channel:
        raise InvalidInput(
            f"Subscription type {type_.id} ({type_.name}) is a {type_.channel.value} type;"
            f" it cannot take a {change.channel.value} subscriber.",
            field="channel",
        )


def change_status(
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
        # Only a client's claim of time is judged for staleness; without one, arrival order
        # decides, so later rows of a batch are never "older" than earlier ones.
        occurred_at=provenance.occurred_at,
    )
    decision = decide(request, current, context.settings)
    reason = reason_override if decision.applied and reason_override else decision.reason
    entry = context.recorder.record(
        **entry_fields(subscriber, subscriber_id, provenance, occurred_at),
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
        legal_basis=legal_basis_on_record(decision, provenance),
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
        if decision.awaiting_confirmation:
            # Transactional outbox: the confirmation mail is queued with the pending opt-in.
            outbox.enqueue(
                context.connection,
                MailKind.DOUBLE_OPT_IN,
                subscriber.address,
                subscriber_id,
                type_.business_unit_id,
                context.now,
                subscription_type_id=type_.id,
                language=provenance.evidence.get("language"),
            )
    if reason is not decision.reason:
        decision = replace(decision, reason=reason)
    return _result(context, subscriber, subscriber_id, type_, decision, entry.id)


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
            **entry_fields(subscriber, subscriber_id, provenance, occurred_at),
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
