"""What `/metrics` reads from the database at scrape time: queue depths and ledger totals.

These numbers are the same whichever process serves the scrape (several `serve` workers, the
separate `consentry worker` processes all write to one database), so they are counted in the
database, never in a process's memory. Each query is cheap on a large database:

- jobs, mail and webhook deliveries by state: counts over the (state, …) indexes;
- ledger entries by source and outcome: the ledger is append-only and its ids are gapless in
  commit order (writers hold the head lock), so a `LedgerTally` counts only the entries above
  the last id it saw. The first scrape of a process reads the whole ledger once (a second or
  so at ten million entries); every later one reads just the entries written since.
"""

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import Engine

from consentry.domain.mail import MailState
from consentry.services import webhooks
from consentry.storage import monitoring
from consentry.storage.job_tables import JobStateValue, jobs
from consentry.storage.mail_tables import mail_outbox

QUEUE_JOB_STATES = (JobStateValue.QUEUED, JobStateValue.RUNNING)
OUTBOX_MAIL_STATES = (MailState.PENDING, MailState.FAILED)


@dataclass(frozen=True)
class WebhookOutbox:
    """Deliveries waiting to be made, and attempts that failed (a running total)."""

    pending: int
    failed_attempts: int


@dataclass(frozen=True)
class Gauges:
    jobs: Mapping[str, int]  # QUEUED / RUNNING -> jobs
    mail: Mapping[str, int]  # PENDING / FAILED -> mails
    ledger: Mapping[tuple[str, str], int]  # (source, outcome) -> entries, ever
    webhooks: WebhookOutbox


@dataclass
class LedgerTally:
    """Entries by (source, outcome), kept up to date by counting only the new ones."""

    counts: dict[tuple[str, str], int] = field(default_factory=dict)
    last_id: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, engine: Engine) -> dict[tuple[str, str], int]:
        with self._lock, engine.connect() as connection:
            newest = monitoring.last_ledger_id(connection)
            if newest < self.last_id:  # the database was replaced (a restore): start over
                self.counts, self.last_id = {}, 0
            for key, count in monitoring.ledger_counts(connection, self.last_id, newest).items():
                self.counts[key] = self.counts.get(key, 0) + count
            self.last_id = newest
            return dict(self.counts)


def _webhook_outbox(engine: Engine) -> WebhookOutbox:
    stats = webhooks.outbox_stats(engine)
    return WebhookOutbox(
        pending=stats["pending_deliveries"], failed_attempts=stats["failed_attempts"]
    )


def gauges(engine: Engine, tally: LedgerTally) -> Gauges:
    """Every number `/metrics` takes from the database, read now."""
    with engine.connect() as connection:
        job_counts = monitoring.count_by_state(connection, jobs, QUEUE_JOB_STATES)
        mail_counts = monitoring.count_by_state(connection, mail_outbox, OUTBOX_MAIL_STATES)
    return Gauges(
        jobs=job_counts,
        mail=mail_counts,
        ledger=tally.read(engine),
        webhooks=_webhook_outbox(engine),
    )
