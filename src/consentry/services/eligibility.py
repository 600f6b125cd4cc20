"""Use cases that answer "may we send this kind of message to this address?" (PRODUCT.md §3):
for one address, for a batch, for an uploaded audience in chunks, and with a one-time legal
basis for one one-to-one communication (recorded in the ledger).

Every answer comes from the domain's `eligibility`; this module only gathers, per chunk of
addresses, the stored facts it reads, with a fixed number of set-based queries.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, Literal, NamedTuple

from sqlalchemy import Connection, Engine

from consentry.domain import (
    AccountSettings,
    Action,
    Channel,
    ConsentryError,
    EligibilityReason,
    InvalidInput,
    LegalBasis,
    Outcome,
    SubscriberId,
    SubscriptionType,
    SuppressionKind,
    TypeKind,
    eligibility,
    normalise,
)
from consentry.domain.eligibility import Eligibility, SendingState
from consentry.domain.filters import parse_groups
from consentry.domain.identifiers import email_key
from consentry.services.changes import Provenance
from consentry.services.entries import entry_fields
from consentry.services.erased_addresses import ensure_subscribers
from consentry.services.read_ahead import read_ahead
from consentry.services.recorder import Recorder
from consentry.services.sending_state import state_of
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import (
    account_settings,
    catalog,
    contacts,
)
from consentry.storage import audience as audience_facts

INVALID_ADDRESS: Literal["INVALID_ADDRESS"] = "INVALID_ADDRESS"
CHUNK = 1_000
# An audience reads bigger chunks: each is one query the reader threads run while the stream
# formats the previous ones; a few thousand keys keep each query long next to a thread switch.
AUDIENCE_CHUNK = 5_000
READERS = 2


class Answer(NamedTuple):
    """The answer for one address as given. `reason` is an `EligibilityReason`, or
    INVALID_ADDRESS for input that cannot be a subscriber (then `message` says why).

    A named tuple: an audience of millions builds one per address."""

    address: str
    allowed: bool
    reason: EligibilityReason | Literal["INVALID_ADDRESS"]
    suppression: SuppressionKind | None = None
    message: str | None = None


@dataclass(frozen=True, eq=False, slots=True)
class Verdict:
    """An answer without its address: an audience's addresses share a few of these. Compared
    and hashed by identity, which is cheap: a caller can key what it derives from one."""

    allowed: bool
    reason: EligibilityReason | Literal["INVALID_ADDRESS"]
    suppression: SuppressionKind | None = None
    message: str | None = None


@dataclass(frozen=True)
class AnswerChunk:
    """The answers for a run of an audience's addresses: `verdicts[i]` answers `addresses[i]`.
    Kept apart (not one Answer per address) so a million answers are a million references."""

    addresses: list[str]
    verdicts: list[Verdict]

    def __len__(self) -> int:
        return len(self.addresses)

    def answers(self) -> list[Answer]:
        return [
            Answer(a, v.allowed, v.reason, v.suppression, v.message)
            for a, v in zip(self.addresses, self.verdicts, strict=True)
        ]


@dataclass(frozen=True)
class Audience:
    """What every chunk of an audience is judged against, read once before the first."""

    subscription_type: SubscriptionType
    settings: AccountSettings


@dataclass(frozen=True)
class OneTimeAnswer:
    answer: Answer
    subscriber: SubscriberId
    ledger_id: int


def check_eligibility(engine: Engine, address: str, type_id: int) -> Answer:
    """One address; an address that cannot be a subscriber raises (HTTP 400)."""
    with UnitOfWork(engine) as uow:
        type_, settings = _type_and_settings(uow.connection, type_id)
        subscriber = normalise(address, type_.channel, settings.default_phone_region)
        (state,) = _states(uow.connection, type_, [subscriber])
    return _answer(address, eligibility(state, settings))


def check_eligibility_batch(engine: Engine, addresses: Sequence[str], type_id: int) -> list[Answer]:
    """Many addresses, one type, in one snapshot; invalid addresses answer INVALID_ADDRESS."""
    with UnitOfWork(engine) as uow:
        type_, settings = _type_and_settings(uow.connection, type_id)
        return _answers(uow.connection, Audience(type_, settings), addresses)


def open_audience(engine: Engine, type_id: int) -> Audience:
    """Check the type before any answer is streamed: an unknown type is a 400, not a stream."""
    with UnitOfWork(engine) as uow:
        return Audience(*_type_and_settings(uow.connection, type_id))


def audience_answers(
    engine: Engine,
    audience: Audience,
    addresses: Iterable[str],
    chunk: int = AUDIENCE_CHUNK,
    readers: int = READERS,
) -> Iterator[AnswerChunk]:
    """Answers for an audience of any size, `chunk` addresses at a time in input order, one
    short read transaction per chunk, so memory and connections stay flat however long the
    list. Chunks are read `readers` at a time on their own threads while the caller turns the
    answers already read into its response: the database works beside the Python."""
    stream = iter(addresses)
    batches = iter(lambda: list(islice(stream, chunk)), [])
    judge = _Judge(audience)
    for read in read_ahead(lambda batch: _read(engine, audience, batch), batches, readers):
        yield judge.chunk(read)


def contact_audience(engine: Engine, filter_groups: Any, chunk: int = CHUNK) -> Iterator[str]:
    """The email addresses of every live contact matching the filter (the contact-search
    language), read in keyset pages, so an audience of millions streams in flat memory."""
    groups = parse_groups(filter_groups)
    after = 0
    while True:
        with UnitOfWork(engine) as uow:
            page = contacts.matching_email_keys(uow.connection, groups, after=after, limit=chunk)
        if not page:
            return
        yield from (key for _, key in page)
        after = page[-1][0]


def record_one_time_basis(
    engine: Engine, address: str, type_id: int, provenance: Provenance
) -> OneTimeAnswer:
    """Record a legal basis given for one one-to-one communication, and answer whether that
    communication may be sent with it. No status changes; the entry is the evidence."""
    basis, explanation = _one_time_basis(provenance)
    now = utcnow()
    with UnitOfWork(engine, write=True) as uow:
        connection = uow.connection
        type_, settings = _type_and_settings(connection, type_id)
        _check_one_to_one(type_)
        subscriber = normalise(address, type_.channel, settings.default_phone_region)
        recorder = Recorder(connection, uow.head, now)
        ids, _ = ensure_subscribers(connection, [subscriber], now, recorder)
        subscriber_id = ids[(subscriber.channel, subscriber.key)]
        (state,) = _states(connection, type_, [subscriber])
        standing = eligibility(state, settings)
        with_basis = eligibility(state, settings, basis)
        entry = recorder.record(
            **entry_fields(subscriber, subscriber_id, provenance, now),
            action=Action.ONE_TIME_LEGAL_BASIS.value,
            subscription_type_id=type_.id,
            business_unit_id=type_.business_unit_id,
            old_status=state.status.value,
            new_status=state.status.value,
            outcome=_outcome(standing, with_basis).value,
            message=_one_time_message(standing, with_basis),
            legal_basis=basis.value,
            legal_basis_explanation=explanation,
        )
        recorder.flush()
        uow.commit()
    return OneTimeAnswer(_answer(address, with_basis), subscriber, entry.id)


def _type_and_settings(
    connection: Connection, type_id: int
) -> tuple[SubscriptionType, AccountSettings]:
    found = catalog.list_types(connection, ids=[type_id])
    if not found:
        raise InvalidInput(
            f"Unknown subscriptionId {type_id}: no subscription type has that id.",
            field="subscriptionId",
        )
    return found[0], account_settings.load(connection)


class _Read(NamedTuple):
    addresses: list[str]  # as given
    keys: list[str]  # of the valid addresses, in order
    failures: dict[int, ConsentryError]  # why each invalid address (by index) is refused
    codes: list[str | None]  # the stored facts of each key (storage.audience)


def _read(engine: Engine, audience: Audience, addresses: list[str]) -> _Read:
    with UnitOfWork(engine) as uow:
        return _read_in(uow.connection, audience.subscription_type, audience.settings, addresses)


def _read_in(
    connection: Connection,
    type_: SubscriptionType,
    settings: AccountSettings,
    addresses: list[str],
) -> _Read:
    key_of = _key_function(type_, settings)
    failures: dict[int, ConsentryError] = {}
    try:
        keys = list(map(key_of, addresses))  # the usual case: every address is valid
    except ConsentryError:
        keys = []
        for index, address in enumerate(addresses):
            try:
                keys.append(key_of(address))
            except ConsentryError as error:
                failures[index] = error
    codes = audience_facts.sending_codes(connection, type_.channel.value, type_.id, keys)
    return _Read(addresses, keys, failures, codes)


class _Judge(dict[str | None, Verdict]):
    """The verdict for each code of stored facts, judged by the domain the first time it is
    seen: most of a long list shares a handful of combinations."""

    def __init__(self, audience: Audience) -> None:
        super().__init__()
        self.audience = audience

    def __missing__(self, code: str | None) -> Verdict:
        type_, settings = self.audience.subscription_type, self.audience.settings
        facts = None if code is None else audience_facts.facts_of(code)
        result = eligibility(state_of(type_, facts), settings)
        verdict = self[code] = Verdict(result.allowed, result.reason, result.suppression)
        return verdict

    def chunk(self, read: _Read) -> AnswerChunk:
        verdicts = list(map(self.__getitem__, read.codes))
        if read.failures:  # put each refusal where its address was
            judged = iter(verdicts)
            verdicts = [
                Verdict(False, INVALID_ADDRESS, message=read.failures[index].message)
                if index in read.failures
                else next(judged)
                for index in range(len(read.addresses))
            ]
        return AnswerChunk(read.addresses, verdicts)


def _answers(connection: Connection, audience: Audience, addresses: Sequence[str]) -> list[Answer]:
    type_, settings = audience.subscription_type, audience.settings
    read = _read_in(connection, type_, settings, list(addresses))
    return _Judge(audience).chunk(read).answers()


def _key_function(type_: SubscriptionType, settings: AccountSettings) -> Callable[[str], str]:
    if type_.channel is Channel.EMAIL:
        return email_key
    return lambda address: normalise(address, type_.channel, settings.default_phone_region).key


def _states(
    connection: Connection, type_: SubscriptionType, subscribers_: Sequence[SubscriberId]
) -> list[SendingState]:
    """The sending state of each subscriber for the type, in order, with one query whatever
    the count; unknown subscribers have nothing stored."""
    facts = audience_facts.sending_facts(
        connection, type_.channel.value, type_.id, [s.key for s in subscribers_]
    )
    return [state_of(type_, stored) for stored in facts]


def _answer(address: str, result: Eligibility) -> Answer:
    return Answer(address, result.allowed, result.reason, result.suppression)


def _one_time_basis(provenance: Provenance) -> tuple[LegalBasis, str]:
    explanation = (provenance.explanation or "").strip()
    if provenance.legal_basis is None:
        raise InvalidInput("A one-time legal basis needs a legalBasis.", field="legalBasis")
    if not explanation:
        raise InvalidInput(
            "A one-time legal basis needs an explanation of why this message may be sent.",
            field="explanation",
        )
    return provenance.legal_basis, explanation


def _check_one_to_one(type_: SubscriptionType) -> None:
    if type_.kind is not TypeKind.ONE_TO_ONE:
        raise InvalidInput(
            f"Subscription type {type_.id} ({type_.name}) is a {type_.kind.value} type; a"
            " one-time legal basis applies to ONE_TO_ONE types only.",
            field="subscriptionId",
        )


def _outcome(standing: Eligibility, with_basis: Eligibility) -> Outcome:
    """APPLIED when the basis is what allows the message; NO_CHANGE when it changes nothing
    (allowed without it, or still not allowed: a suppression or the contact's own opt-out)."""
    if with_basis.reason is EligibilityReason.ONE_TIME_LEGAL_BASIS and not standing.allowed:
        return Outcome.APPLIED
    return Outcome.NO_CHANGE


def _one_time_message(standing: Eligibility, with_basis: Eligibility) -> str:
    if with_basis.reason is EligibilityReason.ONE_TIME_LEGAL_BASIS and not standing.allowed:
        return (
            "One-time legal basis recorded: this message may be sent"
            f" ({standing.reason.value} lifted for this one communication)."
        )
    if standing.allowed:
        return (
            "One-time legal basis recorded; not needed: sending is allowed without it"
            f" ({standing.reason.value})."
        )
    return (
        f"One-time legal basis recorded; sending is still not allowed ({with_basis.reason.value})."
    )
