"""Quiet hours: 8:00 to 21:00 in the recipient's local time, from the number or a given zone."""

from datetime import UTC, datetime

import pytest

from consentry.domain.errors import InvalidInput
from consentry.domain.quiet_hours import quiet_hours, zones_for

SAN_FRANCISCO = "+14155550100"
NEW_YORK = "+12125550100"
MADRID = "+34911234567"


@pytest.mark.parametrize(
    ("number", "zone", "utc", "allowed"),
    [
        (SAN_FRANCISCO, None, datetime(2026, 12, 3, 16, 0, tzinfo=UTC), True),  # 08:00 PST
        (SAN_FRANCISCO, None, datetime(2026, 12, 3, 15, 59, tzinfo=UTC), False),  # 07:59
        (SAN_FRANCISCO, None, datetime(2026, 12, 4, 4, 59, tzinfo=UTC), True),  # 20:59
        (SAN_FRANCISCO, None, datetime(2026, 12, 4, 5, 0, tzinfo=UTC), False),  # 21:00
        (NEW_YORK, None, datetime(2026, 12, 3, 13, 0, tzinfo=UTC), True),  # 08:00 EST
        (NEW_YORK, None, datetime(2026, 12, 3, 12, 0, tzinfo=UTC), False),
        (MADRID, None, datetime(2026, 7, 1, 6, 30, tzinfo=UTC), True),  # 08:30 CEST
        (MADRID, None, datetime(2026, 7, 1, 19, 30, tzinfo=UTC), False),  # 21:30 CEST
        # A stored zone wins over the number's region.
        (SAN_FRANCISCO, "Europe/Madrid", datetime(2026, 7, 1, 6, 30, tzinfo=UTC), True),
        (SAN_FRANCISCO, "Europe/Madrid", datetime(2026, 7, 1, 20, 0, tzinfo=UTC), False),
    ],
)
def test_the_window_is_local_to_the_recipient(
    number: str, zone: str | None, utc: datetime, allowed: bool
) -> None:
    assert quiet_hours(number, utc, zone).allowed is allowed


def test_in_quiet_hours_the_next_allowed_moment_is_8_local() -> None:
    answer = quiet_hours(SAN_FRANCISCO, datetime(2026, 12, 4, 6, 0, tzinfo=UTC))  # 22:00 PST
    assert not answer.allowed
    assert answer.zones == ("America/Los_Angeles",)
    assert answer.next_allowed == datetime(2026, 12, 4, 16, 0, tzinfo=UTC)


def test_a_number_spanning_zones_is_quiet_while_any_of_them_is() -> None:
    zones = zones_for("+18005550100")  # toll-free: no one zone
    assert len(zones) > 1
    # 13:30 UTC is 08:30 in New York but 05:30 in Los Angeles.
    answer = quiet_hours("+18005550100", datetime(2026, 12, 3, 13, 30, tzinfo=UTC))
    assert not answer.allowed


def test_a_bad_zone_or_number_names_the_field() -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    with pytest.raises(InvalidInput) as bad_zone:
        quiet_hours(SAN_FRANCISCO, now, "Mars/Olympus")
    assert bad_zone.value.field == "timeZone"
    with pytest.raises(InvalidInput) as bad_number:
        quiet_hours("hello", now)
    assert bad_number.value.field == "number"
