"""Use cases for signing in and out of the admin app: sessions, their CSRF tokens, and
throttling of failed attempts (per email and client address; `domain.throttle` decides)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from consentry.domain import throttle
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.users import User, password_matches, user_of
from consentry.services.writing import utcnow
from consentry.storage import users
from consentry.storage.users import SessionRow

SESSION_LIFETIME = timedelta(hours=12)
# Verified against when the email is unknown, so a wrong email takes as long as a wrong password.
_DUMMY_HASH = (
    "$argon2id$v=19$m=65536,t=3,p=4$QVzZOnJnRI+6KhBxY57ALw$"
    "Xe8G/uLTO+nYe2VgoGiS3R+9RITjUkUj+TLcmfbIg7s"
)


class SignInRefused(Exception):
    def __init__(self, message: str, *, throttled: bool = False, retry_after: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.throttled = throttled
        self.retry_after = retry_after


@dataclass(frozen=True)
class Session:
    user: User
    csrf_token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sign_in(engine: Engine, email: str, password: str, ip: str) -> tuple[str, Session]:
    """A new session's cookie token and the session; SignInRefused with the reason otherwise."""
    email = email.strip().lower()
    now = utcnow()
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        recent = users.failures(uow.connection, email, ip, now - throttle.WINDOW)
        verdict = throttle.check(recent, now)
        if not verdict.allowed:
            raise SignInRefused(
                verdict.message, throttled=True, retry_after=verdict.retry_after_seconds
            )
        row = users.user_by_email(uow.connection, email)
        matches = password_matches(row.password_hash if row else _DUMMY_HASH, password)
        if row is None or not matches or row.disabled_at is not None:
            users.record_failure(uow.connection, email, ip, now)
            # Failures older than the window no longer count: keep the table small.
            users.delete_failures_before(uow.connection, now - throttle.WINDOW)
            uow.commit()
            raise SignInRefused("That email and password do not match an active user.")
        users.clear_failures(uow.connection, email, ip)
        users.delete_expired_sessions(uow.connection, now)
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        users.insert_session(
            uow.connection, SessionRow(_hash(token), row.id, csrf, now, now + SESSION_LIFETIME)
        )
        users.update_user(uow.connection, row.id, last_sign_in_at=now)
        uow.commit()
    return token, Session(user_of(row), csrf)


def session_for(engine: Engine, token: str) -> Session | None:
    """The live session of a cookie token, or None (unknown, expired, or the user disabled)."""
    if not token:
        return None
    with engine.connect() as connection:
        found = users.session_by_hash(connection, _hash(token))
        if found is None or found.expires_at <= utcnow():
            return None
        row = users.user_by_id(connection, found.user_id)
    if row is None or row.disabled_at is not None:
        return None
    return Session(user_of(row), found.csrf_token)


def sign_out(engine: Engine, token: str) -> None:
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        users.delete_session(uow.connection, _hash(token))
        uow.commit()
