"""Import contacts and their statuses: contacts upserted by email with their properties, and
one status column per subscription type, with the row's original time and legal basis when the
file has them. The rulebook decides every status cell with source IMPORT: an import never
resubscribes an opted-out address, never removes an opt-out, and a row older than the stored
status is recorded as stale. Each chunk's contacts and statuses commit together.

A dry run answers every row as the import would (result file and summary) and writes nothing.
What one chunk does (parse, upsert, decide, answer) is `imports.contact_rows`.
"""

import csv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from consentry.config import Config
from consentry.domain import Actor, Channel, InvalidInput
from consentry.domain.imports import (
    ColumnPlan,
    check_legal_basis_columns,
    is_blank,
    parse_map,
    plan_columns,
)
from consentry.services import jobs
from consentry.services.imports.contact_rows import HEADER, ContactWork, data_records
from consentry.services.imports.optouts import keep_copy
from consentry.services.imports.reading import FileFormat, detect, header
from consentry.services.job_runner import KINDS
from consentry.services.jobs import ChunkAnswer, Job
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import account_settings, catalog
from consentry.storage.jobs import JobRow

KIND = "import_contacts"


@dataclass(frozen=True)
class ContactImport:
    path: Path
    actor: Actor
    mapping: tuple[str, ...] = ()  # "Header=target" options
    encoding: str | None = None
    delimiter: str | None = None


def plan_import(engine: Engine, spec: ContactImport) -> tuple[FileFormat, ColumnPlan, int]:
    """The file's format and columns and its row count; raises for a file that cannot run."""
    if not spec.path.is_file():
        raise InvalidInput(f"No such file: {spec.path}.", field="file")
    fmt = detect(spec.path, encoding=spec.encoding, delimiter=spec.delimiter)
    with UnitOfWork(engine) as uow:
        types = {t.id: t for t in catalog.list_types(uow.connection)}
        settings = account_settings.load(uow.connection)
    names = {t.name: t.id for t in types.values() if t.channel is Channel.EMAIL}
    plan = plan_columns(header(spec.path, fmt), parse_map(spec.mapping), names)
    for column, type_id in plan.statuses.items():
        type_ = types.get(type_id)
        if type_ is None or type_.channel is not Channel.EMAIL:
            what = "does not exist" if type_ is None else f"is a {type_.channel.value} type"
            raise InvalidInput(
                f"Column {column + 1} names subscription type {type_id}, which {what}:"
                " a contacts import sets email types (see `consentry types list`).",
                field="file",
            )
    check_legal_basis_columns(plan, settings.data_privacy_mode)
    rows = sum(1 for record in data_records(spec.path, fmt) if not is_blank(record.cells))
    return fmt, plan, rows


def _params(fmt: FileFormat, plan: ColumnPlan, spec: ContactImport, file: Path) -> dict[str, Any]:
    return {
        "file": str(file),
        "name": spec.path.name,
        "format": fmt.as_params(),
        "plan": {
            "email": plan.email,
            "properties": {str(k): v for k, v in plan.properties.items()},
            "statuses": {str(k): v for k, v in plan.statuses.items()},
            "occurredAt": plan.occurred_at,
            "legalBasis": plan.legal_basis,
            "explanation": plan.explanation,
        },
        "actor": {"kind": spec.actor.kind.value, "id": spec.actor.id},
    }


def submit_contact_import(
    engine: Engine, config: Config, spec: ContactImport, *, worker_id: str | None = None
) -> Job:
    fmt, plan, rows = plan_import(engine, spec)
    params = _params(fmt, plan, spec, keep_copy(config, spec.path))
    return jobs.submit(engine, KIND, params, str(spec.actor), total=rows, worker_id=worker_id)


@dataclass(frozen=True)
class DryRun:
    total: int
    summary: dict[str, int]
    result_path: str


def dry_run_contact_import(
    engine: Engine,
    config: Config,
    spec: ContactImport,
    on_progress: Callable[[int, int | None], None] | None = None,
) -> DryRun:
    """Every row answered as the import would answer it, chunk by chunk, all rolled back.
    Each chunk is judged against the database as it stands, not against earlier chunks."""
    fmt, plan, rows = plan_import(engine, spec)
    work = ContactWork(engine, 0, _params(fmt, plan, spec, spec.path), 0, dry_run=True)
    summary: dict[str, int] = {}
    done = 0
    path = config.jobs_dir.resolve() / f"dry-run-{utcnow():%Y%m%dT%H%M%S%f}.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)

        def keep(_: Connection, answer: ChunkAnswer) -> None:
            writer.writerows(answer.lines)
            for key, value in answer.counts.items():
                summary[key] = summary.get(key, 0) + value

        while (chunk := work.next_chunk()) is not None:
            work.apply(chunk, keep)
            done += chunk.rows
            if on_progress is not None:
                on_progress(done, rows)
    work.close()
    return DryRun(rows, summary, str(path))


def _open(engine: Engine, _: Config, row: JobRow) -> ContactWork:
    return ContactWork(engine, row.id, row.params, row.cursor)


KINDS[KIND] = _open
