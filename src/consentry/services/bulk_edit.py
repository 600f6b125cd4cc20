"""The contacts index's "Edit communication subscriptions": one status for many contacts.

The selection (ticked rows, or every contact matching the filters and the search box) is read
in keyset pages by contact id; each page becomes one `set_statuses` call (one transaction, about
1,000 status writes) with source BULK, so the rulebook answers every row — a WhatsApp edit is
refused row by row, on the record. Run it at once (`run_bulk_edit`) or as a job.
"""

import csv
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from consentry.config import Config
from consentry.domain import (
    Actor,
    ActorKind,
    Channel,
    InvalidInput,
    LegalBasis,
    Source,
    Status,
)
from consentry.domain.contact_properties import address_on
from consentry.domain.filters import Filter, FilterGroup, parse_groups, query_groups
from consentry.services import jobs
from consentry.services.changes import ChangeResult, InputError, Provenance, StatusChange
from consentry.services.job_runner import KINDS
from consentry.services.jobs import Chunk, ChunkAnswer, Commit, Job
from consentry.services.subscriptions import set_statuses
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import catalog, contact_selection
from consentry.storage.contact_selection import Selected
from consentry.storage.jobs import JobRow

KIND = "bulk_edit"
WRITES_PER_CHUNK = 1_000
ROWS_KEPT = 10_000  # a run with more rows answers them in its result file only
HEADER = ("contact_id", "address", "subscription_type_id", "outcome", "message")


@dataclass(frozen=True)
class BulkEdit:
    channel: Channel
    status: Status  # SUBSCRIBED (Opt in) / NOT_SPECIFIED (Not selected) / UNSUBSCRIBED (Opt out)
    subscription_type_ids: tuple[int, ...]
    actor: Actor
    contact_ids: tuple[int, ...] = ()  # ticked rows, or
    filter_groups: tuple[FilterGroup, ...] | None = None  # "all N matching"
    query: str | None = None  # the index's search box
    explanation: str | None = None
    legal_basis: LegalBasis | None = None


@dataclass(frozen=True)
class BulkRow:
    contact_id: int
    address: str | None
    subscription_type_id: int
    outcome: str  # APPLIED / NO_CHANGE / REFUSED / STALE / NO_EMAIL (contact without address)
    message: str


@dataclass(frozen=True)
class BulkOutcome:
    changed: int
    no_change: int
    refused: int  # refused by the rulebook, and contacts without an address on the channel
    refusals: Mapping[str, int]  # message -> count
    rows: Sequence[BulkRow]  # empty for very large runs: then `result_path` has them
    result_path: str | None


def _ids(edit: BulkEdit) -> Sequence[int] | None:
    if edit.contact_ids:
        return edit.contact_ids
    return None


def _groups(edit: BulkEdit) -> tuple[tuple[FilterGroup, ...], tuple[FilterGroup, ...]]:
    text = (edit.query or "").strip()
    return (edit.filter_groups or ()), (query_groups(text) if text else ())


def count_selection(engine: Engine, edit: BulkEdit) -> int:
    """How many live contacts the selection names."""
    groups, also = _groups(edit)
    with UnitOfWork(engine) as uow:
        return contact_selection.count(uow.connection, _ids(edit), groups, also)


def check_edit(engine: Engine, edit: BulkEdit) -> None:
    """Refuse an edit that cannot run at all: no types, or types of another channel."""
    if not edit.subscription_type_ids:
        raise InvalidInput("Choose at least one subscription type.", field="subscriptionIds")
    with UnitOfWork(engine) as uow:
        types = {t.id: t for t in catalog.list_types(uow.connection)}
    for type_id in edit.subscription_type_ids:
        type_ = types.get(type_id)
        if type_ is None:
            raise InvalidInput(
                f"Unknown subscriptionId {type_id}: no subscription type has that id.",
                field="subscriptionIds",
            )
        if type_.channel is not edit.channel:
            raise InvalidInput(
                f"Subscription type {type_id} ({type_.name}) is a {type_.channel.value} type,"
                f" not {edit.channel.value}.",
                field="subscriptionIds",
            )


