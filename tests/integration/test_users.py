"""Admin users: argon2-hashed passwords, roles, disabling, and the first admin of an empty
database (SQLite and PostgreSQL)."""

import pytest
from sqlalchemy import Engine, text

from consentry.domain import Conflict, InvalidInput, NotFound
from consentry.domain.roles import Role
from consentry.services import users


def test_a_user_is_stored_with_an_argon2_hash_never_the_password(engine: Engine) -> None:
    user = users.create_user(engine, " Ann@Example.COM ", "correct horse battery", "marketer")
    assert (user.email, user.role, user.active) == ("ann@example.com", Role.MARKETER, True)
    with engine.connect() as connection:
        (stored,) = connection.execute(text("SELECT password_hash FROM admin_users")).one()
    assert stored.startswith("$argon2id$")
    assert "correct horse" not in stored
    assert users.password_matches(stored, "correct horse battery")
    assert not users.password_matches(stored, "correct horse battery!")


@pytest.mark.parametrize(
    ("email", "password", "role", "field"),
    [
        ("not-an-email", "long enough pw", "admin", "email"),
        ("a@x.com", "short", "admin", "password"),
        ("a@x.com", "long enough pw", "owner", "role"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    engine: Engine, email: str, password: str, role: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        users.create_user(engine, email, password, role)
    assert caught.value.field == field
    assert users.list_users(engine) == []


def test_an_email_is_taken_once(engine: Engine) -> None:
    users.create_user(engine, "a@x.com", "long enough pw", "viewer")
    with pytest.raises(Conflict):
        users.create_user(engine, "A@x.com", "another long pw", "admin")


def test_disable_and_enable(engine: Engine) -> None:
    users.create_user(engine, "boss@x.com", "long enough pw", "admin")
    users.create_user(engine, "m@x.com", "long enough pw", "marketer")
    assert not users.set_disabled(engine, "m@x.com", True).active
    assert users.set_disabled(engine, "m@x.com", False).active
    with pytest.raises(NotFound):
        users.set_disabled(engine, "nobody@x.com", True)


def test_the_last_active_admin_cannot_be_disabled(engine: Engine) -> None:
    users.create_user(engine, "boss@x.com", "long enough pw", "admin")
    with pytest.raises(InvalidInput, match="last active admin"):
        users.set_disabled(engine, "boss@x.com", True)
    users.create_user(engine, "second@x.com", "long enough pw", "admin")
    assert not users.set_disabled(engine, "boss@x.com", True).active


def test_the_first_admin_is_created_once(engine: Engine) -> None:
    created = users.ensure_first_admin(engine)
    assert created is not None
    email, password = created
    (admin,) = users.list_users(engine)
    assert (admin.email, admin.role) == (email, Role.ADMIN)
    assert len(password) >= users.MIN_PASSWORD_LENGTH
    assert users.ensure_first_admin(engine) is None
    assert len(users.list_users(engine)) == 1
