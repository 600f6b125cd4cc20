"""Tables of the admin app: users, their sessions, and failed sign-in attempts (issue 4).

Declared on the one `metadata` of `storage.tables`; `storage.schema` gathers every module.
"""

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from consentry.domain.roles import Role
from consentry.storage.tables import metadata, one_of
from consentry.storage.types import UTCDateTime

admin_users = Table(
    "admin_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False, unique=True),  # lower-cased
    Column("password_hash", String(200), nullable=False),  # argon2id
    Column("role", String(16), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("disabled_at", UTCDateTime),
    Column("last_sign_in_at", UTCDateTime),
    one_of("role", Role),
)

admin_sessions = Table(
    "admin_sessions",
    metadata,
    # SHA-256 of the cookie's random token: a stolen table cannot be replayed as cookies.
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("admin_users.id"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("expires_at", UTCDateTime, nullable=False),
    Index(None, "user_id"),
)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),
    Column("ip", String(64), nullable=False),
    Column("failed_at", UTCDateTime, nullable=False),
    Index(None, "email", "ip", "failed_at"),
)

__all__ = ["admin_sessions", "admin_users", "metadata", "sign_in_failures"]
