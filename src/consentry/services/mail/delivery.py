"""The outbox pump: claim due mails, compose and send each, mark it sent or retry it later.

A claim is a lease committed before sending, so a slow SMTP server never holds a database
lock, and a worker that dies mid-send leaves its mails to another worker once the lease ends
(a mail may then go twice, never zero times).
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from consentry.config import Config
from consentry.domain.mail import retry_at
from consentry.services.mail.compose import compose
from consentry.services.mail.mailer import Mailer, make_mailer
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import outbox

log = logging.getLogger("consentry.mail")
LEASE = timedelta(minutes=5)


def deliver_due(
    engine: Engine,
    config: Config,
    *,
    mailer: Mailer | None = None,
    limit: int = 20,
    now: datetime | None = None,
) -> int:
    """Send up to `limit` due mails; answers how many were tried (sent or failed)."""
    moment = now or utcnow()
    with UnitOfWork(engine) as uow:
        if not outbox.any_due(uow.connection, moment):
            return 0
    mailer = mailer or make_mailer(config)
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        claimed = outbox.claim(uow.connection, moment, LEASE, limit)
        uow.commit()
    for mail in claimed:
        try:
            with UnitOfWork(engine) as uow:
                message = compose(uow.connection, config, mail, utcnow())
            mailer.send(message)
        except Exception as error:  # any failure: keep the mail, try again later
            log.warning("mail %s to %s not sent: %s", mail.id, mail.recipient, error)
            attempts = mail.attempts + 1
            with UnitOfWork(engine, write=True, ledger=False) as uow:
                outbox.mark_failed(
                    uow.connection, mail.id, attempts, str(error), retry_at(attempts, utcnow())
                )
                uow.commit()
            continue
        with UnitOfWork(engine, write=True, ledger=False) as uow:
            outbox.mark_sent(uow.connection, mail.id, utcnow())
            uow.commit()
    return len(claimed)


def make_pump(engine: Engine, config: Config) -> Callable[[], int]:
    """The worker's mail pump. The mailer is made on each round, so a bad CONSENTRY_SMTP_URL is
    logged by the worker (and the mail kept) instead of stopping it at start-up."""
    return lambda: deliver_due(engine, config)
