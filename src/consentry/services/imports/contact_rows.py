"""One chunk of a contacts import, as the job runs it: each row parsed (a good row, or the
reason it is not taken), the chunk's contacts upserted by email, each status cell decided by the
rulebook (source IMPORT) in the same transaction, and one result line per row and target."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from consentry.domain import (
    AccountSettings,
    Actor,
    ActorKind,
    Channel,
    ConsentryError,
    Outcome,
    Source,
    Status,
    SubscriberId,
    SubscriptionType,
    normalise_email,
)
from consentry.domain.contact_properties import EMAIL, apply_changes
from consentry.domain.events import EventType
from consentry.domain.imports import (
    BadRow,
    ColumnPlan,
    cell,
    is_blank,
    parse_legal_basis,
    parse_occurred_at,
    parse_status,
)
from consentry.services import events
from consentry.services.changes import ChangeResult, InputError, Provenance, StatusChange
from consentry.services.imports.reading import FileFormat, Record, next_chunk, records
from consentry.services.jobs import Chunk, ChunkAnswer, Commit
from consentry.services.subscriptions import change_status
from consentry.services.writing import WriteContext, utcnow, write_batch
from consentry.storage import catalog, contacts
from consentry.storage.contacts import ContactChange, NewContact

CHUNK_ROWS = 500
HEADER = ("line", "email", "target", "outcome", "message")


@dataclass(frozen=True)
class ContactRow:
    """One good row: the contact's properties and the statuses it asks for."""

    record: Record
    email: str
    key: str
    properties: dict[str, str]
    statuses: dict[int, Status]
    provenance: Provenance


def data_records(path: Path, fmt: FileFormat) -> Iterator[Record]:
    found = records(path, fmt)
    next(found, None)
    return found


def plan_of(raw: dict[str, Any]) -> ColumnPlan:
    return ColumnPlan(
        email=raw["email"],
        properties={int(k): v for k, v in raw["properties"].items()},
        statuses={int(k): v for k, v in raw["statuses"].items()},
        occurred_at=raw["occurredAt"],
        legal_basis=raw["legalBasis"],
        explanation=raw["explanation"],
    )


class ContactWork:
    header = HEADER

    def __init__(
        self,
        engine: Engine,
        job_id: int,
        params: dict[str, Any],
        cursor: int,
        *,
        dry_run: bool = False,
    ) -> None:
        self._engine = engine
        self._job_id = job_id
        self._dry_run = dry_run
        self._plan = plan_of(params["plan"])
        self._actor = Actor(ActorKind(params["actor"]["kind"]), params["actor"]["id"])
        self._records = data_records(Path(params["file"]), FileFormat.from_params(params["format"]))
        self._seen: set[int] = set()
        self._cursor = 0
        while self._cursor < cursor:
            self._cursor += 1
            self._parse(next(self._records))

    def total(self) -> int | None:
        return None

    def next_chunk(self) -> Chunk | None:
        chunk = next_chunk(self._records, self._cursor, CHUNK_ROWS)
        if chunk is not None:
            self._cursor = chunk.cursor
        return chunk

    def _parse(self, record: Record) -> ContactRow | tuple[str, str]:
        """A good row, or (outcome, reason) for one that is not taken."""
        if is_blank(record.cells):
            return "BLANK", "Blank line: skipped."
        plan = self._plan
        given = cell(record.cells, plan.email).strip()
        if not given:
            return "BAD_ROW", "No email address in the email column."
        try:
            key = normalise_email(given).key
            statuses = {
                type_id: status
                for column, type_id in plan.statuses.items()
                if (status := parse_status(cell(record.cells, column))) is not None
            }
            provenance = Provenance(
                Source.IMPORT,
                self._actor,
                parse_legal_basis(cell(record.cells, plan.legal_basis)),
                cell(record.cells, plan.explanation).strip() or None,
                parse_occurred_at(cell(record.cells, plan.occurred_at)),
                evidence={"job": self._job_id, "line": record.line},
            )
        except ConsentryError as error:
            return "BAD_ROW", error.message
        except BadRow as bad:
            return "BAD_ROW", bad.reason
        if hash(key) in self._seen:
            return "DUPLICATE", "The same email is on an earlier line: only the first is taken."
        self._seen.add(hash(key))
        properties = {
            name: value.strip()
            for column, name in plan.properties.items()
            if (value := cell(record.cells, column)).strip()
        }
        properties[EMAIL] = given
        return ContactRow(record, given, key, properties, statuses, provenance)

    def apply(self, chunk: Chunk, commit: Commit) -> None:
        parsed = [(record, self._parse(record)) for record in chunk.payload]
        good = [row for _, row in parsed if isinstance(row, ContactRow)]
        changes = [
            StatusChange(row.email, Channel.EMAIL, type_id, status, row.provenance)
            for row in good
            for type_id, status in row.statuses.items()
        ]
        owners: dict[str, int] = {}
        contact_outcomes: dict[str, str] = {}
        types: dict[int, SubscriptionType] = {}

        def check(connection: Connection, _: AccountSettings) -> Callable[[StatusChange], None]:
            types.update({t.id: t for t in catalog.list_types(connection)})
            ids, outcomes = _upsert(connection, good)
            owners.update(ids)
            contact_outcomes.update(outcomes)
            return lambda change: None

        def step(context: WriteContext, subscriber: SubscriberId, item: StatusChange) -> Any:
            provenance = replace(item.provenance, contact_id=owners.get(subscriber.key))
            type_ = types[item.subscription_type_id]
            return change_status(context, subscriber, type_, item.status, provenance)

        def answer(connection: Connection, results: list[ChangeResult | InputError]) -> None:
            commit(connection, _answer(parsed, results, contact_outcomes, types, self._plan.email))

        write_batch(
            self._engine,
            changes,
            check=check,
            step=step,
            type_ids=lambda item: (item.subscription_type_id,),
            request_id=f"job-{self._job_id}" if self._job_id else None,
            before_commit=answer,
            commit=not self._dry_run,
        )

    def close(self) -> None:
        close = getattr(self._records, "close", None)
        if close is not None:
            close()


