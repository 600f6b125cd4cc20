"""Contacts in batches: create, read, update and archive up to 100 at a time (HubSpot's limit).

One transaction per call, a fixed number of queries whatever the batch size. An input that
cannot be taken (a bad value, an email another contact has, an unknown id) becomes a
`ContactError` and the others go through: the API answers 207 with both.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine

from consentry.domain import Conflict, ConsentryError, InvalidInput, NotFound, normalise_email
from consentry.domain.contact_properties import (
    CREATED,
    EMAIL,
    MODIFIED,
    OBJECT_ID,
    apply_changes,
    format_instant,
    is_computed,
    selection,
    show,
)
from consentry.domain.events import EventType
from consentry.services import events
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import contacts
from consentry.storage.contacts import ContactChange, ContactRow, NewContact

MAX_BATCH = 100
MAX_ID = 2**63 - 1  # the id column is a BIGINT on PostgreSQL


@dataclass(frozen=True)
class Contact:
    """A contact as answered: `properties` holds the names asked for, null where unset."""

    id: int
    properties: dict[str, str | None]
    created_at: datetime
    updated_at: datetime
    archived: bool
    archived_at: datetime | None


@dataclass(frozen=True)
class ContactError:
    """One input of a batch that was not taken; nothing was written for it."""

    index: int
    id: str | None  # the id (or email) the input named, if it named one
    error: ConsentryError


@dataclass(frozen=True)
class ContactUpdate:
    id: str
    properties: Mapping[str, object]
    id_property: str | None = None  # "email" when `id` is an email address


def now_in_millis() -> datetime:
    """The time, to the millisecond: what the API shows is what filters compare with."""
    now = utcnow()
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def check_batch_size(inputs: Sequence[object]) -> None:
    if len(inputs) > MAX_BATCH:
        raise InvalidInput(
            f"A contacts batch takes at most {MAX_BATCH} inputs; this one has {len(inputs)}.",
            field="inputs",
        )


def check_id_property(id_property: str | None) -> str:
    if id_property in (None, "", OBJECT_ID):
        return OBJECT_ID
    if id_property != EMAIL:
        raise InvalidInput(
            f"idProperty must be {OBJECT_ID} or {EMAIL}, not {id_property!r}.",
            field="idProperty",
        )
    return EMAIL


def parse_id(raw: str) -> int | None:
    """A contact id from its string form; None for anything no contact can have."""
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or int(text) > MAX_ID:
        return None
    return int(text)


def not_found(raw: str, id_property: str) -> NotFound:
    what = "email" if id_property == EMAIL else "id"
    return NotFound(f"No contact with {what} {raw!r}.", field="id")


def email_key(properties: Mapping[str, str]) -> str | None:
    """The normalised email the contact's statuses are found under; raises for a bad one."""
    email = properties.get(EMAIL)
    return normalise_email(email).key if email else None


def _email_key_or_none(raw: object) -> str | None:
    try:
        return normalise_email(raw).key if isinstance(raw, str) and raw else None
    except ConsentryError:
        return None


def view(row: ContactRow, names: Sequence[str]) -> Contact:
    values: dict[str, str | None] = {
        **row.properties,
        OBJECT_ID: str(row.id),
        CREATED: format_instant(row.created_at),
        MODIFIED: format_instant(row.updated_at),
        **row.computed,
    }
    return Contact(
        row.id, show(values, names), row.created_at, row.updated_at, row.archived, row.archived_at
    )


def computed_names(names: Sequence[str]) -> list[str]:
    return [name for name in names if is_computed(name)]


