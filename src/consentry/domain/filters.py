"""The filter language of contact search, workflow enrollment triggers and audiences.

HubSpot's `filterGroups`: each filter names a property, an operator and its value(s); filters
in a group are ANDed, groups are ORed. `parse_groups` turns the JSON form into validated
`FilterGroup`s (at most 5 groups of 6 filters, as HubSpot allows) and `matches` is the reference
evaluator. Storage translates the same groups into SQL, and must answer as `matches` does:

- A property *has a value* when it is stored and not empty; of the computed ones,
  `hs_email_optout` always has one ("true" or "false"), `hs_email_optout_<id>` only when the
  address opted out of that type ("true").
- `EQ`, `IN`: equal ignoring case, or numerically equal when both sides are numbers
  (`"10"` EQ `"10.0"`). `CONTAINS_TOKEN`: the value occurs in the property ignoring case, `*`
  standing for any run of characters (`*@example.com`).
- `NEQ`, `NOT_IN`, `NOT_CONTAINS_TOKEN` are the exact complements of `EQ`, `IN`,
  `CONTAINS_TOKEN`, so a contact without the property matches them ("not opted out" finds the
  contacts that never opted out).
- `LT`, `LTE`, `GT`, `GTE`, `BETWEEN` (inclusive, `value`..`highValue`) compare as numbers when
  every bound is a number, and then only numeric values match; otherwise they compare strings
  by code point, case-sensitively.
- `createdate` and `lastmodifieddate` are instants: bounds are epoch milliseconds or ISO-8601,
  compared as times; the token operators are refused on them.

Numbers are plain decimals (`NUMBER_PATTERN`): `-12`, `3.50`; not `1e3`, `+4`, `.5`.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any

from consentry.domain.contact_properties import (
    INSTANT_PROPERTIES,
    SEARCHABLE_PROPERTIES,
    check_name,
    check_text,
    parse_instant,
)
from consentry.domain.errors import InvalidInput

MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_VALUES = 1_000
# One pattern for Python and both databases (Python's re, PostgreSQL's ARE): \A and \Z, since
# Python's $ would also match before a final newline.
NUMBER_PATTERN = r"\A-?[0-9]+(\.[0-9]+)?\Z"
_NUMBER = re.compile(NUMBER_PATTERN)


class Operator(StrEnum):
    EQ = "EQ"
    NEQ = "NEQ"
    LT = "LT"
    LTE = "LTE"
    GT = "GT"
    GTE = "GTE"
    BETWEEN = "BETWEEN"
    IN = "IN"
    NOT_IN = "NOT_IN"
    HAS_PROPERTY = "HAS_PROPERTY"
    NOT_HAS_PROPERTY = "NOT_HAS_PROPERTY"
    CONTAINS_TOKEN = "CONTAINS_TOKEN"
    NOT_CONTAINS_TOKEN = "NOT_CONTAINS_TOKEN"


# Each negative operator is the complement of a positive one, in Python and in SQL alike.
COMPLEMENT = {
    Operator.NEQ: Operator.EQ,
    Operator.NOT_IN: Operator.IN,
    Operator.NOT_CONTAINS_TOKEN: Operator.CONTAINS_TOKEN,
    Operator.NOT_HAS_PROPERTY: Operator.HAS_PROPERTY,
}
ORDERING = frozenset({Operator.LT, Operator.LTE, Operator.GT, Operator.GTE, Operator.BETWEEN})
_ONE_VALUE = ORDERING | {Operator.EQ, Operator.NEQ, Operator.CONTAINS_TOKEN}
_ONE_VALUE |= {Operator.NOT_CONTAINS_TOKEN}
_TOKEN = frozenset({Operator.CONTAINS_TOKEN, Operator.NOT_CONTAINS_TOKEN})


@dataclass(frozen=True)
class Filter:
    property_name: str
    operator: Operator
    value: str | None = None
    values: tuple[str, ...] = ()
    high_value: str | None = None

    def positive(self) -> "Filter | None":
        """For a negative operator (NEQ, NOT_IN, …), the filter it is the complement of."""
        if self.operator not in COMPLEMENT:
            return None
        return replace(self, operator=COMPLEMENT[self.operator])

    @property
    def bounds(self) -> tuple[str, ...]:
        """The values the operator compares with: `values` for IN, both ends for BETWEEN."""
        if self.operator in (Operator.IN, Operator.NOT_IN):
            return self.values
        if self.operator is Operator.BETWEEN:
            return (self.value or "", self.high_value or "")
        return (self.value,) if self.value is not None else ()


@dataclass(frozen=True)
class FilterGroup:
    filters: tuple[Filter, ...]


class SortDirection(StrEnum):
    ASCENDING = "ASCENDING"
    DESCENDING = "DESCENDING"


@dataclass(frozen=True)
class Sort:
    property_name: str
    direction: SortDirection = SortDirection.ASCENDING


def as_number(text: str | None) -> Decimal | None:
    """The number a value spells, or None when it is not a plain decimal."""
    return Decimal(text) if text is not None and _NUMBER.match(text) else None


def numeric_bounds(filter_: Filter) -> tuple[Decimal, ...] | None:
    """The bounds as numbers when every one is a number (so the filter compares numbers)."""
    numbers = tuple(as_number(bound) for bound in filter_.bounds)
    if not numbers or any(number is None for number in numbers):
        return None
    return tuple(number for number in numbers if number is not None)


def like_pattern(token: str) -> str:
    r"""A SQL LIKE pattern (escape character `\`) that finds `token` anywhere, `*` as `%`."""
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return "%" + escaped.replace("*", "%") + "%"


# --- parsing -------------------------------------------------------------------------------


def parse_groups(raw: Any, field: str = "filterGroups") -> tuple[FilterGroup, ...]:
    """Validated groups from their JSON form; no groups (None or []) matches every contact."""
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise InvalidInput(f"{field} must be a list of filter groups.", field=field)
    if len(raw) > MAX_GROUPS:
        raise InvalidInput(
            f"{field} has {len(raw)} groups; at most {MAX_GROUPS} are allowed.", field=field
        )
    return tuple(_group(group, f"{field}[{index}]") for index, group in enumerate(raw))


def _group(raw: Any, where: str) -> FilterGroup:
    filters = raw.get("filters") if isinstance(raw, Mapping) else None
    field = f"{where}.filters"
    if not isinstance(filters, list | tuple) or not filters:
        raise InvalidInput(f"{field} must be a list of at least one filter.", field=field)
    if len(filters) > MAX_FILTERS_PER_GROUP:
        raise InvalidInput(
            f"{field} has {len(filters)} filters; at most {MAX_FILTERS_PER_GROUP} are allowed"
            " in a group.",
            field=field,
        )
    return FilterGroup(
        tuple(_filter(item, f"{field}[{index}]") for index, item in enumerate(filters))
    )


def _filter(raw: Any, where: str) -> Filter:
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where} must be an object.", field=where)
    if raw.get("propertyName") is None:
        raise InvalidInput(f"{where}.propertyName is required.", field=f"{where}.propertyName")
    name = check_name(raw.get("propertyName"), f"{where}.propertyName")
    operator = _operator(raw.get("operator"), f"{where}.operator")
    filter_ = Filter(
        name,
        operator,
        value=_text(raw.get("value"), f"{where}.value"),
        values=_texts(raw.get("values"), f"{where}.values"),
        high_value=_text(raw.get("highValue"), f"{where}.highValue"),
    )
    _check_operands(filter_, where)
    return filter_


def _operator(raw: Any, field: str) -> Operator:
    known = ", ".join(operator.value for operator in Operator)
    if raw is None:
        raise InvalidInput(f"{field} is required; use one of {known}.", field=field)
    try:
        return Operator(raw)
    except ValueError:
        raise InvalidInput(
            f"{field}: unknown operator {raw!r}; use one of {known}.", field=field
        ) from None


def _text(raw: Any, field: str) -> str | None:
    """A filter value as a string: HubSpot takes numbers and booleans here too."""
    if raw is None or isinstance(raw, str):
        return raw if raw is None else check_text(raw, field)
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, int | float):
        return str(raw)
    raise InvalidInput(f"{field} must be a string, a number or a boolean.", field=field)


def _texts(raw: Any, field: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise InvalidInput(f"{field} must be a list of values.", field=field)
    if len(raw) > MAX_VALUES:
        raise InvalidInput(f"{field} has more than {MAX_VALUES} values.", field=field)
    texts = (_text(item, f"{field}[{index}]") for index, item in enumerate(raw))
    return tuple(text for text in texts if text is not None)


def _check_operands(filter_: Filter, where: str) -> None:
    operator = filter_.operator
    if operator in _ONE_VALUE and not filter_.value:
        raise InvalidInput(
            f"{where}.value is required for operator {operator}.", field=f"{where}.value"
        )
    if operator is Operator.BETWEEN and not filter_.high_value:
        raise InvalidInput(
            f"{where}.highValue is required for operator BETWEEN.", field=f"{where}.highValue"
        )
    if operator in (Operator.IN, Operator.NOT_IN) and not filter_.values:
        raise InvalidInput(
            f"{where}.values must list at least one value for operator {operator}.",
            field=f"{where}.values",
        )
    if filter_.property_name in INSTANT_PROPERTIES:
        _check_instant(filter_, where)


def _check_instant(filter_: Filter, where: str) -> None:
    if filter_.operator in _TOKEN:
        raise InvalidInput(
            f"{where}.operator: {filter_.operator} does not apply to the date"
            f" {filter_.property_name!r}; compare it with EQ, LT, GT, BETWEEN and the like.",
            field=f"{where}.operator",
        )
    named: dict[str, str | None] = {
        f"{where}.values[{index}]": value for index, value in enumerate(filter_.values)
    }
    named |= {f"{where}.value": filter_.value, f"{where}.highValue": filter_.high_value}
    for field, bound in named.items():
        if bound is None or bound not in filter_.bounds:
            continue
        try:
            parse_instant(bound)
        except ValueError:
            raise InvalidInput(
                f"{field}: {bound!r} is not a time for {filter_.property_name!r}; give epoch"
                " milliseconds or ISO-8601 (2024-06-05T13:39:29.495Z).",
                field=field,
            ) from None


def parse_sorts(raw: Any, field: str = "sorts") -> tuple[Sort, ...]:
    """Sorts as HubSpot takes them: `"name"`, `"-name"` (descending), or
    `{"propertyName": "name", "direction": "ASCENDING" | "DESCENDING"}`."""
    if raw is None:
        return ()
    if not isinstance(raw, list | tuple):
        raise InvalidInput(f"{field} must be a list.", field=field)
    return tuple(_sort(item, f"{field}[{index}]") for index, item in enumerate(raw))


def _sort(raw: Any, where: str) -> Sort:
    if isinstance(raw, str):
        descending = raw.startswith("-")
        name = check_name(raw.removeprefix("-"), where)
        return Sort(name, SortDirection.DESCENDING if descending else SortDirection.ASCENDING)
    if not isinstance(raw, Mapping):
        raise InvalidInput(f"{where} must be a property name or an object.", field=where)
    name = check_name(raw.get("propertyName"), f"{where}.propertyName")
    direction = raw.get("direction") or SortDirection.ASCENDING
    try:
        return Sort(name, SortDirection(direction))
    except ValueError:
        raise InvalidInput(
            f"{where}.direction: use ASCENDING or DESCENDING, not {direction!r}.",
            field=f"{where}.direction",
        ) from None


def query_groups(query: str) -> tuple[FilterGroup, ...]:
    """A free-text `query` as filters: the text occurs in any searchable property."""
    check_text(query, "query")
    return tuple(
        FilterGroup((Filter(name, Operator.CONTAINS_TOKEN, value=query),))
        for name in SEARCHABLE_PROPERTIES
    )


# --- the reference evaluator -----------------------------------------------------------------


def matches(contact_properties: Mapping[str, str | None], groups: Sequence[FilterGroup]) -> bool:
    """Whether a contact with these properties (computed ones included) matches the groups."""
    if not groups:
        return True
    return any(
        all(_holds(contact_properties.get(f.property_name) or None, f) for f in group.filters)
        for group in groups
    )


def _holds(value: str | None, filter_: Filter) -> bool:
    operator = filter_.operator
    positive = filter_.positive()
    if positive is not None:
        return not _holds(value, positive)
    if value is None:
        return False
    if operator is Operator.HAS_PROPERTY:
        return True
    if filter_.property_name in INSTANT_PROPERTIES:
        return _compare_instants(value, filter_)
    if operator in (Operator.EQ, Operator.IN):
        return any(_equal(value, bound) for bound in filter_.bounds)
    if operator is Operator.CONTAINS_TOKEN:
        return _contains(value, filter_.value or "")
    return _ordered(value, filter_)


def _equal(value: str, bound: str) -> bool:
    if value.lower() == bound.lower():
        return True
    number, wanted = as_number(value), as_number(bound)
    return number is not None and wanted is not None and number == wanted


def _contains(value: str, token: str) -> bool:
    pattern = ".*".join(re.escape(part) for part in token.lower().split("*"))
    return re.search(pattern, value.lower(), re.DOTALL) is not None


def _ordered(value: str, filter_: Filter) -> bool:
    numbers = numeric_bounds(filter_)
    if numbers is not None:
        number = as_number(value)
        return number is not None and _in_order(number, filter_.operator, numbers)
    return _in_order(value, filter_.operator, filter_.bounds)


def _compare_instants(value: str, filter_: Filter) -> bool:
    try:
        moment = parse_instant(value)
    except ValueError:
        return False
    bounds = tuple(parse_instant(bound) for bound in filter_.bounds)
    if filter_.operator in (Operator.EQ, Operator.IN):
        return moment in bounds
    return _in_order(moment, filter_.operator, bounds)


def _in_order(value: Any, operator: Operator, bounds: Sequence[Any]) -> bool:
    if operator is Operator.LT:
        return bool(value < bounds[0])
    if operator is Operator.LTE:
        return bool(value <= bounds[0])
    if operator is Operator.GT:
        return bool(value > bounds[0])
    if operator is Operator.GTE:
        return bool(value >= bounds[0])
    return bool(bounds[0] <= value <= bounds[1])
