"""The filter language in SQL: contact properties as column expressions, filter groups as one
WHERE clause, the same on SQLite and PostgreSQL. It answers as `domain.filters.matches` does
(the integration tests hold the two side by side); the rules are told there, not here.

Stored properties come out of the JSON column; `hs_object_id`, `createdate` and
`lastmodifieddate` are columns; `hs_email_optout` and `hs_email_optout_<id>` are EXISTS
subqueries over the address's statuses, never stored: statuses belong to the email address, so
they are looked up through the contact's `email_key`.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Numeric,
    String,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    not_,
    null,
    or_,
    true,
)

from consentry.domain import Channel, Status
from consentry.domain.contact_properties import (
    CREATED,
    EMAIL_OPTOUT,
    MODIFIED,
    OBJECT_ID,
    optout_type_id,
    parse_instant,
)
from consentry.domain.filters import (
    NUMBER_PATTERN,
    Filter,
    FilterGroup,
    Operator,
    Sort,
    SortDirection,
    as_number,
    like_pattern,
    numeric_bounds,
)
from consentry.storage.tables import contacts, subscribers, subscription_statuses, wide_statuses

Condition = ColumnElement[bool]


@dataclass(frozen=True)
class PropertyColumn:
    """One property of the contact row at hand, in the forms the operators compare."""

    text: ColumnElement[Any]  # the value as a string; NULL when the contact has none
    number: ColumnElement[Any]  # the value as a number; NULL when it is not one
    instant: ColumnElement[Any] | None = None  # set for the two dates, compared as times


def property_column(name: str) -> PropertyColumn:
    if name == OBJECT_ID:
        return PropertyColumn(cast(contacts.c.id, String), contacts.c.id)
    if name in (CREATED, MODIFIED):
        column = contacts.c.created_at if name == CREATED else contacts.c.updated_at
        return PropertyColumn(cast(column, String), null(), column)
    text = computed_text(name)
    if text is None:
        text = contacts.c.properties[name].as_string()
    number = case((text.regexp_match(NUMBER_PATTERN), cast(text, Numeric)), else_=null())
    return PropertyColumn(text, number)


def computed_text(name: str) -> ColumnElement[Any] | None:
    """The SQL of a computed property ("true", "false" or NULL), or None for a stored one."""
    if name == EMAIL_OPTOUT:
        # True when opted out of all email, account-wide or in any business unit.
        opted_out = exists().where(
            _email_subscriber(wide_statuses.c.subscriber_id),
            wide_statuses.c.opted_out.is_(true()),
        )
        return case((opted_out, literal("true", String)), else_=literal("false", String))
    type_id = optout_type_id(name)
    if type_id is None:
        return None
    unsubscribed = exists().where(
        _email_subscriber(subscription_statuses.c.subscriber_id),
        subscription_statuses.c.subscription_type_id == type_id,
        subscription_statuses.c.status == Status.UNSUBSCRIBED.value,
    )
    return case((unsubscribed, literal("true", String)), else_=null())


def _email_subscriber(subscriber_id: ColumnElement[Any]) -> Condition:
    """The status row's subscriber is the contact's email address."""
    return and_(
        subscribers.c.id == subscriber_id,
        subscribers.c.channel == Channel.EMAIL.value,
        subscribers.c.key == contacts.c.email_key,
    )


def where(groups: tuple[FilterGroup, ...], dialect: str) -> Condition:
    """Groups ORed, filters in a group ANDed; no groups matches every contact."""
    if not groups:
        return true()
    return or_(*(and_(*(condition(f, dialect) for f in group.filters)) for group in groups))


def condition(filter_: Filter, dialect: str) -> Condition:
    operator = filter_.operator
    positive = filter_.positive()
    if positive is not None:
        # NULL (no value) must count as "not matched", so that the complement matches it.
        return not_(func.coalesce(condition(positive, dialect), false()))
    column = property_column(filter_.property_name)
    if operator is Operator.HAS_PROPERTY:
        return column.text.is_not(None)
    if column.instant is not None:
        return _instant_condition(column.instant, filter_)
    if operator in (Operator.EQ, Operator.IN):
        return _equal(column, filter_.bounds)
    if operator is Operator.CONTAINS_TOKEN:
        pattern = literal(like_pattern(filter_.value or ""), String)
        return func.lower(column.text).like(func.lower(pattern), escape="\\")
    numbers = numeric_bounds(filter_)
    if numbers is not None:
        return _in_order(column.number, operator, [literal(n, Numeric) for n in numbers])
    text = by_code_point(column.text, dialect)
    return _in_order(text, operator, [literal(b, String) for b in filter_.bounds])


def _equal(column: PropertyColumn, bounds: tuple[str, ...]) -> Condition:
    """Equal ignoring case (both sides folded by the database), or equal as numbers."""
    folded = func.lower(column.text).in_([func.lower(literal(b, String)) for b in bounds])
    numbers: list[Decimal] = [n for n in map(as_number, bounds) if n is not None]
    if not numbers:
        return folded
    return or_(folded, column.number.in_([literal(n, Numeric) for n in numbers]))


def _instant_condition(column: ColumnElement[Any], filter_: Filter) -> Condition:
    bounds = [parse_instant(bound) for bound in filter_.bounds]
    if filter_.operator in (Operator.EQ, Operator.IN):
        return column.in_(bounds)
    return _in_order(
        column, filter_.operator, [literal(b, contacts.c.created_at.type) for b in bounds]
    )


def _in_order(
    value: ColumnElement[Any], operator: Operator, bounds: list[ColumnElement[Any]]
) -> Condition:
    if operator is Operator.LT:
        return value < bounds[0]
    if operator is Operator.LTE:
        return value <= bounds[0]
    if operator is Operator.GT:
        return value > bounds[0]
    if operator is Operator.GTE:
        return value >= bounds[0]
    return and_(value >= bounds[0], value <= bounds[1])


def by_code_point(text: ColumnElement[Any], dialect: str) -> ColumnElement[Any]:
    """Strings ordered by code point, as Python orders them: SQLite's BINARY collation does;
    PostgreSQL needs the "C" collation, or it sorts by the database's locale."""
    return text.collate("C") if dialect == "postgresql" else text


def order_by(sorts: tuple[Sort, ...], dialect: str) -> list[ColumnElement[Any]]:
    """ORDER BY for the sorts, contacts without the property last, then by id."""
    clauses: list[ColumnElement[Any]] = []
    for sort in sorts:
        column = property_column(sort.property_name)
        if sort.property_name == OBJECT_ID:
            key = column.number
        elif column.instant is not None:
            key = column.instant
        else:
            key = by_code_point(column.text, dialect)
        ordered = key.desc() if sort.direction is SortDirection.DESCENDING else key.asc()
        clauses.append(ordered.nulls_last())
    clauses.append(contacts.c.id.asc())
    return clauses