def run_bulk_edit(
    engine: Engine,
    config: Config,
    edit: BulkEdit,
    *,
    on_progress: Callable[[int, int], None] | None = None,
) -> BulkOutcome:
    """Apply the edit now, a chunk (one transaction) at a time; `on_progress(done, total)`.
    Result lines are written to the result file as each chunk commits (memory stays flat)."""
    check_edit(engine, edit)
    work = BulkWork(engine, edit, cursor=0)
    total = work.total()
    tally = _Tally()
    done = 0
    path = config.jobs_dir.resolve() / f"bulk-{utcnow():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)

        def keep(_: Connection, answer: ChunkAnswer) -> None:
            tally.add(answer.counts, answer.lines)

        while (chunk := work.next_chunk()) is not None:
            work.apply(chunk, keep)
            writer.writerows(tally.take_lines())
            done += chunk.rows
            if on_progress is not None:
                on_progress(done, total)
    return tally.outcome(str(path))


class _Tally:
    """Counts, refusal reasons and (for a run of modest size) the rows of a bulk edit."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.refusals: dict[str, int] = {}
        self.rows: list[BulkRow] = []
        self.too_many = False
        self._pending: list[Sequence[object]] = []

    def add(self, counts: Mapping[str, int], lines: Sequence[Sequence[object]]) -> None:
        for key, value in counts.items():
            self.counts[key] = self.counts.get(key, 0) + value
        for line in lines:
            if line[3] in ("REFUSED", "NO_EMAIL"):
                self.refusals[str(line[4])] = self.refusals.get(str(line[4]), 0) + 1
            if not self.too_many:
                self.rows.append(_bulk_row(line))
                self.too_many = len(self.rows) > ROWS_KEPT
        if self.too_many:
            self.rows = []
        self._pending.extend(lines)

    def take_lines(self) -> list[Sequence[object]]:
        lines, self._pending = self._pending, []
        return lines

    def outcome(self, path: str | None) -> BulkOutcome:
        counts = self.counts
        return BulkOutcome(
            changed=counts.get("applied", 0),
            no_change=counts.get("no_change", 0) + counts.get("stale", 0),
            refused=counts.get("refused", 0) + counts.get("no_email", 0),
            refusals=self.refusals,
            rows=self.rows,
            result_path=path,
        )


def submit_bulk_edit(engine: Engine, config: Config, edit: BulkEdit) -> Job:
    """Queue the edit as a background job (progress in `jobs.get_job`)."""
    check_edit(engine, edit)
    return jobs.submit(
        engine, KIND, edit_params(edit), str(edit.actor), total=count_selection(engine, edit)
    )


def outcome_of(job: Job) -> BulkOutcome:
    """A finished bulk-edit job's answer, its rows read back from its result file."""
    tally = _Tally()
    if job.result_path and Path(job.result_path).exists():
        with open(job.result_path, encoding="utf-8", newline="") as source:
            reader = csv.reader(source)
            next(reader, None)
            for line in reader:
                tally.add({}, [line])
                tally.take_lines()
    tally.counts = dict(job.summary)
    return tally.outcome(job.result_path)


def _bulk_row(line: Sequence[object]) -> BulkRow:
    contact_id, address, type_id, outcome, message = line
    return BulkRow(
        int(str(contact_id)), str(address) or None, int(str(type_id)), str(outcome), str(message)
    )


