"""Import an opt-out list: every address in the file becomes unsubscribed from all (account-wide
or in one business unit) with source IMPORT, through `set_wide_statuses` — so each type it
covers is recorded as opted out too. No contact is created: the statuses belong to the address.

The caller confirms the file's row count first (`expect_rows`). The job reads the file from its
cursor, 1,000 rows a chunk; bad rows (no address, an invalid one, a duplicate) go to the result
file with their line number and reason and the good rows go in.
"""

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from consentry.config import Config
from consentry.domain import (
    Actor,
    ActorKind,
    Channel,
    ConsentryError,
    InvalidInput,
    NotFound,
    Source,
    normalise,
    normalise_email,
)
from consentry.domain.imports import address_column, cell, is_blank
from consentry.domain.statuses import wide_scope
from consentry.services import jobs
from consentry.services.changes import InputError, Provenance, WideChange, WideResult
from consentry.services.imports.reading import (
    FileFormat,
    Record,
    detect,
    header,
    next_chunk,
    records,
)
from consentry.services.job_runner import KINDS
from consentry.services.jobs import Chunk, ChunkAnswer, Commit, Job
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.wide_opt_outs import set_wide_statuses
from consentry.storage import account_settings, catalog, contact_selection
from consentry.storage.jobs import JobRow

KIND = "import_optouts"
CHUNK_ROWS = 1_000
HEADER = ("line", "address", "outcome", "message")


@dataclass(frozen=True)
class OptOutImport:
    path: Path
    actor: Actor
    channel: Channel = Channel.EMAIL
    business_unit_id: int | None = None  # None: account-wide
    encoding: str | None = None  # detected when not given
    delimiter: str | None = None


@dataclass(frozen=True)
class Inspection:
    """What the file is, before anything is written: its format, address column and rows."""

    format: FileFormat
    column: int
    rows: int  # data rows, blank lines not counted


def inspect(spec: OptOutImport) -> Inspection:
    if not spec.path.is_file():
        raise InvalidInput(f"No such file: {spec.path}.", field="file")
    fmt = detect(spec.path, encoding=spec.encoding, delimiter=spec.delimiter)
    column = address_column(header(spec.path, fmt), spec.channel)
    rows = sum(1 for record in _data(spec.path, fmt) if not is_blank(record.cells))
    return Inspection(fmt, column, rows)


def _data(path: Path, fmt: FileFormat) -> Iterator[Record]:
    found = records(path, fmt)
    next(found, None)  # the header
    return found


def submit_optout_import(
    engine: Engine,
    config: Config,
    spec: OptOutImport,
    *,
    expect_rows: int,
    worker_id: str | None = None,
) -> Job:
    """Check the file and the confirmed row count, keep a copy, and queue the import (or, with
    `worker_id`, hand it to that worker). Nothing is written when a check fails."""
    found = inspect(spec)
    if found.rows != expect_rows:
        raise InvalidInput(
            f"The file has {found.rows} rows, not {expect_rows}: nothing was imported."
            " Check the file and confirm its row count.",
            field="expectRows",
        )
    _check_scope(engine, spec.business_unit_id)
    kept = keep_copy(config, spec.path)
    params = {
        "file": str(kept),
        "name": spec.path.name,
        "format": found.format.as_params(),
        "column": found.column,
        "channel": spec.channel.value,
        "businessUnitId": spec.business_unit_id,
        "actor": {"kind": spec.actor.kind.value, "id": spec.actor.id},
    }
    return jobs.submit(engine, KIND, params, str(spec.actor), total=found.rows, worker_id=worker_id)


def keep_copy(config: Config, path: Path) -> Path:
    """The job reads its own copy: the original may change or go while the job runs."""
    directory = config.jobs_dir.resolve() / "inputs"
    directory.mkdir(parents=True, exist_ok=True)
    kept = directory / f"{uuid.uuid4().hex}{path.suffix.lower()}"
    shutil.copyfile(path, kept)
    return kept


def _check_scope(engine: Engine, unit_id: int | None) -> None:
    with UnitOfWork(engine) as uow:
        settings = account_settings.load(uow.connection)
        if unit_id is not None and catalog.get_unit(uow.connection, unit_id) is None:
            raise NotFound(f"Business unit {unit_id} does not exist.", field="businessUnitId")
    wide_scope(unit_id, settings.business_units_enabled)


