"""Contact properties: writable names and values, what an answer shows, and HubSpot's times."""

from datetime import UTC, datetime
from typing import Any

import pytest

from consentry.domain import InvalidInput
from consentry.domain.contact_properties import (
    apply_changes,
    format_instant,
    is_computed,
    optout_type_id,
    parse_instant,
    selection,
)

# fmt: off
WRITES = [
    ("set", {}, {"firstname": "Ann"}, {"firstname": "Ann"}),
    ("replace", {"firstname": "Ann"}, {"firstname": "Bo"}, {"firstname": "Bo"}),
    ("null-clears", {"firstname": "Ann", "x": "1"}, {"firstname": None}, {"x": "1"}),
    ("empty-clears", {"firstname": "Ann"}, {"firstname": ""}, {}),
    ("clearing-nothing", {}, {"firstname": None}, {}),
    ("numbers-and-booleans-as-text", {}, {"age": 42, "score": 7.5, "vip": True, "no": False},
     {"age": "42", "score": "7.5", "vip": "true", "no": "false"}),
    ("others-kept", {"a": "1"}, {"b": "2"}, {"a": "1", "b": "2"}),
]
# fmt: on


@pytest.mark.parametrize(
    ("stored", "changes", "expected"), [pytest.param(s, c, e, id=i) for i, s, c, e in WRITES]
)
def test_writes_set_and_clear_properties(
    stored: dict[str, str], changes: dict[str, Any], expected: dict[str, str]
) -> None:
    assert apply_changes(stored, changes) == expected


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("hs_object_id", "9", "read-only"),
        ("createdate", "2024-01-01", "read-only"),
        ("lastmodifieddate", "2024-01-01", "read-only"),
        ("hs_email_optout", "true", "computed from the address's subscription statuses"),
        ("hs_email_optout_1", "true", "computed"),
        ("hs_email_optout_anything", "true", "computed"),
        ("first name", "x", "not a property name"),
        ("", "x", "not a property name"),
        ("a" * 101, "x", "not a property name"),
        ('a"b', "x", "not a property name"),
        ("notes", {"nested": 1}, "must be a string or null"),
        ("notes", "x" * 65_537, "longer than 65536"),
        ("notes", "a\x00b", "cannot contain the NUL character"),
    ],
)
def test_refused_writes_name_the_property(name: str, value: Any, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        apply_changes({}, {name: value})
    assert refused.value.field == f"properties.{name}"
    assert message in refused.value.message


@pytest.mark.parametrize(
    ("name", "type_id", "computed"),
    [
        ("hs_email_optout", None, True),
        ("hs_email_optout_7", 7, True),
        ("hs_email_optout_x", None, False),
        ("hs_email_optout_", None, False),
        ("hs_email_optout_1234567890", None, False),
        ("email", None, False),
    ],
)
def test_computed_property_names(name: str, type_id: int | None, computed: bool) -> None:
    assert optout_type_id(name) == type_id
    assert is_computed(name) is computed


@pytest.mark.parametrize(
    ("requested", "also", "expected"),
    [
        (
            None,
            (),
            ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
        ),
        (
            [],
            (),
            ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
        ),
        (["phone", " phone", ""], (), ("createdate", "hs_object_id", "lastmodifieddate", "phone")),
        (
            None,
            ("company",),
            (
                "company",
                "createdate",
                "email",
                "firstname",
                "hs_object_id",
                "lastmodifieddate",
                "lastname",
            ),
        ),
    ],
)
def test_answers_show_hubspots_defaults_or_the_names_asked(
    requested: list[str] | None, also: tuple[str, ...], expected: tuple[str, ...]
) -> None:
    assert selection(requested, also) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1717594769495", datetime(2024, 6, 5, 13, 39, 29, 495000, UTC)),
        ("0", datetime(1970, 1, 1, tzinfo=UTC)),
        ("2024-06-05T13:39:29.495Z", datetime(2024, 6, 5, 13, 39, 29, 495000, UTC)),
        ("2024-06-05T15:39:29.495+02:00", datetime(2024, 6, 5, 13, 39, 29, 495000, UTC)),
        ("2024-06-05", datetime(2024, 6, 5, tzinfo=UTC)),
    ],
)
def test_instants_parse_from_millis_or_iso(text: str, expected: datetime) -> None:
    assert parse_instant(text) == expected


@pytest.mark.parametrize("text", ["yesterday", "999999999999999", "2024-13-01", ""])
def test_non_instants_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_instant(text)


def test_instants_show_in_utc_with_milliseconds() -> None:
    moment = datetime(2024, 6, 5, 13, 39, 29, 495999, UTC)
    assert format_instant(moment) == "2024-06-05T13:39:29.495Z"
    assert parse_instant(format_instant(moment)) == moment.replace(microsecond=495000)