def resolve(
    connection: Connection,
    refs: Sequence[tuple[str, str]],
    *,
    archived: bool | None = False,
    computed: Sequence[str] = (),
) -> list[ContactRow | None]:
    """The contact each (id, idProperty) names, or None: two queries at most."""
    ids = {raw: parse_id(raw) for raw, prop in refs if prop == OBJECT_ID}
    keys = {raw: _email_key_or_none(raw) for raw, prop in refs if prop == EMAIL}
    by_id = contacts.get_many(
        connection,
        [i for i in ids.values() if i is not None],
        archived=archived,
        computed=computed,
    )
    by_key = contacts.by_email_keys(
        connection, [k for k in keys.values() if k], archived=archived, computed=computed
    )
    found: list[ContactRow | None] = []
    for raw, prop in refs:
        if prop == OBJECT_ID:
            number = ids[raw]
            found.append(by_id.get(number) if number is not None else None)
        else:
            key = keys[raw]
            found.append(by_key.get(key) if key else None)
    return found


def create_batch(
    engine: Engine, inputs: Sequence[Mapping[str, object]]
) -> list[Contact | ContactError]:
    """Create contacts from their properties; a live contact's email cannot be taken twice."""
    check_batch_size(inputs)
    now = now_in_millis()
    outcomes: dict[int, Contact | ContactError] = {}
    prepared: dict[int, NewContact] = {}
    for index, properties in enumerate(inputs):
        try:
            stored = apply_changes({}, properties)
            prepared[index] = NewContact(email_key(stored), stored)
        except ConsentryError as error:
            outcomes[index] = ContactError(index, None, error)
    with UnitOfWork(engine, write=True) as uow:
        for index, conflict in _taken_emails(uow.connection, prepared).items():
            del prepared[index]
            outcomes[index] = ContactError(index, None, conflict)
        ids = contacts.insert(uow.connection, list(prepared.values()), now)
        rows = contacts.get_many(uow.connection, ids)
        events.record_contacts(
            uow.connection,
            EventType.CONTACT_CREATED,
            {contact_id: rows[contact_id].properties for contact_id in ids},
            now=now,
        )
        uow.commit()
    for (index, _), contact_id in zip(prepared.items(), ids, strict=True):
        outcomes[index] = view(rows[contact_id], selection(None, also=inputs[index].keys()))
    return [outcomes[index] for index in range(len(inputs))]


def _taken_emails(
    connection: Connection, prepared: Mapping[int, NewContact]
) -> dict[int, Conflict]:
    """The inputs whose email a live contact, or an earlier input of the batch, already has."""
    keys = [new.email_key for new in prepared.values() if new.email_key]
    owners = {key: row.id for key, row in contacts.by_email_keys(connection, keys).items()}
    conflicts: dict[int, Conflict] = {}
    for index, new in prepared.items():
        if new.email_key is None:
            continue
        if new.email_key in owners:
            conflicts[index] = _email_taken(new.properties[EMAIL], owners[new.email_key])
        else:
            owners[new.email_key] = -1  # taken by an earlier input of this batch
    return conflicts


def _email_taken(email: str, owner: int) -> Conflict:
    if owner < 0:
        return Conflict(
            f"The email {email!r} is given to more than one contact in this batch.", field=EMAIL
        )
    return Conflict(
        f"Contact already exists: {email!r} is the email of contact {owner}. Existing ID: {owner}",
        field=EMAIL,
    )


def read_batch(
    engine: Engine,
    ids: Sequence[str],
    *,
    id_property: str | None = None,
    properties: Sequence[str] | None = None,
    archived: bool = False,
) -> list[Contact | ContactError]:
    """Contacts by id (or by email), each with the properties asked for."""
    check_batch_size(ids)
    prop = check_id_property(id_property)
    names = selection(properties)
    with UnitOfWork(engine) as uow:
        rows = resolve(
            uow.connection,
            [(raw, prop) for raw in ids],
            archived=archived,
            computed=computed_names(names),
        )
    return [
        view(row, names) if row else ContactError(index, raw, not_found(raw, prop))
        for index, (raw, row) in enumerate(zip(ids, rows, strict=True))
    ]


def update_batch(engine: Engine, inputs: Sequence[ContactUpdate]) -> list[Contact | ContactError]:
    """Change properties (null clears). A new email moves the contact to that address's
    statuses; the old address keeps its own, opt-outs included."""
    check_batch_size(inputs)
    with UnitOfWork(engine, write=True) as uow:
        answers = update_in(uow.connection, inputs, now_in_millis())
        uow.commit()
    return answers


