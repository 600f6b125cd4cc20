"""Use cases for admin users: create (argon2-hashed password), list, disable, and the first
admin of an empty database."""

import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine

from consentry.domain import Conflict, InvalidInput, NotFound
from consentry.domain.roles import Role, parse_role
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import users
from consentry.storage.users import UserRow

MIN_PASSWORD_LENGTH = 10
FIRST_ADMIN_EMAIL = "admin@example.com"
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: Role
    created_at: datetime
    disabled_at: datetime | None = None
    last_sign_in_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.disabled_at is None


def user_of(row: UserRow) -> User:
    return User(
        row.id, row.email, Role(row.role), row.created_at, row.disabled_at, row.last_sign_in_at
    )


def clean_email(raw: str) -> str:
    email = raw.strip().lower()
    local, at, domain = email.partition("@")
    if not (local and at and domain) or any(c.isspace() for c in email) or len(email) > 320:
        raise InvalidInput(f"{raw.strip()[:80]!r} is not an email address.", field="email")
    return email


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"A password needs at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    return password


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def create_user(engine: Engine, email: str, password: str, role: Role | str) -> User:
    email = clean_email(email)
    role = role if isinstance(role, Role) else parse_role(role)
    password_hash = hash_password(check_password(password))
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        if users.user_by_email(uow.connection, email) is not None:
            raise Conflict(f"A user {email!r} already exists.", field="email")
        user_id = users.insert_user(uow.connection, email, password_hash, role.value, utcnow())
        row = users.user_by_id(uow.connection, user_id)
        uow.commit()
    assert row is not None
    return user_of(row)


def list_users(engine: Engine) -> list[User]:
    with UnitOfWork(engine) as uow:
        return [user_of(row) for row in users.all_users(uow.connection)]


def get_user(engine: Engine, user_id: int) -> User:
    with UnitOfWork(engine) as uow:
        row = users.user_by_id(uow.connection, user_id)
    if row is None:
        raise NotFound(f"User {user_id} does not exist.", field="user")
    return user_of(row)


def set_disabled(engine: Engine, email: str, disabled: bool) -> User:
    """Disable a user (their sessions end at once) or enable them again."""
    email = clean_email(email)
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        row = users.user_by_email(uow.connection, email)
        if row is None:
            raise NotFound(f"No user {email!r}.", field="email")
        if disabled and row.disabled_at is None:
            _keep_one_admin(uow, row)
            users.update_user(uow.connection, row.id, disabled_at=utcnow())
            users.delete_sessions_of(uow.connection, row.id)
        elif not disabled:
            users.update_user(uow.connection, row.id, disabled_at=None)
        changed = users.user_by_id(uow.connection, row.id)
        uow.commit()
    assert changed is not None
    return user_of(changed)


def _keep_one_admin(uow: UnitOfWork, row: UserRow) -> None:
    if row.role != Role.ADMIN.value:
        return
    active_admins = [
        u
        for u in users.all_users(uow.connection)
        if u.role == Role.ADMIN.value and u.disabled_at is None
    ]
    if len(active_admins) <= 1:
        raise InvalidInput("The last active admin cannot be disabled.", field="email")


def ensure_first_admin(engine: Engine) -> tuple[str, str] | None:
    """On a database without users, create an admin with a random password and answer its
    email and password (to be shown once); with users already, answer None."""
    with UnitOfWork(engine) as uow:
        if users.count_users(uow.connection):
            return None
    password = secrets.token_urlsafe(15)
    try:
        create_user(engine, FIRST_ADMIN_EMAIL, password, Role.ADMIN)
    except Conflict:  # another process made it first
        return None
    return FIRST_ADMIN_EMAIL, password
