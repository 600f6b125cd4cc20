"""Consent notices: the exact text a contact was shown, stored once by its SHA-256."""

import hashlib
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, select

from consentry.storage.tables import consent_notices
from consentry.storage.upsert import insert_ignoring_conflicts


def remember(connection: Connection, text: str, now: datetime) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()
    insert_ignoring_conflicts(
        connection, consent_notices, [{"hash": digest, "text": text, "created_at": now}]
    )
    return digest


def texts(connection: Connection, hashes: Iterable[str]) -> dict[str, str]:
    """The texts of the given notices, by hash."""
    wanted = sorted(set(hashes))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            select(consent_notices.c.hash, consent_notices.c.text).where(
                consent_notices.c.hash.in_(wanted[start : start + 500])
            )
        )
        found.update((row.hash, row.text) for row in rows)
    return found