def update_in(
    connection: Connection, inputs: Sequence[ContactUpdate], now: datetime
) -> list[Contact | ContactError]:
    """`update_batch` inside the caller's writing (head-locking) transaction; a workflow's
    "Set contact property" step commits it with its own progress."""
    refs = [(item.id, check_id_property(item.id_property)) for item in inputs]
    rows = resolve(connection, refs)
    owners = _owners_of_new_emails(connection, inputs)
    changes: dict[int, ContactChange] = {}
    outcomes: dict[int, Contact | ContactError] = {}
    for index, (item, row) in enumerate(zip(inputs, rows, strict=True)):
        if row is None:
            outcomes[index] = ContactError(index, item.id, not_found(*refs[index]))
            continue
        try:
            changes[row.id] = _change(row, changes.get(row.id), item, owners)
        except ConsentryError as error:
            outcomes[index] = ContactError(index, item.id, error)
    real = [change for change in changes.values() if change.properties != _before(rows, change)]
    contacts.save(connection, list(changes.values()), now)
    saved = contacts.get_many(connection, changes)
    events.record_contacts(
        connection,
        EventType.CONTACT_UPDATED,
        {change.id: _changed_properties(rows, change) for change in real},
        now=now,
    )
    for index, (item, row) in enumerate(zip(inputs, rows, strict=True)):
        if index not in outcomes and row is not None:
            outcomes[index] = view(saved[row.id], selection(None, also=item.properties.keys()))
    return [outcomes[index] for index in range(len(inputs))]


def _before(rows: Sequence[ContactRow | None], change: ContactChange) -> dict[str, str]:
    for row in rows:
        if row is not None and row.id == change.id:
            return row.properties
    return {}


def _changed_properties(
    rows: Sequence[ContactRow | None], change: ContactChange
) -> dict[str, str | None]:
    """The properties an update set or cleared (None), for its event."""
    before = _before(rows, change)
    changed: dict[str, str | None] = {
        name: value for name, value in change.properties.items() if before.get(name) != value
    }
    changed.update({name: None for name in before if name not in change.properties})
    return changed


def _owners_of_new_emails(
    connection: Connection, inputs: Sequence[ContactUpdate]
) -> dict[str, int]:
    """Which live contact holds each email the batch moves contacts to."""
    keys = [_email_key_or_none(item.properties.get(EMAIL)) for item in inputs]
    found = contacts.by_email_keys(connection, [key for key in keys if key])
    return {key: row.id for key, row in found.items()}


def _change(
    row: ContactRow,
    earlier: ContactChange | None,
    item: ContactUpdate,
    owners: dict[str, int],
) -> ContactChange:
    """The contact after this input, on top of an earlier input of the same batch."""
    before = earlier or ContactChange(row.id, row.email_key, row.properties)
    properties = apply_changes(before.properties, item.properties)
    key = email_key(properties)
    if key is not None and owners.get(key, row.id) != row.id:
        raise Conflict(
            f"Contact already exists: {properties[EMAIL]!r} is the email of contact"
            f" {owners[key]}. Existing ID: {owners[key]}",
            field=EMAIL,
        )
    if before.email_key is not None and owners.get(before.email_key) == row.id:
        del owners[before.email_key]
    if key is not None:
        owners[key] = row.id
    return ContactChange(row.id, key, properties)


def archive_batch(engine: Engine, ids: Sequence[str]) -> None:
    """Archive contacts by id; unknown and already archived ids are ignored, as in HubSpot.
    Their addresses' statuses stay: they belong to the address, not to the contact."""
    check_batch_size(ids)
    numbers = [number for number in map(parse_id, ids) if number is not None]
    now = now_in_millis()
    with UnitOfWork(engine, write=True) as uow:
        archived = contacts.archive(uow.connection, numbers, now)
        events.record_contacts(
            uow.connection, EventType.CONTACT_ARCHIVED, {key: {} for key in archived}, now=now
        )
        uow.commit()
