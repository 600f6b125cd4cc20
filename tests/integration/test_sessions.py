"""Signing in and out: sessions and their CSRF tokens, disabled users, and throttling of failed
attempts per email and client address (SQLite and PostgreSQL)."""

import pytest
from sqlalchemy import Engine

from consentry.domain.throttle import MAX_FAILURES
from consentry.services import sessions, users

PASSWORD = "long enough pw"


@pytest.fixture
def marketer(engine: Engine) -> users.User:
    return users.create_user(engine, "m@x.com", PASSWORD, "marketer")


def test_sign_in_opens_a_session_with_its_own_csrf_token(
    engine: Engine, marketer: users.User
) -> None:
    token, session = sessions.sign_in(engine, "M@x.com", PASSWORD, "10.0.0.1")
    again = sessions.session_for(engine, token)
    assert again is not None
    assert again.user.email == "m@x.com"
    assert again.csrf_token == session.csrf_token
    other_token, other = sessions.sign_in(engine, "m@x.com", PASSWORD, "10.0.0.1")
    assert other.csrf_token != session.csrf_token and other_token != token
    assert users.list_users(engine)[0].last_sign_in_at is not None


def test_sign_out_ends_the_session(engine: Engine, marketer: users.User) -> None:
    token, _ = sessions.sign_in(engine, "m@x.com", PASSWORD, "10.0.0.1")
    sessions.sign_out(engine, token)
    assert sessions.session_for(engine, token) is None
    assert sessions.session_for(engine, "made-up") is None


@pytest.mark.parametrize(
    ("email", "password"), [("m@x.com", "wrong password"), ("no@x.com", PASSWORD)]
)
def test_a_wrong_email_or_password_is_refused_alike(
    engine: Engine, marketer: users.User, email: str, password: str
) -> None:
    with pytest.raises(sessions.SignInRefused) as caught:
        sessions.sign_in(engine, email, password, "10.0.0.1")
    assert caught.value.message == "That email and password do not match an active user."
    assert not caught.value.throttled


def test_disabling_a_user_ends_their_sessions(engine: Engine, marketer: users.User) -> None:
    users.create_user(engine, "boss@x.com", PASSWORD, "admin")
    token, _ = sessions.sign_in(engine, "m@x.com", PASSWORD, "10.0.0.1")
    users.set_disabled(engine, "m@x.com", True)
    assert sessions.session_for(engine, token) is None
    with pytest.raises(sessions.SignInRefused):
        sessions.sign_in(engine, "m@x.com", PASSWORD, "10.0.0.1")


def test_too_many_failures_throttle_that_email_from_that_address(
    engine: Engine, marketer: users.User
) -> None:
    for _ in range(MAX_FAILURES):
        with pytest.raises(sessions.SignInRefused):
            sessions.sign_in(engine, "m@x.com", "wrong password", "10.0.0.1")
    with pytest.raises(sessions.SignInRefused) as caught:
        sessions.sign_in(engine, "m@x.com", PASSWORD, "10.0.0.1")  # even the right password
    assert caught.value.throttled
    assert caught.value.retry_after > 0
    assert "Too many failed sign-in attempts" in caught.value.message
    # Another address is not locked out, and a success there clears nothing here.
    sessions.sign_in(engine, "m@x.com", PASSWORD, "10.0.0.2")
    with pytest.raises(sessions.SignInRefused):
        sessions.sign_in(engine, "m@x.com", PASSWORD, "10.0.0.1")


def test_a_success_forgets_earlier_failures(engine: Engine, marketer: users.User) -> None:
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(sessions.SignInRefused):
            sessions.sign_in(engine, "m@x.com", "wrong password", "10.0.0.1")
    sessions.sign_in(engine, "m@x.com", PASSWORD, "10.0.0.1")
    for _ in range(MAX_FAILURES - 1):
        with pytest.raises(sessions.SignInRefused):
            sessions.sign_in(engine, "m@x.com", "wrong password", "10.0.0.1")
    sessions.sign_in(engine, "m@x.com", PASSWORD, "10.0.0.1")
