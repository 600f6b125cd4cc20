"""Version 2 link tokens carry the issue time to the second; version 1 tokens still open."""

from datetime import UTC, date, datetime, timedelta

import pytest

from consentry.domain import Channel
from consentry.domain.links import InvalidLink, LinkClaims, Purpose, open_token, seal

SECRET = "s" * 48
MADE = datetime(2026, 12, 3, 6, 30, 15, tzinfo=UTC)


def test_the_issue_time_round_trips() -> None:
    claims = LinkClaims(Purpose.CONFIRM_OPT_IN, Channel.EMAIL, 42, 0, 1, MADE.date(), MADE)
    opened = open_token(seal(claims, SECRET), SECRET, MADE.date())
    assert opened == claims
    assert opened.issued_moment == MADE


def test_a_version_1_token_opens_with_the_start_of_its_day() -> None:
    claims = LinkClaims(Purpose.UNSUBSCRIBE_ALL, Channel.EMAIL, 42, 0, None, date(2026, 12, 3))
    token = seal(claims, SECRET)
    opened = open_token(token, SECRET, date(2026, 12, 3))
    assert opened.issued_at is None
    assert opened.issued_moment == datetime(2026, 12, 3, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "valid"), [(timedelta(days=61), True), (timedelta(days=181), False)]
)
def test_version_2_expiry(age: timedelta, valid: bool) -> None:
    claims = LinkClaims(Purpose.UNSUBSCRIBE_ALL, Channel.EMAIL, 1, 0, None, MADE.date(), MADE)
    token = seal(claims, SECRET)
    today = (MADE + age).date()
    if valid:
        assert open_token(token, SECRET, today).subscriber_id == 1
    else:
        with pytest.raises(InvalidLink, match="expired"):
            open_token(token, SECRET, today)
