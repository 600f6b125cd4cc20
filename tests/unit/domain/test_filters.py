"""The filter language of contact search, workflow triggers and audiences: what it accepts, what
it refuses (naming the field), and what each operator matches."""

from typing import Any

import pytest

from consentry.domain import InvalidInput
from consentry.domain.filters import (
    MAX_FILTERS_PER_GROUP,
    MAX_GROUPS,
    Filter,
    FilterGroup,
    Operator,
    Sort,
    SortDirection,
    like_pattern,
    matches,
    parse_groups,
    parse_sorts,
    query_groups,
)


def one(property_name: str, operator: str, **operands: Any) -> list[dict[str, Any]]:
    """One group of one filter, in the JSON form."""
    return [{"filters": [{"propertyName": property_name, "operator": operator, **operands}]}]


EQ_A = {"propertyName": "firstname", "operator": "EQ", "value": "a"}

# --- validation: every refusal names the field at fault ---------------------------------------

# fmt: off
REFUSED = [
    ("not-a-list", {"filters": []}, "filterGroups", "must be a list of filter groups"),
    ("too-many-groups", [{"filters": [EQ_A]}] * (MAX_GROUPS + 1), "filterGroups",
     "6 groups; at most 5"),
    ("group-not-object", ["x"], "filterGroups[0].filters", "at least one filter"),
    ("group-without-filters", [{}], "filterGroups[0].filters", "at least one filter"),
    ("empty-group", [{"filters": []}], "filterGroups[0].filters", "at least one filter"),
    ("too-many-filters", [{"filters": [EQ_A] * (MAX_FILTERS_PER_GROUP + 1)}],
     "filterGroups[0].filters", "7 filters; at most 6"),
    ("filter-not-object", [{"filters": ["x"]}], "filterGroups[0].filters[0]", "an object"),
    ("missing-property", [{"filters": [{"operator": "EQ", "value": "a"}]}],
     "filterGroups[0].filters[0].propertyName", "is required"),
    ("bad-property-name", one("first name", "EQ", value="a"),
     "filterGroups[0].filters[0].propertyName", "not a property name"),
    ("missing-operator", [{"filters": [{"propertyName": "email", "value": "a"}]}],
     "filterGroups[0].filters[0].operator", "is required"),
    ("unknown-operator", one("email", "LIKE", value="a"),
     "filterGroups[0].filters[0].operator", "unknown operator 'LIKE'; use one of EQ, NEQ"),
    ("lowercase-operator", one("email", "eq", value="a"),
     "filterGroups[0].filters[0].operator", "unknown operator 'eq'"),
    *[(f"{op}-without-value", one("email", op), "filterGroups[0].filters[0].value",
       f"required for operator {op}")
      for op in ("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "CONTAINS_TOKEN",
                 "NOT_CONTAINS_TOKEN")],
    ("EQ-empty-value", one("email", "EQ", value=""), "filterGroups[0].filters[0].value",
     "required"),
    ("BETWEEN-without-highValue", one("age", "BETWEEN", value="1"),
     "filterGroups[0].filters[0].highValue", "highValue is required for operator BETWEEN"),
    *[(f"{op}-without-values", one("email", op), "filterGroups[0].filters[0].values",
       "at least one value") for op in ("IN", "NOT_IN")],
    ("IN-empty-values", one("email", "IN", values=[]), "filterGroups[0].filters[0].values",
     "at least one value"),
    ("IN-values-not-list", one("email", "IN", values="a"),
     "filterGroups[0].filters[0].values", "must be a list"),
    ("value-object", one("email", "EQ", value={"a": 1}), "filterGroups[0].filters[0].value",
     "string, a number or a boolean"),
    ("nul-in-value", one("email", "EQ", value="a\x00"), "filterGroups[0].filters[0].value",
     "NUL character"),
    ("date-token", one("createdate", "CONTAINS_TOKEN", value="2024"),
     "filterGroups[0].filters[0].operator", "does not apply to the date 'createdate'"),
    ("date-not-a-time", one("lastmodifieddate", "GT", value="yesterday"),
     "filterGroups[0].filters[0].value", "'yesterday' is not a time"),
    ("date-in-values", one("createdate", "IN", values=["0", "soon"]),
     "filterGroups[0].filters[0].values[1]", "'soon' is not a time"),
    ("second-group-at-fault", [{"filters": [EQ_A]}, {"filters": [{"propertyName": "x"}]}],
     "filterGroups[1].filters[0].operator", "is required"),
]
# fmt: on


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [pytest.param(raw, field, message, id=case_id) for case_id, raw, field, message in REFUSED],
)
def test_invalid_filters_are_refused_naming_the_field(raw: Any, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_groups(raw)
    assert refused.value.field == field
    assert message in refused.value.message
    assert field in refused.value.message


def test_the_limits_are_hubspots_five_groups_of_six() -> None:
    groups = parse_groups([{"filters": [EQ_A] * MAX_FILTERS_PER_GROUP}] * MAX_GROUPS)
    assert (MAX_GROUPS, MAX_FILTERS_PER_GROUP) == (5, 6)
    assert len(groups) == 5
    assert all(len(group.filters) == 6 for group in groups)


# fmt: off
PARSED = [
    ("none", None, ()),
    ("empty", [], ()),
    ("eq", one("email", "EQ", value="a@x.com"),
     (FilterGroup((Filter("email", Operator.EQ, value="a@x.com"),)),)),
    ("numbers-and-booleans-become-text", one("age", "IN", values=[1, 2.5, True]),
     (FilterGroup((Filter("age", Operator.IN, values=("1", "2.5", "true")),)),)),
    ("between", one("age", "BETWEEN", value=1, highValue="9"),
     (FilterGroup((Filter("age", Operator.BETWEEN, value="1", high_value="9"),)),)),
    ("has-property-needs-no-value", one("phone", "HAS_PROPERTY"),
     (FilterGroup((Filter("phone", Operator.HAS_PROPERTY),)),)),
    ("unknown-fields-ignored", [{"filters": [{**EQ_A, "extra": 1}], "more": 2}],
     (FilterGroup((Filter("firstname", Operator.EQ, value="a"),)),)),
    ("date-in-epoch-millis", one("createdate", "GTE", value="1717594769495"),
     (FilterGroup((Filter("createdate", Operator.GTE, value="1717594769495"),)),)),
]
# fmt: on


@pytest.mark.parametrize(
    ("raw", "expected"), [pytest.param(raw, expected, id=i) for i, raw, expected in PARSED]
)
def test_valid_filters_parse(raw: Any, expected: tuple[FilterGroup, ...]) -> None:
    assert parse_groups(raw) == expected


# --- matching: one table per family of operators ----------------------------------------------

PERSON = {
    "email": "Ann.Lee@Example.com",
    "firstname": "Ann",
    "lastname": "",  # empty is no value
    "age": "42",
    "score": "7.50",
    "code": "B-7",
    "bio": "likes tea\nand 100% cocoa",
    "hs_email_optout": "false",
    "hs_email_optout_1": "true",
    "createdate": "2024-06-05T13:39:29.495Z",
}

# fmt: off
MATCHES = [
    # equality ignores case, and numbers are equal as numbers
    ("EQ", "firstname", {"value": "ann"}, True),
    ("EQ", "firstname", {"value": "Anne"}, False),
    ("EQ", "age", {"value": "42.0"}, True),
    ("EQ", "age", {"value": 42}, True),
    ("EQ", "score", {"value": "7.5"}, True),
    ("EQ", "missing", {"value": "x"}, False),
    ("EQ", "lastname", {"value": "x"}, False),
    ("EQ", "hs_email_optout", {"value": False}, True),
    ("EQ", "hs_email_optout_1", {"value": "TRUE"}, True),
    # the negative operators are complements: no value matches them
    ("NEQ", "firstname", {"value": "ANN"}, False),
    ("NEQ", "firstname", {"value": "bob"}, True),
    ("NEQ", "missing", {"value": "x"}, True),
    ("NEQ", "hs_email_optout_2", {"value": "true"}, True),
    ("IN", "firstname", {"values": ["bob", "ANN"]}, True),
    ("IN", "age", {"values": ["41", "42.00"]}, True),
    ("IN", "firstname", {"values": ["bob"]}, False),
    ("IN", "missing", {"values": ["bob"]}, False),
    ("NOT_IN", "firstname", {"values": ["bob", "ann"]}, False),
    ("NOT_IN", "firstname", {"values": ["bob"]}, True),
    ("NOT_IN", "missing", {"values": ["bob"]}, True),
    # presence
    ("HAS_PROPERTY", "firstname", {}, True),
    ("HAS_PROPERTY", "lastname", {}, False),
    ("HAS_PROPERTY", "missing", {}, False),
    ("NOT_HAS_PROPERTY", "missing", {}, True),
    ("NOT_HAS_PROPERTY", "lastname", {}, True),
    ("NOT_HAS_PROPERTY", "firstname", {}, False),
    # numbers compare as numbers when every bound is one ...
    ("LT", "age", {"value": "100"}, True),
    ("LT", "age", {"value": "42"}, False),
    ("LTE", "age", {"value": "42"}, True),
    ("GT", "age", {"value": "9"}, True),
    ("GT", "age", {"value": "-1.5"}, True),
    ("GTE", "score", {"value": "7.5"}, True),
    ("GT", "score", {"value": "7.5"}, False),
    ("BETWEEN", "age", {"value": "40", "highValue": "42"}, True),
    ("BETWEEN", "age", {"value": "43", "highValue": "50"}, False),
    ("BETWEEN", "age", {"value": "42", "highValue": "40"}, False),
    ("LT", "firstname", {"value": "100"}, False),  # not a number: no numeric order
    ("LT", "missing", {"value": "100"}, False),
    # ... and strings by code point, case-sensitively, otherwise
    ("LT", "firstname", {"value": "Bob"}, True),
    ("LT", "firstname", {"value": "ann"}, True),  # "A" < "a"
    ("GT", "age", {"value": "100x"}, True),  # "42" > "100x" as strings
    ("BETWEEN", "code", {"value": "B", "highValue": "C"}, True),
    ("BETWEEN", "code", {"value": "B-8", "highValue": "C"}, False),
    # tokens: ignoring case, anywhere, * for any run
    ("CONTAINS_TOKEN", "email", {"value": "example"}, True),
    ("CONTAINS_TOKEN", "email", {"value": "*@EXAMPLE.COM"}, True),
    ("CONTAINS_TOKEN", "email", {"value": "ann*example"}, True),
    ("CONTAINS_TOKEN", "email", {"value": "bob"}, False),
    ("CONTAINS_TOKEN", "bio", {"value": "100%"}, True),
    ("CONTAINS_TOKEN", "bio", {"value": "tea*cocoa"}, True),  # * crosses lines
    ("CONTAINS_TOKEN", "code", {"value": "b_7"}, False),  # _ is no wildcard
    ("CONTAINS_TOKEN", "missing", {"value": "a"}, False),
    ("NOT_CONTAINS_TOKEN", "email", {"value": "bob"}, True),
    ("NOT_CONTAINS_TOKEN", "email", {"value": "EXAMPLE"}, False),
    ("NOT_CONTAINS_TOKEN", "missing", {"value": "a"}, True),
    # the dates compare as times, from epoch milliseconds or ISO-8601
    ("EQ", "createdate", {"value": "1717594769495"}, True),
    ("EQ", "createdate", {"value": "2024-06-05T15:39:29.495+02:00"}, True),
    ("EQ", "createdate", {"value": "2024-06-05"}, False),
    ("GT", "createdate", {"value": "2024-06-05"}, True),
    ("LT", "createdate", {"value": "2024-06-05T13:39:29.496Z"}, True),
    ("BETWEEN", "createdate", {"value": "2024-01-01", "highValue": "2024-12-31"}, True),
    ("NEQ", "createdate", {"value": "1717594769495"}, False),
    ("IN", "createdate", {"values": ["0", "1717594769495"]}, True),
    ("HAS_PROPERTY", "createdate", {}, True),
]
# fmt: on


@pytest.mark.parametrize(
    ("operator", "name", "operands", "expected"),
    [pytest.param(o, n, ops, e, id=f"{o}-{n}-{ops}") for o, n, ops, e in MATCHES],
)
def test_each_operator_matches_as_documented(
    operator: str, name: str, operands: dict[str, Any], expected: bool
) -> None:
    assert matches(PERSON, parse_groups(one(name, operator, **operands))) is expected


def test_filters_in_a_group_are_anded_and_groups_ored() -> None:
    ann = {"propertyName": "firstname", "operator": "EQ", "value": "Ann"}
    old = {"propertyName": "age", "operator": "GT", "value": "60"}
    young = {"propertyName": "age", "operator": "LT", "value": "60"}

    assert matches(PERSON, parse_groups([{"filters": [ann, young]}]))
    assert not matches(PERSON, parse_groups([{"filters": [ann, old]}]))
    assert matches(PERSON, parse_groups([{"filters": [old]}, {"filters": [ann]}]))
    assert not matches(PERSON, parse_groups([{"filters": [old]}, {"filters": [ann, old]}]))


def test_no_groups_match_every_contact() -> None:
    assert matches({}, parse_groups([]))
    assert matches(PERSON, ())


# fmt: off
SORTS = [
    ("none", None, ()),
    ("name", ["email"], (Sort("email"),)),
    ("minus-is-descending", ["-createdate"], (Sort("createdate", SortDirection.DESCENDING),)),
    ("object", [{"propertyName": "age", "direction": "DESCENDING"}],
     (Sort("age", SortDirection.DESCENDING),)),
    ("object-default-ascending", [{"propertyName": "age"}], (Sort("age"),)),
]
# fmt: on


@pytest.mark.parametrize(("raw", "expected"), [pytest.param(r, e, id=i) for i, r, e in SORTS])
def test_sorts_parse_in_both_hubspot_forms(raw: Any, expected: tuple[Sort, ...]) -> None:
    assert parse_sorts(raw) == expected


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ("email", "sorts", "must be a list"),
        ([{"propertyName": "age", "direction": "UP"}], "sorts[0].direction", "ASCENDING"),
        ([{"direction": "ASCENDING"}], "sorts[0].propertyName", "not a property name"),
        ([3], "sorts[0]", "a property name or an object"),
    ],
)
def test_bad_sorts_are_refused_naming_the_field(raw: Any, field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_sorts(raw)
    assert refused.value.field == field
    assert message in refused.value.message


def test_a_free_text_query_looks_in_the_searchable_properties() -> None:
    with pytest.raises(InvalidInput, match="NUL"):
        query_groups("a\x00")
    groups = query_groups("lee")
    assert matches({"lastname": "Lee"}, groups)
    assert matches({"email": "ann.lee@x.com"}, groups)
    assert not matches({"jobtitle": "lee"}, groups)


@pytest.mark.parametrize(
    ("token", "pattern"),
    [("abc", "%abc%"), ("*@x.com", "%%@x.com%"), ("100%", "%100\\%%"), ("a_b\\c", "%a\\_b\\\\c%")],
)
def test_like_patterns_escape_sql_wildcards(token: str, pattern: str) -> None:
    assert like_pattern(token) == pattern
