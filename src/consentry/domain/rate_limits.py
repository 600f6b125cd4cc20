"""Request rate limits: a fixed window of one minute per (limit, client) key.

Kept in the memory of one process, on purpose: the limits guard the public pages and sign-in
against a flood from one address, where a few requests over the line do not matter, so a
database round trip per request (which would halve the pages' speed) buys nothing. With
`serve --workers N` each process counts on its own, so a client gets up to N times a limit.
"""

from dataclasses import dataclass, field

WINDOW_SECONDS = 60.0
# Beyond this many tracked keys, keys whose window has ended are dropped, so a scan from many
# addresses cannot grow the table without bound.
_PRUNE_AT = 10_000


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    retry_after_seconds: int = 0


@dataclass
class FixedWindows:
    """Counts requests per key in fixed windows of `WINDOW_SECONDS`; `now` is a monotonic clock
    reading, passed in so the rule can be tested without waiting."""

    _windows: dict[tuple[str, str], tuple[float, int]] = field(default_factory=dict)

    def hit(self, limit_name: str, client: str, per_minute: int, now: float) -> Verdict:
        """Count one request of `client` against `per_minute` (0: no limit)."""
        if per_minute <= 0:
            return Verdict(True)
        key = (limit_name, client)
        started, count = self._windows.get(key, (now, 0))
        if now - started >= WINDOW_SECONDS:
            started, count = now, 0
        if count >= per_minute:
            return Verdict(False, max(1, int(started + WINDOW_SECONDS - now + 0.999)))
        if key not in self._windows and len(self._windows) >= _PRUNE_AT:
            self._prune(now)
        self._windows[key] = (started, count + 1)
        return Verdict(True)

    def _prune(self, now: float) -> None:
        ended = [k for k, (start, _) in self._windows.items() if now - start >= WINDOW_SECONDS]
        for key in ended:
            del self._windows[key]
