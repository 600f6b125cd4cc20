"""Sign-in throttling: how many recent failures lock an email+address out, and for how long."""

from datetime import UTC, datetime, timedelta

import pytest

from consentry.domain.throttle import MAX_FAILURES, WINDOW, check

NOW = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)


def ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


@pytest.mark.parametrize(
    ("failures", "allowed", "retry_after"),
    [
        ([], True, 0),
        (ago(1, 2, 3, 4), True, 0),  # four failures: one more try
        (ago(1, 2, 3, 4, 5), False, 10 * 60),  # five: wait until the oldest leaves the window
        (ago(0, 0, 0, 0, 14), False, 60),
        (ago(1, 2, 3, 4, 16), True, 0),  # the fifth is older than the window
        (ago(20, 30, 40, 50, 60, 70), True, 0),  # all of them old
        (ago(1, 2, 3, 4, 5, 6), False, 10 * 60),  # free once only four are left in the window
    ],
)
def test_throttle(failures: list[datetime], allowed: bool, retry_after: int) -> None:
    verdict = check(failures, NOW)
    assert verdict.allowed is allowed
    assert verdict.retry_after_seconds == retry_after


@pytest.mark.parametrize(
    ("seconds", "says"),
    [(1, "1 minute."), (60, "1 minute."), (61, "2 minutes."), (600, "10 minutes.")],
)
def test_the_message_says_how_long_to_wait(seconds: int, says: str) -> None:
    verdict = check(ago(*[0] * MAX_FAILURES), NOW + WINDOW - timedelta(seconds=seconds))
    assert not verdict.allowed
    assert verdict.message == f"Too many failed sign-in attempts. Try again in {says}"
