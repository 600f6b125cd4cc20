"""The contacts table: insert, read (by id, by email key, a page, a search), update, archive.

Every function takes the caller's connection and never commits. Reads can add computed
properties (`hs_email_optout*`) as extra columns, worked out in the same query.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    bindparam,
    false,
    func,
    select,
    true,
    update,
)

from consentry.domain.filters import FilterGroup, Sort
from consentry.storage.contact_filters import computed_text, order_by, where
from consentry.storage.tables import contacts

_CHUNK = 500


@dataclass(frozen=True)
class ContactRow:
    id: int
    email_key: str | None
    properties: dict[str, str]
    created_at: datetime
    updated_at: datetime
    archived: bool
    archived_at: datetime | None
    computed: dict[str, str | None]


@dataclass(frozen=True)
class NewContact:
    email_key: str | None
    properties: dict[str, str]


@dataclass(frozen=True)
class ContactChange:
    id: int
    email_key: str | None
    properties: dict[str, str]


def _archived(flag: bool) -> ColumnElement[bool]:
    # A literal, not a bound parameter: SQLite only uses the partial index on live email keys
    # when the query names `archived = 0` itself.
    return contacts.c.archived == (true() if flag else false())


def _select(computed: Sequence[str]) -> Select[Any]:
    """The contact columns and, labelled c0, c1, ..., the computed properties asked for."""
    extra = []
    for index, name in enumerate(computed):
        expression = computed_text(name)
        if expression is not None:
            extra.append(expression.label(f"c{index}"))
    return select(contacts, *extra)


def _row(row: Any, computed: Sequence[str]) -> ContactRow:
    mapping = row._mapping
    return ContactRow(
        id=mapping["id"],
        email_key=mapping["email_key"],
        properties=dict(mapping["properties"] or {}),
        created_at=mapping["created_at"],
        updated_at=mapping["updated_at"],
        archived=bool(mapping["archived"]),
        archived_at=mapping["archived_at"],
        computed={name: mapping.get(f"c{index}") for index, name in enumerate(computed)},
    )


def insert(connection: Connection, rows: Sequence[NewContact], now: datetime) -> list[int]:
    """Insert contacts with one statement; their ids, in the order given."""
    if not rows:
        return []
    values = [
        {
            "email_key": row.email_key,
            "properties": row.properties,
            "created_at": now,
            "updated_at": now,
            "archived": False,
        }
        for row in rows
    ]
    result = connection.execute(
        contacts.insert().returning(contacts.c.id, sort_by_parameter_order=True), values
    )
    return [int(row.id) for row in result]


def get_many(
    connection: Connection,
    ids: Iterable[int],
    *,
    archived: bool | None = False,
    computed: Sequence[str] = (),
) -> dict[int, ContactRow]:
    """Contacts by id; `archived` None takes live and archived ones alike."""
    wanted = sorted(set(ids))
    found: dict[int, ContactRow] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = _select(computed).where(contacts.c.id.in_(wanted[start : start + _CHUNK]))
        if archived is not None:
            query = query.where(_archived(archived))
        found.update({row.id: _row(row, computed) for row in connection.execute(query)})
    return found


def by_email_keys(
    connection: Connection,
    keys: Iterable[str],
    *,
    archived: bool | None = False,
    computed: Sequence[str] = (),
) -> dict[str, ContactRow]:
    """Contacts by email key. Live ones are unique per key; of archived ones, the newest wins
    (and with `archived` None, the newest of all)."""
    wanted = sorted(set(keys))
    found: dict[str, ContactRow] = {}
    for start in range(0, len(wanted), _CHUNK):
        query = (
            _select(computed)
            .where(contacts.c.email_key.in_(wanted[start : start + _CHUNK]))
            .order_by(contacts.c.id)
        )
        if archived is not None:
            query = query.where(_archived(archived))
        found.update({row.email_key: _row(row, computed) for row in connection.execute(query)})
    return found


def save(connection: Connection, changes: Sequence[ContactChange], now: datetime) -> None:
    """Write new properties (and email keys) with one executemany."""
    if not changes:
        return
    statement = (
        update(contacts)
        .where(contacts.c.id == bindparam("target_id"))
        .values(
            email_key=bindparam("new_email_key"),
            properties=bindparam("new_properties", type_=contacts.c.properties.type),
            updated_at=now,
        )
    )
    connection.execute(
        statement,
        [
            {
                "target_id": change.id,
                "new_email_key": change.email_key,
                "new_properties": change.properties,
            }
            for change in changes
        ],
    )


def archive(connection: Connection, ids: Iterable[int], now: datetime) -> list[int]:
    """Archive the live contacts among `ids`; archived and unknown ones are left alone.
    Returns the ids it archived."""
    wanted = sorted(set(ids))
    archived: list[int] = []
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        live = select(contacts.c.id).where(contacts.c.id.in_(part)).where(_archived(False))
        found = [int(row.id) for row in connection.execute(live)]
        if found:
            connection.execute(
                update(contacts)
                .where(contacts.c.id.in_(found))
                .values(archived=True, archived_at=now, updated_at=now)
            )
        archived.extend(found)
    return archived


def page(
    connection: Connection,
    *,
    after: int | None,
    limit: int,
    archived: bool = False,
    computed: Sequence[str] = (),
) -> list[ContactRow]:
    """Up to `limit` contacts with ids above `after`, by id (keyset paging)."""
    query = _select(computed).where(_archived(archived))
    if after is not None:
        query = query.where(contacts.c.id > after)
    query = query.order_by(contacts.c.id).limit(limit)
    return [_row(row, computed) for row in connection.execute(query)]


def search(
    connection: Connection,
    groups: tuple[FilterGroup, ...],
    *,
    also: tuple[FilterGroup, ...] = (),
    sorts: tuple[Sort, ...] = (),
    limit: int = 10,
    offset: int = 0,
    computed: Sequence[str] = (),
) -> tuple[int, list[ContactRow]]:
    """Live contacts matching `groups` (and `also`, when given): how many, and one page.

    The filters become one WHERE clause, computed properties included; the count and the page
    run the same clause.
    """
    dialect = connection.dialect.name
    clause = _archived(False) & where(groups, dialect)
    if also:
        clause = clause & where(also, dialect)
    total = connection.execute(select(func.count()).select_from(contacts).where(clause))
    query = (
        _select(computed)
        .where(clause)
        .order_by(*order_by(sorts, dialect))
        .offset(offset)
        .limit(limit)
    )
    rows = [_row(row, computed) for row in connection.execute(query)]
    return int(total.scalar_one()), rows


def matching_email_keys(
    connection: Connection, groups: tuple[FilterGroup, ...], *, after: int, limit: int
) -> list[tuple[int, str]]:
    """(id, email key) of live contacts with an email matching `groups`, by id after `after`:
    keyset pages of an audience, the same WHERE clause as search."""
    clause = _archived(False) & contacts.c.email_key.is_not(None)
    clause = clause & where(groups, connection.dialect.name) & (contacts.c.id > after)
    query = (
        select(contacts.c.id, contacts.c.email_key)
        .where(clause)
        .order_by(contacts.c.id)
        .limit(limit)
    )
    return [(row.id, row.email_key) for row in connection.execute(query)]
