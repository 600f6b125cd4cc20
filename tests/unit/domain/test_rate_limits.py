"""The fixed one-minute window: a client gets `per_minute` requests, then waits for the window
to end; clients and limits are counted apart; 0 means no limit."""

from consentry.domain.rate_limits import FixedWindows


def test_a_client_over_the_limit_waits_for_the_window_to_end() -> None:
    windows = FixedWindows()
    assert all(windows.hit("pages", "1.2.3.4", 3, 100.0 + i).allowed for i in range(3))
    refused = windows.hit("pages", "1.2.3.4", 3, 110.0)
    assert not refused.allowed and refused.retry_after_seconds == 50
    assert windows.hit("pages", "1.2.3.4", 3, 160.0).allowed  # a new window


def test_clients_and_limits_are_counted_apart() -> None:
    windows = FixedWindows()
    assert windows.hit("pages", "a", 1, 0.0).allowed
    assert not windows.hit("pages", "a", 1, 1.0).allowed
    assert windows.hit("pages", "b", 1, 1.0).allowed
    assert windows.hit("sign_in", "a", 1, 1.0).allowed


def test_zero_is_no_limit() -> None:
    windows = FixedWindows()
    assert all(windows.hit("pages", "a", 0, float(i)).allowed for i in range(1000))


def test_the_retry_wait_is_never_zero() -> None:
    windows = FixedWindows()
    windows.hit("pages", "a", 1, 0.0)
    assert windows.hit("pages", "a", 1, 59.9).retry_after_seconds == 1
