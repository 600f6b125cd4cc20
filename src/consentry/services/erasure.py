"""Erase a person (GDPR 17): `consentry erase ADDRESS` and the API's erasure call.

One transaction, holding the ledger head: find the address's subscribers and every contact
holding the address, widen to every address on those contacts, blank the ledger's personal
fields, delete statuses, contacts and the rows naming them, remember each address by its keyed
hash (domain.erasure) and record one ledger entry per address saying it was erased — itself
without personal data, and marked erased so the fold of the ledger leaves nothing for it.
A crash before the commit leaves everything as it was.
"""

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, Engine

from consentry.domain import (
    Action,
    Actor,
    Channel,
    InvalidAddress,
    NotFound,
    Outcome,
    Source,
    SubscriberId,
    SuppressionKind,
    normalise_email,
    normalise_phone,
)
from consentry.domain.contact_properties import PHONE_PROPERTIES
from consentry.domain.erasure import (
    ERASED_MESSAGE,
    PHONE_CHANNELS,
    ErasureReport,
    address_hash,
    subscribers_of,
)
from consentry.services.recorder import Recorder
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import account_settings, erasing, erasures, subscribers
from consentry.storage.erasing import Subject

Pair = tuple[Channel, str]


def erase(
    engine: Engine,
    address: str,
    actor: Actor,
    source: Source,
    *,
    request_id: str | None = None,
    commit: bool = True,
) -> ErasureReport:
    """Erase everything held about the person with this email address or phone number.

    Raises InvalidAddress (field `address`) for an address that cannot be read, NotFound when
    nothing is held about it; `commit=False` counts what would go and changes nothing.
    """
    now = utcnow()
    with UnitOfWork(engine, write=True) as uow:
        connection = uow.connection
        region = account_settings.load(connection).default_phone_region
        given = subscribers_of(address, region)
        pairs, contact_ids = _widened(connection, given, region)
        ids = subscribers.find_ids(connection, pairs)
        if not ids and not contact_ids:
            _nothing_held(connection, given, address)
        subject = Subject(
            subscriber_ids=set(ids.values()),
            contact_ids=contact_ids,
            phone_keys={key for channel, key in pairs if channel is not Channel.EMAIL},
            texts=_texts(connection, pairs, ids.values()),
        )
        entry_ids = erasing.erased_entry_ids(connection, subject.subscriber_ids)
        blanked = erasing.blank_ledger(connection, subject.subscriber_ids, now)
        event_rows = erasing.blank_events(connection, subject)
        other = len(event_rows) + erasing.blank_deliveries(
            connection,
            [f"ledger-{id_}" for id_ in entry_ids] + [f"event-{row}" for row in event_rows],
        )
        removed_statuses = erasing.delete_statuses(connection, subject.subscriber_ids)
        other += erasing.delete_other_rows(connection, subject)
        # Besides the contacts themselves: their workflow memberships, enrollments and log.
        other += erasing.delete_contacts(connection, contact_ids) - len(contact_ids)
        erasing.tombstone_subscribers(connection, subject.subscriber_ids)
        first_entry = _record(connection, uow.head, now, pairs, ids, actor, source, request_id)
        report = ErasureReport(
            addresses=len(pairs),
            subscribers=len(ids),
            contacts=len(contact_ids),
            ledger_entries=blanked,
            statuses=removed_statuses,
            other_rows=other,
            ledger_id=first_entry,
        )
        if commit:
            uow.commit()
    return report


def _widened(
    connection: Connection, given: list[SubscriberId], region: str
) -> tuple[list[Pair], set[int]]:
    """Every (channel, key) to erase: the given address's, and those of every contact holding
    it (a person's record holds their email and their phone numbers)."""
    emails = {s.key for s in given if s.channel is Channel.EMAIL}
    phones = {s.key for s in given if s.channel is not Channel.EMAIL}
    tails = {key[-4:] for key in phones}
    contact_ids: set[int] = set()
    for contact_id, email_key, phone_key, properties in erasing.contacts_holding(
        connection, emails, tails, PHONE_PROPERTIES
    ):
        numbers = _phone_keys(phone_key, properties, region)
        if (email_key is not None and email_key in emails) or numbers & phones:
            contact_ids.add(contact_id)
            emails.update({email_key} if email_key else set())
            emails.update(_email_key(properties.get("email")))
            phones.update(numbers)
    pairs = [(Channel.EMAIL, key) for key in sorted(emails)]
    pairs += [(channel, key) for key in sorted(phones) for channel in PHONE_CHANNELS]
    return pairs, contact_ids


def _phone_keys(phone_key: str | None, properties: dict[str, object], region: str) -> set[str]:
    found = {phone_key} if phone_key else set()
    for name in PHONE_PROPERTIES:
        value = properties.get(name)
        if isinstance(value, str) and value.strip():
            try:
                found.add(normalise_phone(value, Channel.SMS, region).key)
            except InvalidAddress:
                continue  # not a number we could ever have sent to
    return found


def _email_key(value: object) -> set[str]:
    if not isinstance(value, str) or not value.strip():
        return set()
    try:
        return {normalise_email(value).key}
    except InvalidAddress:
        return set()


def _texts(connection: Connection, pairs: list[Pair], ids: Iterable[int]) -> set[str]:
    """The keys and the addresses as first given: what stored answers may quote."""
    texts = {key for _, key in pairs}
    for subscriber_id in sorted(ids):
        stored = subscribers.by_id(connection, subscriber_id)
        if stored is not None and stored.address.strip():
            texts.add(stored.address)
    return texts


def _nothing_held(connection: Connection, given: list[SubscriberId], address: str) -> None:
    key = erasures.key(connection)
    if key is not None:
        hashes = [(s.channel, address_hash(key, s.channel, s.key)) for s in given]
        if erasures.remembered(connection, hashes):
            raise NotFound(
                f"{address.strip()} was erased before; nothing is held about it now.",
                field="address",
            )
    raise NotFound(
        f"Nothing is held about {address.strip()}: no contact, no subscriber.", field="address"
    )


def _record(
    connection: Connection,
    head: tuple[int, str],
    now: datetime,
    pairs: list[Pair],
    ids: dict[Pair, int],
    actor: Actor,
    source: Source,
    request_id: str | None,
) -> int:
    """One entry per erased address (no personal field, marked erased: the fold of the ledger
    keeps nothing for it) and the keyed hash that remembers the address; the first entry's id."""
    key = erasures.ensure_key(connection, now)
    recorder = Recorder(connection, head, now, request_id)
    remembered: list[tuple[Channel, str, int]] = []
    for channel, subscriber_key in pairs:
        entry = recorder.record(
            occurred_at=now,
            action=Action.SUPPRESS.value,
            channel=channel.value,
            # 0 when the address was on a contact only, never a subscriber of its own.
            subscriber_id=ids.get((channel, subscriber_key), 0),
            subscriber_key=None,
            address=None,
            actor_kind=actor.kind.value,
            actor_id=actor.id,
            source=source.value,
            outcome=Outcome.APPLIED.value,
            suppression=SuppressionKind.ERASED.value,
            message=ERASED_MESSAGE,
            personal_salt=None,
            erased_at=now,
        )
        remembered.append((channel, address_hash(key, channel, subscriber_key), entry.id))
    entries = recorder.flush()
    erasures.remember(connection, remembered, now)
    return entries[0].id
