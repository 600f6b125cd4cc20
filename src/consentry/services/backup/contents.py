"""What a backup holds, as checked: its schema revision, what it counts and its ledger head,
read after the ledger's hash chain has been walked. Both dialects' backups answer with it."""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, func, select

from consentry.domain import InvalidInput
from consentry.services.history import verify_ledger
from consentry.storage import ledger, migrate
from consentry.storage.tables import ledger as ledger_table
from consentry.storage.tables import subscribers

# (done, total) pages copied so far.
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Contents:
    """What a database file holds, as checked."""

    path: Path
    revision: str
    subscribers: int
    ledger_entries: int
    head_id: int
    head_hash: str
    size_bytes: int
    chain_verified: bool  # False only for an older schema: verified after `db upgrade`

    @property
    def needs_upgrade(self) -> bool:
        return self.revision != migrate.head_revision()


def checked_contents(engine: Engine, path: Path, revision: str, failing: str) -> Contents:
    """The contents of the database `engine` opens (a backup, or what was restored from
    `path`), its ledger chain verified first when its schema is current. `failing` names it in
    the refusal when the chain is broken."""
    current = revision == migrate.head_revision()
    if current:
        verification = verify_ledger(engine)
        if not verification.ok:
            raise InvalidInput(
                f"{failing} fails ledger verification at entry"
                f" {verification.first_broken_id}: {verification.problem}"
            )
    with engine.connect() as connection:
        head_id, head_hash = ledger.head(connection)
        count = select(func.count()).select_from
        return Contents(
            path=path,
            revision=revision,
            subscribers=connection.execute(count(subscribers)).scalar_one(),
            ledger_entries=connection.execute(count(ledger_table)).scalar_one(),
            head_id=head_id,
            head_hash=head_hash,
            size_bytes=path.stat().st_size,
            chain_verified=current,
        )
