"""The mail outbox: queue a mail, claim due ones under a lease, mark them sent or failed."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, insert, or_, select, update

from consentry.domain.mail import MailKind, MailState
from consentry.storage.mail_tables import mail_outbox


@dataclass(frozen=True)
class QueuedMail:
    id: int
    kind: MailKind
    recipient: str
    subscriber_id: int
    business_unit_id: int
    subscription_type_id: int | None
    language: str | None
    attempts: int
    state: MailState = MailState.PENDING


def enqueue(
    connection: Connection,
    kind: MailKind,
    recipient: str,
    subscriber_id: int,
    business_unit_id: int,
    now: datetime,
    *,
    subscription_type_id: int | None = None,
    language: str | None = None,
    requested_by: str | None = None,
) -> int:
    result = connection.execute(
        insert(mail_outbox).values(
            kind=kind.value,
            state=MailState.PENDING.value,
            recipient=recipient,
            subscriber_id=subscriber_id,
            business_unit_id=business_unit_id,
            subscription_type_id=subscription_type_id,
            language=language,
            requested_by=requested_by,
            created_at=now,
            attempts=0,
            next_attempt_at=now,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _mail(row: object) -> QueuedMail:
    return QueuedMail(
        id=row.id,  # type: ignore[attr-defined]
        kind=MailKind(row.kind),  # type: ignore[attr-defined]
        recipient=row.recipient,  # type: ignore[attr-defined]
        subscriber_id=row.subscriber_id,  # type: ignore[attr-defined]
        business_unit_id=row.business_unit_id,  # type: ignore[attr-defined]
        subscription_type_id=row.subscription_type_id,  # type: ignore[attr-defined]
        language=row.language,  # type: ignore[attr-defined]
        attempts=row.attempts,  # type: ignore[attr-defined]
        state=MailState(row.state),  # type: ignore[attr-defined]
    )


def _claimable(now: datetime) -> list[object]:
    table = mail_outbox
    return [
        table.c.state == MailState.PENDING.value,
        table.c.next_attempt_at <= now,
        or_(table.c.claimed_until.is_(None), table.c.claimed_until < now),
    ]


def queued_since(connection: Connection, subscriber_id: int, since: datetime) -> bool:
    """Whether any mail to this subscriber was queued at or after `since`."""
    table = mail_outbox
    found = connection.execute(
        select(table.c.id)
        .where(table.c.subscriber_id == subscriber_id, table.c.created_at >= since)
        .limit(1)
    ).first()
    return found is not None


def any_due(connection: Connection, now: datetime) -> bool:
    """Whether some mail is due (a cheap read, so an idle worker takes no write lock)."""
    table = mail_outbox
    found = connection.execute(
        select(table.c.id).where(*_claimable(now)).limit(1)  # type: ignore[arg-type]
    ).first()
    return found is not None


def claim(connection: Connection, now: datetime, lease: timedelta, limit: int) -> list[QueuedMail]:
    """Take up to `limit` due mails for this worker until `now + lease` (others skip them)."""
    table = mail_outbox
    rows = connection.execute(
        select(table)
        .where(*_claimable(now))  # type: ignore[arg-type]
        .order_by(table.c.next_attempt_at, table.c.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    claimed: list[QueuedMail] = []
    for row in rows:
        taken = connection.execute(
            update(table)
            .where(table.c.id == row.id, *_claimable(now))  # type: ignore[arg-type]
            .values(claimed_until=now + lease)
        )
        if taken.rowcount == 1:
            claimed.append(_mail(row))
    return claimed


def mark_sent(connection: Connection, mail_id: int, now: datetime) -> None:
    connection.execute(
        update(mail_outbox)
        .where(mail_outbox.c.id == mail_id)
        .values(
            state=MailState.SENT.value,
            sent_at=now,
            claimed_until=None,
            attempts=mail_outbox.c.attempts + 1,
        )
    )


def mark_failed(
    connection: Connection, mail_id: int, attempts: int, error: str, retry_at: datetime | None
) -> None:
    """Record a failed send: due again at `retry_at`, or given up (FAILED) when None."""
    values: dict[str, object] = {
        "attempts": attempts,
        "last_error": error[:2000],
        "claimed_until": None,
    }
    if retry_at is None:
        values["state"] = MailState.FAILED.value
    else:
        values["next_attempt_at"] = retry_at
    connection.execute(update(mail_outbox).where(mail_outbox.c.id == mail_id).values(**values))


def listing(connection: Connection, recipient: str | None = None) -> list[QueuedMail]:
    """Every queued mail (optionally to one recipient), oldest first."""
    query = select(mail_outbox).order_by(mail_outbox.c.id)
    if recipient is not None:
        query = query.where(mail_outbox.c.recipient == recipient)
    return [_mail(row) for row in connection.execute(query)]
