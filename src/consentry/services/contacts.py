"""Use cases for CRM contacts: create, read, update, archive, list and search (the batch forms
live in `contact_batches` and are re-exported here).

A contact's statuses are not its own: they belong to its email address (the subscriber), found
through the contact's normalised `email_key`. So archiving a contact leaves them in place and a
new contact with the same address shows them again, and a contact whose email changes shows the
new address's statuses, never carrying the old address's opt-outs. The computed `hs_email_optout`
properties are read from those statuses in the query, never stored.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Engine

from consentry.domain import InvalidInput
from consentry.domain.contact_properties import OBJECT_ID, selection
from consentry.domain.events import EventType
from consentry.domain.filters import parse_groups, parse_sorts, query_groups
from consentry.services import events
from consentry.services.contact_batches import (
    MAX_BATCH,
    Contact,
    ContactError,
    ContactUpdate,
    archive_batch,
    computed_names,
    create_batch,
    not_found,
    now_in_millis,
    parse_id,
    read_batch,
    resolve,
    update_batch,
    view,
)
from consentry.services.unit_of_work import UnitOfWork
from consentry.storage import contacts

MAX_PAGE = 100  # GET /contacts
MAX_SEARCH_PAGE = 200  # POST /contacts/search, as in HubSpot

__all__ = [
    "MAX_BATCH",
    "MAX_PAGE",
    "MAX_SEARCH_PAGE",
    "Contact",
    "ContactError",
    "ContactUpdate",
    "Page",
    "SearchRequest",
    "SearchResult",
    "archive",
    "archive_batch",
    "create",
    "create_batch",
    "get",
    "list_page",
    "read_batch",
    "search",
    "update",
    "update_batch",
]

R = TypeVar("R")


@dataclass(frozen=True)
class Page:
    contacts: list[Contact]
    next_after: str | None  # the cursor of the next page; None on the last


@dataclass(frozen=True)
class SearchRequest:
    """A search as HubSpot takes it; the filter groups and sorts in their JSON form."""

    filter_groups: Any = None
    sorts: Any = None
    query: str | None = None
    properties: Sequence[str] | None = None
    limit: int = 10
    after: str | int | None = None


@dataclass(frozen=True)
class SearchResult:
    total: int
    contacts: list[Contact]
    next_after: str | None


def _single(results: list[R | ContactError]) -> R:
    (result,) = results
    if isinstance(result, ContactError):
        raise result.error
    return result


def create(engine: Engine, properties: Mapping[str, object]) -> Contact:
    return _single(create_batch(engine, [properties]))


def get(
    engine: Engine,
    contact_id: str,
    *,
    id_property: str | None = None,
    properties: Sequence[str] | None = None,
    archived: bool = False,
) -> Contact:
    """One contact by id or (`id_property="email"`) by email; NotFound when there is none."""
    return _single(
        read_batch(
            engine, [contact_id], id_property=id_property, properties=properties, archived=archived
        )
    )


def update(
    engine: Engine,
    contact_id: str,
    properties: Mapping[str, object],
    *,
    id_property: str | None = None,
) -> Contact:
    return _single(update_batch(engine, [ContactUpdate(contact_id, properties, id_property)]))


def archive(engine: Engine, contact_id: str) -> None:
    """Archive one contact; archiving it again changes nothing. NotFound for an unknown id."""
    with UnitOfWork(engine, write=True) as uow:
        (row,) = resolve(uow.connection, [(contact_id, OBJECT_ID)], archived=None)
        if row is None:
            raise not_found(contact_id, OBJECT_ID)
        now = now_in_millis()
        archived = contacts.archive(uow.connection, [row.id], now)
        events.record_contacts(
            uow.connection, EventType.CONTACT_ARCHIVED, {key: {} for key in archived}, now=now
        )
        uow.commit()


def list_page(
    engine: Engine,
    *,
    limit: int = 10,
    after: str | None = None,
    properties: Sequence[str] | None = None,
    archived: bool = False,
) -> Page:
    """A page of contacts by id; `after` is the cursor the previous page answered."""
    _check_limit(limit, MAX_PAGE)
    cursor = None
    if after:
        cursor = parse_id(after)
        if cursor is None:
            raise InvalidInput(f"after: {after!r} is not a paging cursor.", field="after")
    names = selection(properties)
    with UnitOfWork(engine) as uow:
        rows = contacts.page(
            uow.connection,
            after=cursor,
            limit=limit + 1,
            archived=archived,
            computed=computed_names(names),
        )
    more = len(rows) > limit
    return Page(
        [view(row, names) for row in rows[:limit]], str(rows[limit - 1].id) if more else None
    )


def search(engine: Engine, request: SearchRequest) -> SearchResult:
    """Live contacts matching the filter groups (and the free-text `query`), sorted, paged by
    offset (`after` is the offset HubSpot answers as the next cursor)."""
    groups = parse_groups(request.filter_groups)
    sorts = parse_sorts(request.sorts)
    _check_limit(request.limit, MAX_SEARCH_PAGE)
    offset = _offset(request.after)
    text = (request.query or "").strip()
    names = selection(request.properties)
    with UnitOfWork(engine) as uow:
        total, rows = contacts.search(
            uow.connection,
            groups,
            also=query_groups(text) if text else (),
            sorts=sorts,
            limit=request.limit,
            offset=offset,
            computed=computed_names(names),
        )
    following = offset + request.limit
    return SearchResult(
        total, [view(row, names) for row in rows], str(following) if following < total else None
    )


def _check_limit(limit: int, most: int) -> None:
    if not 1 <= limit <= most:
        raise InvalidInput(f"limit must be between 1 and {most}, not {limit}.", field="limit")


def _offset(after: str | int | None) -> int:
    if after is None or after == "":
        return 0
    text = str(after).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        raise InvalidInput(f"after: {after!r} is not a paging cursor.", field="after")
    return int(text)