class BulkWork:
    """The selection in pages by contact id; the cursor is the last id committed."""

    header = HEADER

    def __init__(self, engine: Engine, edit: BulkEdit, cursor: int) -> None:
        self._engine = engine
        self._edit = edit
        self._after = cursor
        self._groups, self._also = _groups(edit)
        self._per_chunk = max(1, WRITES_PER_CHUNK // max(1, len(edit.subscription_type_ids)))

    def total(self) -> int:
        return count_selection(self._engine, self._edit)

    def next_chunk(self) -> Chunk | None:
        with UnitOfWork(self._engine) as uow:
            page = contact_selection.page(
                uow.connection,
                _ids(self._edit),
                self._groups,
                self._also,
                after=self._after,
                limit=self._per_chunk,
            )
        if not page:
            return None
        self._after = page[-1].id
        return Chunk(rows=len(page), cursor=page[-1].id, payload=page)

    def apply(self, chunk: Chunk, commit: Commit) -> None:
        edit = self._edit
        page: list[Selected] = chunk.payload
        changes: list[StatusChange] = []
        owners: list[tuple[Selected, str | None]] = []
        for contact in page:
            address = self._address(contact)
            owners.append((contact, address))
            if address is None:
                continue
            provenance = Provenance(
                Source.BULK,
                edit.actor,
                edit.legal_basis,
                edit.explanation,
                evidence={"via": "bulk edit"},
                contact_id=contact.id,
            )
            changes.extend(
                StatusChange(address, edit.channel, type_id, edit.status, provenance)
                for type_id in edit.subscription_type_ids
            )

        def answer_chunk(connection: Connection, answers: list[ChangeResult | InputError]) -> None:
            commit(connection, self._answer(owners, answers))

        set_statuses(self._engine, changes, before_commit=answer_chunk)

    def _answer(
        self,
        owners: list[tuple[Selected, str | None]],
        answers: list[ChangeResult | InputError],
    ) -> ChunkAnswer:
        answer = ChunkAnswer()
        results = iter(answers)
        missing = "email address" if self._edit.channel is Channel.EMAIL else "phone number"
        for contact, address in owners:
            for type_id in self._edit.subscription_type_ids:
                if address is None:
                    line = (contact.id, "", type_id, "NO_EMAIL", f"The contact has no {missing}.")
                    answer.add("NO_EMAIL", line)
                    continue
                result = next(results)
                if isinstance(result, InputError):
                    message = f"The contact has no valid {missing}: {result.error.message}"
                    answer.add("NO_EMAIL", (contact.id, address, type_id, "NO_EMAIL", message))
                    continue
                outcome = result.decision.outcome.value
                line = (contact.id, address, type_id, outcome, result.decision.message)
                answer.add(outcome, line)
        return answer

    def _address(self, contact: Selected) -> str | None:
        return address_on(self._edit.channel.is_phone, contact.properties, contact.phone_key)

    def close(self) -> None:
        pass


# --- a bulk edit as a job's parameters ----------------------------------------------------------


def edit_params(edit: BulkEdit) -> dict[str, Any]:
    groups = None
    if edit.filter_groups is not None:
        groups = [
            {"filters": [_filter_json(f) for f in group.filters]} for group in edit.filter_groups
        ]
    return {
        "channel": edit.channel.value,
        "status": edit.status.value,
        "subscriptionIds": list(edit.subscription_type_ids),
        "actor": {"kind": edit.actor.kind.value, "id": edit.actor.id},
        "contactIds": list(edit.contact_ids),
        "filterGroups": groups,
        "query": edit.query,
        "explanation": edit.explanation,
        "legalBasis": edit.legal_basis.value if edit.legal_basis else None,
    }


def _filter_json(filter_: Filter) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "propertyName": filter_.property_name,
        "operator": filter_.operator.value,
    }
    if filter_.value is not None:
        raw["value"] = filter_.value
    if filter_.values:
        raw["values"] = list(filter_.values)
    if filter_.high_value is not None:
        raw["highValue"] = filter_.high_value
    return raw


def edit_from_params(params: Mapping[str, Any]) -> BulkEdit:
    groups = params.get("filterGroups")
    return BulkEdit(
        channel=Channel(params["channel"]),
        status=Status(params["status"]),
        subscription_type_ids=tuple(params["subscriptionIds"]),
        actor=Actor(ActorKind(params["actor"]["kind"]), params["actor"]["id"]),
        contact_ids=tuple(params.get("contactIds") or ()),
        filter_groups=parse_groups(groups) if groups is not None else None,
        query=params.get("query"),
        explanation=params.get("explanation"),
        legal_basis=LegalBasis(params["legalBasis"]) if params.get("legalBasis") else None,
    )


def _open(engine: Engine, _: Config, row: JobRow) -> BulkWork:
    return BulkWork(engine, edit_from_params(row.params), cursor=row.cursor)


KINDS[KIND] = _open
