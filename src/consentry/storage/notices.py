"""Consent notices: the exact text a contact was shown, stored once by its SHA-256."""

import hashlib
from datetime import datetime

from sqlalchemy import Connection

from consentry.storage.tables import consent_notices
from consentry.storage.upsert import insert_ignoring_conflicts


def remember(connection: Connection, text: str, now: datetime) -> str:
    digest = hashlib.sha256(text.encode()).hexdigest()
    insert_ignoring_conflicts(
        connection, consent_notices, [{"hash": digest, "text": text, "created_at": now}]
    )
    return digest