class OptOutWork:
    """The file from the cursor on (the cursor counts data records, blank ones included)."""

    header = HEADER

    def __init__(self, engine: Engine, job_id: int, params: dict[str, Any], cursor: int) -> None:
        self._engine = engine
        self._job_id = job_id
        self._channel = Channel(params["channel"])
        self._unit = params["businessUnitId"]
        self._column = int(params["column"])
        self._actor = Actor(ActorKind(params["actor"]["kind"]), params["actor"]["id"])
        self._path = Path(params["file"])
        self._records = _data(self._path, FileFormat.from_params(params["format"]))
        with UnitOfWork(engine) as uow:
            self._region = account_settings.load(uow.connection).default_phone_region
        # Keys (as hashes) of the addresses already taken, to report repeats: rebuilt from the
        # committed rows when a job resumes.
        self._seen: set[int] = set()
        self._cursor = 0
        while self._cursor < cursor:
            record = next(self._records)
            self._cursor += 1
            self._classify(record)

    def total(self) -> int | None:
        return None  # counted when the import was submitted

    def next_chunk(self) -> Chunk | None:
        chunk = next_chunk(self._records, self._cursor, CHUNK_ROWS)
        if chunk is not None:
            self._cursor = chunk.cursor
        return chunk

    def _classify(self, record: Record) -> tuple[str, str] | str:
        """("OUTCOME", reason) for a row that is not taken, else the address to opt out."""
        if is_blank(record.cells):
            return "BLANK", "Blank line: skipped."
        given = cell(record.cells, self._column).strip()
        if not given:
            return "BAD_ROW", "No address in the address column."
        try:
            key = normalise(given, self._channel, self._region).key
        except ConsentryError as error:
            return "BAD_ROW", error.message
        digest = hash(key)
        if digest in self._seen:
            return "DUPLICATE", "The same address is on an earlier line: taken once."
        self._seen.add(digest)
        return given

    def apply(self, chunk: Chunk, commit: Commit) -> None:
        batch: list[Record] = chunk.payload
        plan = [(record, self._classify(record)) for record in batch]
        owners = self._contacts([taken for _, taken in plan if isinstance(taken, str)])
        changes = [
            WideChange(
                taken,
                self._channel,
                self._unit,
                True,
                Provenance(
                    Source.IMPORT,
                    self._actor,
                    evidence={"job": self._job_id, "line": record.line},
                    contact_id=owners.get(taken),
                ),
            )
            for record, taken in plan
            if isinstance(taken, str)
        ]

        def answer(connection: Connection, results: list[WideResult | InputError]) -> None:
            commit(connection, self._answer(plan, results))

        set_wide_statuses(
            self._engine, changes, request_id=f"job-{self._job_id}", before_commit=answer
        )

    def _answer(
        self,
        plan: list[tuple[Record, tuple[str, str] | str]],
        results: list[WideResult | InputError],
    ) -> ChunkAnswer:
        answer = ChunkAnswer()
        taken = iter(results)
        for record, classified in plan:
            if isinstance(classified, tuple):
                outcome, reason = classified
                given = cell(record.cells, self._column).strip()
                answer.add(outcome, (record.line, given, outcome, reason))
                continue
            result = next(taken)
            if isinstance(result, InputError):
                line = (record.line, classified, "BAD_ROW", result.error.message)
                answer.add("BAD_ROW", line)
                continue
            outcome = result.decision.outcome.value
            answer.add(outcome, (record.line, classified, outcome, result.decision.message))
        return answer

    def _contacts(self, addresses: list[str]) -> dict[str, int]:
        """The live contact of each email address, if any, for the ledger's record (the import
        creates none)."""
        if self._channel is not Channel.EMAIL or not addresses:
            return {}
        keys = {address: normalise_email(address).key for address in addresses}
        with UnitOfWork(self._engine) as uow:
            found = contact_selection.ids_by_email_keys(uow.connection, keys.values())
        return {address: found[key] for address, key in keys.items() if key in found}

    def close(self) -> None:
        close = getattr(self._records, "close", None)
        if close is not None:
            close()


def _open(engine: Engine, _: Config, row: JobRow) -> OptOutWork:
    return OptOutWork(engine, row.id, row.params, row.cursor)


KINDS[KIND] = _open
