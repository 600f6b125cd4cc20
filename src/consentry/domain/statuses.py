"""Subscription statuses and the two kinds of "unsubscribe from all"."""

from enum import StrEnum

from consentry.domain.errors import InvalidInput


class Status(StrEnum):
    """A subscriber's status for one subscription type. No stored row means NOT_SPECIFIED."""

    SUBSCRIBED = "SUBSCRIBED"
    NOT_SPECIFIED = "NOT_SPECIFIED"
    UNSUBSCRIBED = "UNSUBSCRIBED"


class WideType(StrEnum):
    """The scope of an "unsubscribe from all": the whole account, or one business unit."""

    PORTAL_WIDE = "PORTAL_WIDE"
    BUSINESS_UNIT_WIDE = "BUSINESS_UNIT_WIDE"


def wide_scope(business_unit_id: int | None, business_units_enabled: bool) -> tuple[WideType, int]:
    """Which "unsubscribe from all" a request names: (scope, unit id; 0 for account-wide).

    No unit means the whole account. With business units on, a unit names its own scope (the
    "Account" unit 0 included); with them off there is only the account, so unit 0 is it.
    """
    if business_unit_id is None:
        return WideType.PORTAL_WIDE, 0
    if business_units_enabled:
        return WideType.BUSINESS_UNIT_WIDE, business_unit_id
    if business_unit_id == 0:
        return WideType.PORTAL_WIDE, 0
    raise InvalidInput(
        f"Business unit {business_unit_id} cannot be used: business units are off"
        " (turn them on with the setting business_units_enabled).",
        field="businessUnitId",
    )


def covers(wide_type: WideType, wide_unit_id: int, type_unit_id: int) -> bool:
    """Whether a wide opt-out of this scope applies to a type of the given business unit."""
    return wide_type is WideType.PORTAL_WIDE or wide_unit_id == type_unit_id
