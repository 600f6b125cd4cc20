"""Sign-in throttling: after too many failed attempts for one email from one address, sign-in
is refused for a while, so passwords cannot be guessed at speed."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class Throttle:
    allowed: bool
    retry_after_seconds: int = 0

    @property
    def message(self) -> str:
        minutes = max(1, -(-self.retry_after_seconds // 60))
        return (
            f"Too many failed sign-in attempts. Try again in {minutes} minute"
            f"{'s' if minutes != 1 else ''}."
        )


def check(
    failures: Sequence[datetime],
    now: datetime,
    *,
    limit: int = MAX_FAILURES,
    window: timedelta = WINDOW,
) -> Throttle:
    """Whether another attempt may be made, given the times of recent failures (since the last
    success). Only failures inside the window count; the wait ends when the oldest of the last
    `limit` failures leaves it."""
    recent = sorted(moment for moment in failures if now - moment < window)
    if len(recent) < limit:
        return Throttle(True)
    frees_at = recent[-limit] + window
    return Throttle(False, max(1, int((frees_at - now).total_seconds())))
