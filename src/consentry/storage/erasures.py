"""The erasure key and the erased addresses it hashes (domain.erasure)."""

import secrets
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Connection, func, select, tuple_

from consentry.domain import Channel
from consentry.storage.erasure_tables import erased_addresses
from consentry.storage.tables import account_settings
from consentry.storage.upsert import insert_ignoring_conflicts

# Kept beside the account settings (and so in every backup) but not one of them: no settings
# page or API shows it. Made at the first erasure; before that nothing is erased to match.
_KEY = "erasure_key"
_CHUNK = 500


def key(connection: Connection) -> bytes | None:
    value = connection.execute(
        select(account_settings.c.value).where(account_settings.c.key == _KEY)
    ).scalar()
    return bytes.fromhex(value) if value else None


def ensure_key(connection: Connection, now: datetime) -> bytes:
    """The account's erasure key, made now if there is none (in the caller's transaction)."""
    insert_ignoring_conflicts(
        connection,
        account_settings,
        [{"key": _KEY, "value": secrets.token_hex(32), "updated_at": now}],
    )
    found = key(connection)
    assert found is not None
    return found


def remembered(connection: Connection, hashes: Iterable[tuple[Channel, str]]) -> set[str]:
    """Which of these (channel, address hash) pairs are erased addresses."""
    pairs = sorted({(channel.value, digest) for channel, digest in hashes})
    found: set[str] = set()
    for start in range(0, len(pairs), _CHUNK):
        rows = connection.execute(
            select(erased_addresses.c.address_hash).where(
                tuple_(erased_addresses.c.channel, erased_addresses.c.address_hash).in_(
                    pairs[start : start + _CHUNK]
                )
            )
        )
        found.update(row.address_hash for row in rows)
    return found


def remember(
    connection: Connection, rows: Iterable[tuple[Channel, str, int]], now: datetime
) -> None:
    """Keep (channel, address hash, ledger entry) as erased; an address erased twice keeps its
    first erasure."""
    insert_ignoring_conflicts(
        connection,
        erased_addresses,
        [
            {"channel": channel.value, "address_hash": digest, "erased_at": now, "ledger_id": id_}
            for channel, digest, id_ in rows
        ],
    )


def count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(erased_addresses)).scalar_one())
