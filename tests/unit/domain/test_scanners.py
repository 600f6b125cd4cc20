"""The scanner rule as a table: who is held, and when."""

from datetime import UTC, datetime, timedelta

import pytest

from consentry.domain.scanners import hold, looks_like_scanner

MADE = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.mark.parametrize(
    ("agent", "scanner"),
    [
        (FIREFOX, False),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15", False),
        ("Mozilla/5.0 (compatible; Barracuda Sentinel)", True),
        ("Proofpoint URL Defense", True),
        ("Mozilla/5.0 HeadlessChrome/120.0", True),
        ("python-requests/2.31", True),
        ("Googlebot/2.1", True),
        ("", True),
        (None, True),
    ],
)
def test_known_scanners(agent: str | None, scanner: bool) -> None:
    assert looks_like_scanner(agent) is scanner


@pytest.mark.parametrize(
    ("agent", "after", "held"),
    [
        ("Mimecast", timedelta(seconds=5), True),
        ("Mimecast", timedelta(seconds=119), True),
        ("Mimecast", timedelta(seconds=120), False),  # the window is over
        ("Mimecast", timedelta(days=3), False),
        (FIREFOX, timedelta(seconds=5), False),  # a person is never held
        ("Mimecast", -timedelta(seconds=5), False),  # a clock ahead of the link: not "right after"
    ],
)
def test_held_only_within_the_window(agent: str, after: timedelta, held: bool) -> None:
    assert hold(agent, MADE, MADE + after, 120) is held
