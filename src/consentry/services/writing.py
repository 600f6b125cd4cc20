"""The write path shared by every status use case.

One transaction per call: lock the ledger head, read what the batch touches in a few set-based
queries, let the rulebook decide each input in order (later inputs see earlier answers), then
write every ledger entry and every projection row with one statement per table.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from sqlalchemy import Connection, Engine

from consentry.domain import AccountSettings, Channel, ConsentryError, SubscriberId, normalise
from consentry.services.changes import InputError
from consentry.services.erased_addresses import ensure_subscribers
from consentry.services.projection_state import ProjectionState
from consentry.services.recorder import Recorder
from consentry.services.unit_of_work import UnitOfWork
from consentry.storage import account_settings


def utcnow() -> datetime:
    return datetime.now(UTC)


class Addressed(Protocol):
    @property
    def address(self) -> str: ...

    @property
    def channel(self) -> Channel: ...


T = TypeVar("T", bound=Addressed)
R = TypeVar("R")


@dataclass
class WriteContext:
    """What a decision step needs: the connection, settings, clock, statuses and the ledger."""

    connection: Connection
    settings: AccountSettings
    now: datetime
    state: ProjectionState
    recorder: Recorder
    subscriber_ids: dict[tuple[Channel, str], int]

    def subscriber_id(self, subscriber: SubscriberId) -> int:
        return self.subscriber_ids[(subscriber.channel, subscriber.key)]


# Built once per transaction (it may load the types the batch names); raises for a bad input.
Checker = Callable[[Connection, AccountSettings], Callable[[T], None]]
Step = Callable[[WriteContext, SubscriberId, T], R]


def write_batch(
    engine: Engine,
    inputs: Sequence[T],
    *,
    check: Checker[T],
    step: Step[T, R],
    type_ids: Callable[[T], Iterable[int]] = lambda _: (),
    request_id: str | None = None,
    # A job records its progress here, so a chunk's changes and its place in the input commit
    # together (resuming after a crash then neither repeats nor skips a row).
    before_commit: Callable[[Connection, list[R | InputError]], None] | None = None,
    commit: bool = True,
) -> list[R | InputError]:
    """Run `step` for each valid input inside one writing transaction, in input order.

    An input that fails `check` or address normalisation becomes an `InputError` and writes
    nothing; `type_ids` names the subscription types whose stored status each input reads.
    `before_commit` sees the answers inside the transaction (it may raise to roll it back);
    `commit=False` answers as if written and rolls everything back (a dry run).
    """
    now = utcnow()
    results: list[R | InputError | None] = [None] * len(inputs)
    with UnitOfWork(engine, write=True) as uow:
        connection = uow.connection
        settings = account_settings.load(connection)
        checker = check(connection, settings)
        valid: list[tuple[int, SubscriberId]] = []
        for index, item in enumerate(inputs):
            try:
                checker(item)
                valid.append(
                    (index, normalise(item.address, item.channel, settings.default_phone_region))
                )
            except ConsentryError as error:
                results[index] = InputError(index, item.address, error)
        recorder = Recorder(connection, uow.head, now, request_id)
        ids, created = ensure_subscribers(
            connection, [subscriber for _, subscriber in valid], now, recorder
        )
        pairs = [
            (subscriber_id, type_id)
            for index, subscriber in valid
            if (subscriber_id := ids[(subscriber.channel, subscriber.key)]) not in created
            for type_id in type_ids(inputs[index])
        ]
        # Subscribers created just now have no stored statuses to read.
        state = ProjectionState(connection, pairs, set(ids.values()) - created)
        context = WriteContext(connection, settings, now, state, recorder, ids)
        for index, subscriber in valid:
            results[index] = step(context, subscriber, inputs[index])
        context.recorder.flush()
        state.flush()
        answers = [result for result in results if result is not None]
        if before_commit is not None:
            before_commit(connection, answers)
        if commit:
            uow.commit()
    return answers
