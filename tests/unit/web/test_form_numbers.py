"""Ids typed or tampered into admin forms: only plain ids are taken, anything else is the
default (never a 500 from int())."""

import pytest

from consentry.web.admin.pages import number


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("0", 0), ("42", 42), ("2147483647", 2147483647)],
)
def test_plain_ids_are_taken(raw: str, expected: int) -> None:
    assert number(raw) == expected


@pytest.mark.parametrize("raw", ["", "¹", "٣", "-1", "1.5", "2147483648", "9" * 30, " 1"])
def test_anything_else_is_the_default(raw: str) -> None:
    assert number(raw) is None
    assert number(raw, 7) == 7
