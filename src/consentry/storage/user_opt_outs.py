"""The email opt-outs "Remove opt-outs added by users" looks at: every UNSUBSCRIBED email status,
with the source of the latest ledger entry that asked for that opt-out (applied or not)."""

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select

from consentry.domain import Action, Channel, Outcome, Status
from consentry.storage.tables import ledger, subscribers, subscription_statuses


@dataclass(frozen=True)
class OptOutRow:
    address: str
    subscription_type_id: int
    latest_source: str


def email_opt_outs(connection: Connection) -> Iterator[OptOutRow]:
    latest = (
        select(
            ledger.c.subscriber_id,
            ledger.c.subscription_type_id,
            func.max(ledger.c.id).label("entry_id"),
        )
        .where(
            ledger.c.action == Action.SET_STATUS.value,
            ledger.c.requested_status == Status.UNSUBSCRIBED.value,
            ledger.c.outcome.in_([Outcome.APPLIED.value, Outcome.NO_CHANGE.value]),
            ledger.c.channel == Channel.EMAIL.value,
        )
        .group_by(ledger.c.subscriber_id, ledger.c.subscription_type_id)
        .subquery()
    )
    query = (
        select(
            subscribers.c.address,
            subscription_statuses.c.subscription_type_id,
            func.coalesce(ledger.c.source, subscription_statuses.c.source),
        )
        .select_from(subscription_statuses)
        .join(subscribers, subscribers.c.id == subscription_statuses.c.subscriber_id)
        .outerjoin(
            latest,
            and_(
                latest.c.subscriber_id == subscription_statuses.c.subscriber_id,
                latest.c.subscription_type_id == subscription_statuses.c.subscription_type_id,
            ),
        )
        .outerjoin(ledger, ledger.c.id == latest.c.entry_id)
        .where(
            subscribers.c.channel == Channel.EMAIL.value,
            subscription_statuses.c.status == Status.UNSUBSCRIBED.value,
        )
        .order_by(
            subscription_statuses.c.subscriber_id, subscription_statuses.c.subscription_type_id
        )
    )
    for row in connection.execute(query):
        yield OptOutRow(row[0], row[1], row[2])