def _upsert(
    connection: Connection, rows: list[ContactRow]
) -> tuple[dict[str, int], dict[str, str]]:
    """Create or update each row's contact (by email): ids and CREATED/UPDATED/UNCHANGED."""
    now = utcnow()
    existing = contacts.by_email_keys(connection, [row.key for row in rows])
    changes: list[ContactChange] = []
    fresh: list[ContactRow] = []
    outcomes: dict[str, str] = {}
    for row in rows:
        found = existing.get(row.key)
        if found is None:
            fresh.append(row)
            outcomes[row.key] = "CREATED"
            continue
        merged = apply_changes(found.properties, row.properties)
        same = merged == found.properties
        outcomes[row.key] = "UNCHANGED" if same else "UPDATED"
        if not same:
            changes.append(ContactChange(found.id, row.key, merged))
    contacts.save(connection, changes, now)
    new_ids = contacts.insert(connection, [NewContact(r.key, r.properties) for r in fresh], now)
    events.record_contacts(
        connection,
        EventType.CONTACT_UPDATED,
        {change.id: change.properties for change in changes},
        now=now,
    )
    events.record_contacts(
        connection,
        EventType.CONTACT_CREATED,
        {new_id: row.properties for row, new_id in zip(fresh, new_ids, strict=True)},
        now=now,
    )
    ids = {key: row.id for key, row in existing.items()}
    ids.update({row.key: new_id for row, new_id in zip(fresh, new_ids, strict=True)})
    return ids, outcomes


_CONTACT_MESSAGES = {
    "CREATED": "Contact created.",
    "UPDATED": "Contact updated.",
    "UNCHANGED": "Contact unchanged.",
}


def _answer(
    parsed: list[tuple[Record, ContactRow | tuple[str, str]]],
    results: list[ChangeResult | InputError],
    contact_outcomes: dict[str, str],
    types: dict[int, SubscriptionType],
    email_column: int,
) -> ChunkAnswer:
    answer = ChunkAnswer()
    taken = iter(results)
    for record, row in parsed:
        if not isinstance(row, ContactRow):
            outcome, reason = row
            given = cell(record.cells, email_column).strip()
            answer.add(outcome, (record.line, given, "row", outcome, reason))
            continue
        outcome = contact_outcomes[row.key]
        answer.add(
            outcome, (record.line, row.email, "contact", outcome, _CONTACT_MESSAGES[outcome])
        )
        for type_id in row.statuses:
            result = next(taken)
            target = f"{types[type_id].name} ({type_id})"
            if isinstance(result, InputError):
                answer.add(
                    "BAD_ROW", (record.line, row.email, target, "BAD_ROW", result.error.message)
                )
                continue
            status_outcome = result.decision.outcome.value
            answer.add(
                status_outcome, (record.line, row.email, target, status_outcome, _why(result))
            )
    return answer


def _why(result: ChangeResult) -> str:
    """The rulebook's message, and for a refusal what stands in the way and since when."""
    message = result.decision.message
    if result.decision.outcome in (Outcome.REFUSED, Outcome.STALE) and result.source is not None:
        when = f"{result.occurred_at:%Y-%m-%d %H:%M} UTC" if result.occurred_at else "earlier"
        message += f" It is {result.status.value} via {result.source.display_text} since {when}."
    return message
