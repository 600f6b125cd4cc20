"""Use cases for API tokens: create (shown once), list, revoke, and authenticate a request."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from consentry.domain import Conflict, InvalidInput, NotFound, Scope, parse_scopes
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import tokens

TOKEN_PREFIX = "cst_"


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    prefix: str
    scopes: frozenset[Scope]
    created_at: datetime
    revoked_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _token(row: tokens.TokenRow) -> ApiToken:
    return ApiToken(
        row.id,
        row.name,
        row.token_prefix,
        frozenset(Scope(s) for s in row.scopes),
        row.created_at,
        row.revoked_at,
    )


def create_token(engine: Engine, name: str, scope_names: list[str]) -> tuple[ApiToken, str]:
    """A new token and its plain text, which is shown this once and never stored."""
    name = name.strip()
    if not name:
        raise InvalidInput("A token needs a name.", field="name")
    scopes = parse_scopes(scope_names)
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with UnitOfWork(engine, write=True) as uow:
        if tokens.by_name(uow.connection, name) is not None:
            raise Conflict(f"A token named {name!r} already exists.", field="name")
        token_id = tokens.insert(
            uow.connection, name, _hash(plain), plain[:10], [s.value for s in scopes], utcnow()
        )
        row = tokens.by_name(uow.connection, name)
        uow.commit()
    assert row is not None and row.id == token_id
    return _token(row), plain


def list_tokens(engine: Engine) -> list[ApiToken]:
    with UnitOfWork(engine) as uow:
        return [_token(row) for row in tokens.all_tokens(uow.connection)]


def revoke_token(engine: Engine, name: str) -> ApiToken:
    with UnitOfWork(engine, write=True) as uow:
        row = tokens.by_name(uow.connection, name)
        if row is None:
            raise NotFound(f"No token named {name!r}.", field="name")
        if row.revoked_at is None:
            tokens.revoke(uow.connection, row.id, utcnow())
        revoked = tokens.by_name(uow.connection, name)
        uow.commit()
    assert revoked is not None
    return _token(revoked)


def authenticate(engine: Engine, plain: str) -> ApiToken | None:
    """The active token with this text, or None: unknown and revoked tokens look the same."""
    if not plain.startswith(TOKEN_PREFIX):
        return None
    with engine.connect() as connection:
        row = tokens.by_hash(connection, _hash(plain))
    if row is None or row.revoked_at is not None:
        return None
    return _token(row)
