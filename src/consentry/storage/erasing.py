"""The rows an erasure removes or blanks, table by table (services.erasure runs them in one
transaction that holds the ledger head).

Ledger entries are never deleted: their personal fields are blanked and they are marked erased,
which the chain's verification accepts (domain.ledger). Everything else that names the person
is deleted, or for rows that must stay (events, webhook payloads already queued) rewritten
without the personal values.
"""

import json
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    String,
    Table,
    cast,
    delete,
    or_,
    select,
    update,
)

from consentry.storage.event_tables import events
from consentry.storage.mail_tables import mail_outbox
from consentry.storage.phone_tables import review_items
from consentry.storage.subscribers import ERASED_KEY_PREFIX
from consentry.storage.tables import (
    contacts,
    idempotency_keys,
    ledger,
    subscribers,
    subscription_statuses,
    suppressions,
    wide_statuses,
)
from consentry.storage.webhook_tables import webhook_deliveries
from consentry.storage.workflow_tables import workflow_enrollments, workflow_log, workflow_members

_CHUNK = 500
LEDGER_RANGE = "ledger.range"  # events standing for ledger entries carry no data of their own


@dataclass(frozen=True)
class Subject:
    """The rows one erasure is about: subscriber ids, contact ids, and the normalised keys and
    addresses as given (to find the rows that hold them as text)."""

    subscriber_ids: Collection[int]
    contact_ids: Collection[int]
    phone_keys: Collection[str]
    texts: Collection[str]


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(set(values))
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def _delete_where_in(connection: Connection, table: Table, column: Column[Any], ids: Any) -> int:
    removed = 0
    for chunk in _chunks(ids):
        removed += connection.execute(delete(table).where(column.in_(chunk))).rowcount or 0
    return removed


def contacts_holding(
    connection: Connection,
    email_keys: Collection[str],
    phone_tails: Collection[str],
    phone_properties: Sequence[str],
) -> list[tuple[int, str | None, str | None, dict[str, Any]]]:
    """(id, email key, phone key, properties) of every contact, live or archived, holding one of
    the email keys, or whose phone key or a phone property ends with one of `phone_tails` (phone
    properties are kept as typed: the caller normalises them to tell a match)."""
    conditions: list[ColumnElement[bool]] = []
    if email_keys:
        conditions.append(contacts.c.email_key.in_(sorted(email_keys)))
    for tail in sorted(set(phone_tails)):
        conditions.append(contacts.c.phone_key.endswith(tail))
        conditions.extend(
            contacts.c.properties[name].as_string().contains(tail) for name in phone_properties
        )
    if not conditions:
        return []
    rows = connection.execute(
        select(
            contacts.c.id, contacts.c.email_key, contacts.c.phone_key, contacts.c.properties
        ).where(or_(*conditions))
    )
    return [(int(row.id), row.email_key, row.phone_key, dict(row.properties or {})) for row in rows]


def blank_ledger(connection: Connection, subscriber_ids: Collection[int], now: datetime) -> int:
    """Blank the personal fields of the subscribers' entries and mark them erased; answers how
    many entries were blanked (ones erased before are left as they are)."""
    blanked = 0
    for chunk in _chunks(subscriber_ids):
        result = connection.execute(
            update(ledger)
            .where(ledger.c.subscriber_id.in_(chunk), ledger.c.erased_at.is_(None))
            .values(
                subscriber_key=None,
                address=None,
                evidence={},
                personal_salt=None,
                erased_at=now,
            )
        )
        blanked += result.rowcount or 0
    return blanked


def erased_entry_ids(connection: Connection, subscriber_ids: Collection[int]) -> list[int]:
    found: list[int] = []
    for chunk in _chunks(subscriber_ids):
        found.extend(
            int(row.id)
            for row in connection.execute(
                select(ledger.c.id).where(ledger.c.subscriber_id.in_(chunk))
            )
        )
    return found


def delete_statuses(connection: Connection, subscriber_ids: Collection[int]) -> int:
    return sum(
        _delete_where_in(connection, table, table.c.subscriber_id, subscriber_ids)
        for table in (subscription_statuses, wide_statuses, suppressions)
    )


def tombstone_subscribers(connection: Connection, subscriber_ids: Collection[int]) -> int:
    """Keep the rows, keyed "erased:<id>" without an address (storage.subscribers)."""
    done = 0
    for chunk in _chunks(subscriber_ids):
        done += (
            connection.execute(
                update(subscribers)
                .where(subscribers.c.id.in_(chunk))
                .values(key=ERASED_KEY_PREFIX + cast(subscribers.c.id, String), address="")
            ).rowcount
            or 0
        )
    return done


def delete_contacts(connection: Connection, contact_ids: Collection[int]) -> int:
    removed = _delete_where_in(connection, contacts, contacts.c.id, contact_ids)
    for table in (workflow_members, workflow_enrollments, workflow_log):
        removed += _delete_where_in(connection, table, table.c.contact_id, contact_ids)
    return removed


def delete_other_rows(connection: Connection, subject: Subject) -> int:
    """Mail waiting for (or sent to) the addresses, SMS replies held for review, and stored
    API answers that quote an address (idempotency replays: a cache, safe to lose)."""
    removed = _delete_where_in(
        connection, mail_outbox, mail_outbox.c.subscriber_id, subject.subscriber_ids
    )
    removed += _delete_where_in(
        connection, review_items, review_items.c.address, subject.phone_keys
    )
    for text in sorted(set(subject.texts)):
        removed += (
            connection.execute(
                delete(idempotency_keys).where(idempotency_keys.c.response_body.contains(text))
            ).rowcount
            or 0
        )
    return removed


def blank_events(connection: Connection, subject: Subject) -> list[int]:
    """Rewrite the data of the events about the contacts or subscribers (contact properties,
    a refused workflow step's address) as {"erased": true}; answers their row ids."""
    rewritten: list[int] = []
    for column, ids in (
        (events.c.contact_id, subject.contact_ids),
        (events.c.subscriber_id, subject.subscriber_ids),
    ):
        for chunk in _chunks(ids):
            found = [
                int(row.id)
                for row in connection.execute(
                    select(events.c.id).where(column.in_(chunk), events.c.type != LEDGER_RANGE)
                )
            ]
            for rows in _chunks(found):
                connection.execute(
                    update(events).where(events.c.id.in_(rows)).values(data={"erased": True})
                )
            rewritten.extend(found)
    return sorted(set(rewritten))


def blank_deliveries(connection: Connection, event_ids: Sequence[str]) -> int:
    """Webhook deliveries of those events (queued or sent) keep their place and their
    receiver's answers, without the personal values in the body they send."""
    changed = 0
    for chunk in _chunks(event_ids):
        rows = connection.execute(
            select(webhook_deliveries.c.id, webhook_deliveries.c.payload).where(
                webhook_deliveries.c.event_id.in_(chunk)
            )
        ).all()
        for row in rows:
            payload = row.payload if isinstance(row.payload, dict) else json.loads(row.payload)
            connection.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.id == row.id)
                .values(payload=blanked_payload(payload))
            )
            changed += 1
    return changed


def blanked_payload(payload: dict[str, Any]) -> dict[str, Any]:
    data = payload.get("data")
    if not isinstance(data, dict):
        return payload
    if "properties" in data or data.get("erased"):
        return {**payload, "data": {"erased": True}}
    return {**payload, "data": {**data, "address": None}}
