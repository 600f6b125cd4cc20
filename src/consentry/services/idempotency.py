"""Use case: answer a repeated write (same Idempotency-Key from the same token) with the answer
already given, without doing the write again.

A key is claimed before the write runs and completed with the answer after. A claim whose
first attempt failed on our side (5xx) is released so the client may retry. If the process dies
between the write and storing its answer, the claim stays pending; after `ABANDONED_AFTER` it
is taken over (the rerun then meets the stored statuses and changes nothing).
"""

import hashlib
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from sqlalchemy import Engine

from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import idempotency
from consentry.storage.idempotency import PENDING

KEPT_FOR = timedelta(hours=24)
ABANDONED_AFTER = timedelta(minutes=5)
MAX_KEY_LENGTH = 200


class Verdict(Enum):
    PROCEED = "proceed"  # the key is ours now: run the request, then `complete` or `release`
    REPLAY = "replay"  # answer with the stored response
    IN_PROGRESS = "in_progress"  # another request with this key has not finished
    MISMATCH = "mismatch"  # the key was used for a different request


@dataclass(frozen=True)
class Claim:
    verdict: Verdict
    status_code: int = 0
    body: str = ""


def request_hash(method: str, path: str, query: str, body: bytes) -> str:
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode(), body):
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()


def claim(
    engine: Engine, token_id: int, key: str, method: str, path: str, fingerprint: str
) -> Claim:
    now = utcnow()
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        connection = uow.connection
        stored = idempotency.find(connection, token_id, key)
        if stored is not None and now - stored.created_at > KEPT_FOR:
            idempotency.release(connection, token_id, key)
            uow.commit()
            return claim(engine, token_id, key, method, path, fingerprint)
        if stored is not None and stored.request_hash != fingerprint:
            return Claim(Verdict.MISMATCH)
        if stored is not None and stored.status_code != PENDING:
            return Claim(Verdict.REPLAY, stored.status_code, stored.response_body)
        if stored is not None and now - stored.created_at <= ABANDONED_AFTER:
            return Claim(Verdict.IN_PROGRESS)
        if stored is not None:
            idempotency.release(connection, token_id, key)
        if not idempotency.claim(connection, token_id, key, method, path, fingerprint, now):
            return Claim(Verdict.IN_PROGRESS)
        uow.commit()
    return Claim(Verdict.PROCEED)


def complete(engine: Engine, token_id: int, key: str, status_code: int, body: str) -> None:
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        idempotency.complete(uow.connection, token_id, key, status_code, body)
        uow.commit()


def release(engine: Engine, token_id: int, key: str) -> None:
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        idempotency.release(uow.connection, token_id, key)
        uow.commit()


def purge_expired(engine: Engine) -> int:
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        purged = idempotency.purge_before(uow.connection, utcnow() - KEPT_FOR)
        uow.commit()
    return purged
