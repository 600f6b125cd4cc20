"""API tokens: stored by hash, with their scopes."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from consentry.storage.tables import api_tokens


@dataclass(frozen=True)
class TokenRow:
    id: int
    name: str
    token_prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    revoked_at: datetime | None


def _row(row: object) -> TokenRow:
    m = row._mapping  # type: ignore[attr-defined]
    return TokenRow(
        m["id"],
        m["name"],
        m["token_prefix"],
        tuple(m["scopes"].split()),
        m["created_at"],
        m["revoked_at"],
    )


def insert(
    connection: Connection,
    name: str,
    token_hash: str,
    prefix: str,
    scopes: list[str],
    now: datetime,
) -> int:
    result = connection.execute(
        api_tokens.insert()
        .values(
            name=name,
            token_hash=token_hash,
            token_prefix=prefix,
            scopes=" ".join(sorted(scopes)),
            created_at=now,
        )
        .returning(api_tokens.c.id)
    )
    return int(result.scalar_one())


def by_hash(connection: Connection, token_hash: str) -> TokenRow | None:
    row = connection.execute(
        select(api_tokens).where(api_tokens.c.token_hash == token_hash)
    ).first()
    return _row(row) if row else None


def by_name(connection: Connection, name: str) -> TokenRow | None:
    row = connection.execute(select(api_tokens).where(api_tokens.c.name == name)).first()
    return _row(row) if row else None


def all_tokens(connection: Connection) -> list[TokenRow]:
    return [_row(row) for row in connection.execute(select(api_tokens).order_by(api_tokens.c.id))]


def revoke(connection: Connection, token_id: int, now: datetime) -> None:
    connection.execute(update(api_tokens).where(api_tokens.c.id == token_id).values(revoked_at=now))
