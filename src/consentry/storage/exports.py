"""Reads for exports: every row of a kind, in keyset pages, so an export streams in flat memory.

Every function takes the caller's connection, reads one page after a key, and never commits.
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from consentry.storage.tables import (
    contacts,
    ledger,
    subscribers,
    subscription_statuses,
    subscription_types,
    suppressions,
    wide_statuses,
)

PAGE = 2_000


def contact_page(
    connection: Connection, after: int, computed: Sequence[Any], limit: int = PAGE
) -> list[Any]:
    query = (
        select(
            contacts.c.id,
            contacts.c.properties,
            contacts.c.created_at,
            contacts.c.updated_at,
            *computed,
        )
        .where(contacts.c.archived.is_(False), contacts.c.id > after)
        .order_by(contacts.c.id)
        .limit(limit)
    )
    return list(connection.execute(query))


def status_page(connection: Connection, after: tuple[int, int], limit: int = PAGE) -> list[Any]:
    """Current per-type statuses with the address and the type's name, by (subscriber, type)."""
    table = subscription_statuses
    query = (
        select(
            table.c.subscriber_id,
            table.c.subscription_type_id,
            subscribers.c.channel,
            subscribers.c.address,
            subscribers.c.key,
            subscription_types.c.name.label("type_name"),
            subscription_types.c.business_unit_id,
            table.c.status,
            table.c.source,
            table.c.legal_basis,
            table.c.legal_basis_explanation,
            table.c.occurred_at,
        )
        .join(subscribers, subscribers.c.id == table.c.subscriber_id)
        .join(subscription_types, subscription_types.c.id == table.c.subscription_type_id)
        .where(
            (table.c.subscriber_id > after[0])
            | ((table.c.subscriber_id == after[0]) & (table.c.subscription_type_id > after[1]))
        )
        .order_by(table.c.subscriber_id, table.c.subscription_type_id)
        .limit(limit)
    )
    return list(connection.execute(query))


def wide_page(
    connection: Connection, after: int, *, opted_out_only: bool, limit: int = PAGE
) -> list[Any]:
    """Subscribers with their wide rows, by subscriber id (a subscriber's rows come together)."""
    ids = (
        select(wide_statuses.c.subscriber_id)
        .where(wide_statuses.c.subscriber_id > after)
        .group_by(wide_statuses.c.subscriber_id)
        .order_by(wide_statuses.c.subscriber_id)
        .limit(limit)
    )
    if opted_out_only:
        ids = ids.where(wide_statuses.c.opted_out.is_(True))
    query = (
        select(wide_statuses, subscribers.c.channel, subscribers.c.address, subscribers.c.key)
        .join(subscribers, subscribers.c.id == wide_statuses.c.subscriber_id)
        .where(wide_statuses.c.subscriber_id.in_(ids.scalar_subquery()))
        .order_by(
            wide_statuses.c.subscriber_id,
            wide_statuses.c.wide_type,
            wide_statuses.c.business_unit_id,
        )
    )
    if opted_out_only:
        query = query.where(wide_statuses.c.opted_out.is_(True))
    return list(connection.execute(query))


def suppression_page(connection: Connection, after: int, limit: int = PAGE) -> list[Any]:
    query = (
        select(suppressions, subscribers.c.channel, subscribers.c.address, subscribers.c.key)
        .join(subscribers, subscribers.c.id == suppressions.c.subscriber_id)
        .where(suppressions.c.ledger_id > after)
        .order_by(suppressions.c.ledger_id)
        .limit(limit)
    )
    return list(connection.execute(query))


def unsubscribed_page(
    connection: Connection, after: tuple[int, int], limit: int = PAGE
) -> list[Any]:
    """Per-type opt-outs, by (subscriber, type)."""
    table = subscription_statuses
    query = (
        select(
            table.c.subscriber_id,
            table.c.subscription_type_id,
            table.c.source,
            table.c.occurred_at,
            subscribers.c.channel,
            subscribers.c.address,
            subscribers.c.key,
        )
        .join(subscribers, subscribers.c.id == table.c.subscriber_id)
        .where(
            table.c.status == "UNSUBSCRIBED",
            (table.c.subscriber_id > after[0])
            | ((table.c.subscriber_id == after[0]) & (table.c.subscription_type_id > after[1])),
        )
        .order_by(table.c.subscriber_id, table.c.subscription_type_id)
        .limit(limit)
    )
    return list(connection.execute(query))


def ledger_page(
    connection: Connection,
    after: int,
    since: datetime | None,
    until: datetime | None,
    limit: int = PAGE,
) -> list[Any]:
    """Entries recorded in [since, until), by id."""
    query = select(ledger).where(ledger.c.id > after)
    if since is not None:
        query = query.where(ledger.c.recorded_at >= since)
    if until is not None:
        query = query.where(ledger.c.recorded_at < until)
    return list(connection.execute(query.order_by(ledger.c.id).limit(limit)))
