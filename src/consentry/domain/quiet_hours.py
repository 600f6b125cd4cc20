"""Quiet hours for texting (COMPLIANCE.md, "SMS"): send only from 8:00 to 21:00 in the
recipient's local time. The time zone comes from a stored IANA zone when there is one, else from
the number itself (libphonenumber's time-zone data). Pure: the caller gives `now`.

A number whose prefix spans several zones (a US number with an unknown area code) is in quiet
hours when it is in any of them: the strict reading is the safe one.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from phonenumbers import timezone as number_zones

from consentry.domain.errors import InvalidInput

START = time(8, 0)
END = time(21, 0)
_UNKNOWN = "Etc/Unknown"


@dataclass(frozen=True)
class QuietHours:
    allowed: bool  # may a message be sent now
    zones: tuple[str, ...]
    next_allowed: datetime  # `now` when allowed, else the first moment every zone allows (UTC)


def zones_for(number: str, zone: str | None = None) -> tuple[str, ...]:
    """The IANA zones of an E.164 number, or the one given."""
    if zone:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidInput(
                f"Unknown time zone {zone!r}; use an IANA name such as Europe/Madrid.",
                field="timeZone",
            ) from None
        return (zone,)
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        raise InvalidInput(
            f"{number!r} is not a phone number in E.164 form (+ and country code).",
            field="number",
        ) from None
    found = tuple(z for z in number_zones.time_zones_for_number(parsed) if z != _UNKNOWN)
    if not found:
        raise InvalidInput(
            f"No time zone is known for {number}; give one (timeZone).", field="timeZone"
        )
    return found


def quiet_hours(number: str, now: datetime, zone: str | None = None) -> QuietHours:
    """Whether `now` (aware) falls in the sending window for this number."""
    zones = zones_for(number, zone)
    if all(_in_window(now, name) for name in zones):
        return QuietHours(True, zones, now)
    candidate = now
    # Try each zone's next window start, latest first, until one suits every zone.
    for start in sorted((_next_start(now, name) for name in zones), reverse=True):
        if all(_in_window(start, name) for name in zones):
            candidate = start
            break
    else:
        candidate = max(_next_start(now, name) for name in zones)
    return QuietHours(False, zones, candidate)


def _in_window(moment: datetime, zone: str) -> bool:
    local = moment.astimezone(ZoneInfo(zone)).time()
    return START <= local < END


def _next_start(now: datetime, zone: str) -> datetime:
    local = now.astimezone(ZoneInfo(zone))
    start = datetime.combine(local.date(), START, tzinfo=local.tzinfo)
    if start <= local:
        start += timedelta(days=1)
    return start.astimezone(now.tzinfo)
