"""Signed links: round trip, tamper-proof, key-bound, expiring, and opaque."""

from datetime import date, timedelta

import pytest

from consentry.domain import Channel
from consentry.domain.links import VALID_FOR, InvalidLink, LinkClaims, Purpose, open_token, seal

SECRET = "s" * 48
TODAY = date(2026, 11, 26)
CLAIMS = LinkClaims(Purpose.UNSUBSCRIBE_ONE, Channel.EMAIL, 123456, 2, 7, TODAY)


def test_round_trip() -> None:
    assert open_token(seal(CLAIMS, SECRET), SECRET, TODAY) == CLAIMS


@pytest.mark.parametrize(
    "claims",
    [
        LinkClaims(Purpose.MANAGE_PREFERENCES, Channel.SMS, 1, 0, None, TODAY),
        LinkClaims(Purpose.UNSUBSCRIBE_ALL, Channel.WHATSAPP, 2**40, 2**31 - 1, None, TODAY),
    ],
)
def test_every_purpose_and_channel_round_trips(claims: LinkClaims) -> None:
    assert open_token(seal(claims, SECRET), SECRET, TODAY) == claims


def test_token_is_short_and_reveals_no_id() -> None:
    token = seal(CLAIMS, SECRET)
    assert len(token) <= 56
    other = seal(LinkClaims(CLAIMS.purpose, CLAIMS.channel, 123457, 2, 7, TODAY), SECRET)
    # Neighbouring subscribers share no visible structure.
    assert sum(a == b for a, b in zip(token, other, strict=True)) < len(token) // 2


def test_every_changed_character_is_rejected() -> None:
    token = seal(CLAIMS, SECRET)
    for position in range(len(token)):
        replacement = "A" if token[position] != "A" else "B"
        forged = token[:position] + replacement + token[position + 1 :]
        with pytest.raises(InvalidLink):
            open_token(forged, SECRET, TODAY)


@pytest.mark.parametrize("token", ["", "abc", "!!!!", "x" * 200])
def test_garbage_is_rejected(token: str) -> None:
    with pytest.raises(InvalidLink, match="not valid"):
        open_token(token, SECRET, TODAY)


def test_another_key_cannot_open_it() -> None:
    with pytest.raises(InvalidLink):
        open_token(seal(CLAIMS, SECRET), "t" * 48, TODAY)


@pytest.mark.parametrize(
    ("age", "valid"),
    [(timedelta(days=60), True), (VALID_FOR, True), (VALID_FOR + timedelta(days=1), False)],
)
def test_valid_at_least_sixty_days_then_expires(age: timedelta, valid: bool) -> None:
    token = seal(CLAIMS, SECRET)
    if valid:
        assert open_token(token, SECRET, TODAY + age).subscriber_id == 123456
    else:
        with pytest.raises(InvalidLink, match="expired"):
            open_token(token, SECRET, TODAY + age)
