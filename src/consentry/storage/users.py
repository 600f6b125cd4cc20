"""Admin users, their sessions and failed sign-in attempts. Never commits."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, select, update

from consentry.storage.admin_tables import admin_sessions, admin_users, sign_in_failures


@dataclass(frozen=True)
class UserRow:
    id: int
    email: str
    password_hash: str
    role: str
    created_at: datetime
    disabled_at: datetime | None
    last_sign_in_at: datetime | None


@dataclass(frozen=True)
class SessionRow:
    token_hash: str
    user_id: int
    csrf_token: str
    created_at: datetime
    expires_at: datetime


def _user(row: object) -> UserRow:
    m = row._mapping  # type: ignore[attr-defined]
    return UserRow(**{name: m[name] for name in UserRow.__dataclass_fields__})


def insert_user(
    connection: Connection, email: str, password_hash: str, role: str, now: datetime
) -> int:
    result = connection.execute(
        admin_users.insert()
        .values(email=email, password_hash=password_hash, role=role, created_at=now)
        .returning(admin_users.c.id)
    )
    return int(result.scalar_one())


def user_by_email(connection: Connection, email: str) -> UserRow | None:
    row = connection.execute(select(admin_users).where(admin_users.c.email == email)).first()
    return _user(row) if row else None


def user_by_id(connection: Connection, user_id: int) -> UserRow | None:
    row = connection.execute(select(admin_users).where(admin_users.c.id == user_id)).first()
    return _user(row) if row else None


def all_users(connection: Connection) -> list[UserRow]:
    return [_user(r) for r in connection.execute(select(admin_users).order_by(admin_users.c.id))]


def count_users(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(admin_users)).scalar_one())


def update_user(connection: Connection, user_id: int, **values: object) -> None:
    connection.execute(update(admin_users).where(admin_users.c.id == user_id).values(**values))


def insert_session(connection: Connection, session: SessionRow) -> None:
    connection.execute(admin_sessions.insert().values(**session.__dict__))


def session_by_hash(connection: Connection, token_hash: str) -> SessionRow | None:
    row = connection.execute(
        select(admin_sessions).where(admin_sessions.c.token_hash == token_hash)
    ).first()
    if row is None:
        return None
    m = row._mapping
    return SessionRow(**{name: m[name] for name in SessionRow.__dataclass_fields__})


def delete_session(connection: Connection, token_hash: str) -> None:
    connection.execute(delete(admin_sessions).where(admin_sessions.c.token_hash == token_hash))


def delete_sessions_of(connection: Connection, user_id: int) -> None:
    connection.execute(delete(admin_sessions).where(admin_sessions.c.user_id == user_id))


def delete_expired_sessions(connection: Connection, now: datetime) -> None:
    connection.execute(delete(admin_sessions).where(admin_sessions.c.expires_at < now))


def record_failure(connection: Connection, email: str, ip: str, now: datetime) -> None:
    connection.execute(sign_in_failures.insert().values(email=email, ip=ip, failed_at=now))


def failures(connection: Connection, email: str, ip: str, since: datetime) -> list[datetime]:
    query = select(sign_in_failures.c.failed_at).where(
        sign_in_failures.c.email == email,
        sign_in_failures.c.ip == ip,
        sign_in_failures.c.failed_at >= since,
    )
    return [row[0] for row in connection.execute(query)]


def clear_failures(connection: Connection, email: str, ip: str) -> None:
    connection.execute(
        delete(sign_in_failures).where(
            sign_in_failures.c.email == email, sign_in_failures.c.ip == ip
        )
    )


def delete_failures_before(connection: Connection, before: datetime) -> None:
    connection.execute(delete(sign_in_failures).where(sign_in_failures.c.failed_at < before))
