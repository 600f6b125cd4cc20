"""A selection of contacts from the contacts index: ticked ids, or every contact matching the
filter groups (and the search box), read in keyset pages by id so a long bulk edit can resume
from the last id it committed."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, false, func, select

from consentry.domain.filters import FilterGroup
from consentry.storage.contact_filters import where
from consentry.storage.tables import contacts, subscribers


@dataclass(frozen=True)
class Selected:
    id: int
    properties: dict[str, str]
    phone_key: str | None


def _clause(
    connection: Connection,
    ids: Sequence[int] | None,
    groups: tuple[FilterGroup, ...],
    also: tuple[FilterGroup, ...],
) -> ColumnElement[bool]:
    clause = contacts.c.archived == false()
    if ids is not None:
        clause = clause & contacts.c.id.in_(sorted(set(ids)))
    dialect = connection.dialect.name
    if groups:
        clause = clause & where(groups, dialect)
    if also:
        clause = clause & where(also, dialect)
    return clause


def count(
    connection: Connection,
    ids: Sequence[int] | None,
    groups: tuple[FilterGroup, ...] = (),
    also: tuple[FilterGroup, ...] = (),
) -> int:
    if ids is None:
        return _count(connection, _clause(connection, None, groups, also))
    # Ticked rows are counted 900 ids at a time: well under every database's parameter bound.
    wanted = sorted(set(ids))
    return sum(
        _count(connection, _clause(connection, wanted[start : start + 900], groups, also))
        for start in range(0, len(wanted), 900)
    )


def last_id(connection: Connection) -> int:
    """The highest contact id so far (0 when there is none): where "existing contacts" end."""
    return int(connection.execute(select(func.max(contacts.c.id))).scalar_one() or 0)


def _count(connection: Connection, clause: ColumnElement[bool]) -> int:
    return int(
        connection.execute(select(func.count()).select_from(contacts).where(clause)).scalar_one()
    )


def page(
    connection: Connection,
    ids: Sequence[int] | None,
    groups: tuple[FilterGroup, ...],
    also: tuple[FilterGroup, ...],
    *,
    after: int,
    limit: int,
) -> list[Selected]:
    """Up to `limit` selected live contacts with ids above `after`, by id."""
    if ids is not None:
        # Ticked rows: only this page's ids go into the query, however many were ticked.
        ids = sorted(i for i in set(ids) if i > after)[:limit]
    clause = _clause(connection, ids, groups, also) & (contacts.c.id > after)
    query = (
        select(contacts.c.id, contacts.c.properties, contacts.c.phone_key)
        .where(clause)
        .order_by(contacts.c.id)
        .limit(limit)
    )
    rows: list[Any] = list(connection.execute(query))
    return [Selected(row.id, dict(row.properties or {}), row.phone_key) for row in rows]


def ids_by_email_keys(connection: Connection, keys: Iterable[str]) -> dict[str, int]:
    """The live contact id of each email key that has one (one query per 900 keys)."""
    wanted = sorted(set(keys))
    found: dict[str, int] = {}
    for start in range(0, len(wanted), 900):
        rows = connection.execute(
            select(contacts.c.email_key, contacts.c.id).where(
                contacts.c.email_key.in_(wanted[start : start + 900]),
                contacts.c.archived == false(),
            )
        )
        found.update({row.email_key: row.id for row in rows})
    return found


def contacts_of_email_subscribers(
    connection: Connection, subscriber_ids: Iterable[int]
) -> dict[int, int]:
    """The live contact of each email subscriber that has one: statuses belong to the address,
    and a contact is found by its email (900 ids a query)."""
    wanted = sorted(set(subscriber_ids))
    found: dict[int, int] = {}
    for start in range(0, len(wanted), 900):
        rows = connection.execute(
            select(subscribers.c.id, contacts.c.id.label("contact_id"))
            .join(contacts, contacts.c.email_key == subscribers.c.key)
            .where(
                subscribers.c.id.in_(wanted[start : start + 900]),
                subscribers.c.channel == "EMAIL",
                contacts.c.archived == false(),
            )
        )
        found.update({row.id: row.contact_id for row in rows})
    return found
