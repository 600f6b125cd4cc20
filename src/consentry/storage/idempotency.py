"""Idempotency keys: a claim per (token, key), then the answer that was given."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, select, update
from sqlalchemy.exc import IntegrityError

from consentry.storage.tables import idempotency_keys as keys

PENDING = 0  # status_code of a claim whose answer is not stored yet


@dataclass(frozen=True)
class Stored:
    request_hash: str
    status_code: int
    response_body: str
    created_at: datetime


def find(connection: Connection, token_id: int, key: str) -> Stored | None:
    row = connection.execute(
        select(keys).where(keys.c.token_id == token_id, keys.c.key == key)
    ).first()
    if row is None:
        return None
    return Stored(row.request_hash, row.status_code, row.response_body, row.created_at)


def claim(
    connection: Connection,
    token_id: int,
    key: str,
    method: str,
    path: str,
    request_hash: str,
    now: datetime,
) -> bool:
    """Insert a pending claim; False when another request holds the key already."""
    try:
        with connection.begin_nested():
            connection.execute(
                keys.insert().values(
                    token_id=token_id,
                    key=key,
                    method=method,
                    path=path[:500],
                    request_hash=request_hash,
                    status_code=PENDING,
                    response_body="",
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def complete(connection: Connection, token_id: int, key: str, status_code: int, body: str) -> None:
    connection.execute(
        update(keys)
        .where(keys.c.token_id == token_id, keys.c.key == key)
        .values(status_code=status_code, response_body=body)
    )


def release(connection: Connection, token_id: int, key: str) -> None:
    connection.execute(delete(keys).where(keys.c.token_id == token_id, keys.c.key == key))


def purge_before(connection: Connection, moment: datetime) -> int:
    return connection.execute(delete(keys).where(keys.c.created_at < moment)).rowcount
