"""Subscription types' translations (language codes) and display order (reordering)."""

import pytest

from consentry.domain import InvalidInput
from consentry.domain.subscription_types import language_code, reorder


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("de", "de"),
        ("DE", "de"),
        ("pt-br", "pt-br"),
        ("pt_BR", "pt-br"),
        (" zh-TW ", "zh-tw"),
        ("es-419", "es-419"),
        ("zh-Hant", "zh-hant"),
        ("fil", "fil"),
    ],
)
def test_language_codes(raw: str, code: str) -> None:
    assert language_code(raw) == code


@pytest.mark.parametrize(
    "raw", ["", "d", "klingon", "de-", "de-b", "pt-braz1", "en-us-x", "12", "de de", "en--us"]
)
def test_bad_language_codes_name_the_field(raw: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        language_code(raw)
    assert raised.value.field == "languageCode"
    assert "is not a language code" in raised.value.message


@pytest.mark.parametrize(
    ("current", "requested", "order"),
    [
        ([1, 2, 3], [3, 1, 2], [3, 1, 2]),
        ([1, 2, 3], [3], [3, 1, 2]),
        ([1, 2, 3], [2, 1], [2, 1, 3]),
        ([1, 2, 3], [1, 2, 3], [1, 2, 3]),
        ([5, 1, 9], [9], [9, 5, 1]),
    ],
)
def test_reorder_puts_the_named_first_and_keeps_the_rest(
    current: list[int], requested: list[int], order: list[int]
) -> None:
    assert reorder(current, requested) == order


@pytest.mark.parametrize(
    ("requested", "says"),
    [
        ([1, 7, 8], "Unknown subscription type id(s): 7, 8."),
        ([2, 1, 2, 1], "Subscription type id(s) named more than once: 1, 2."),
    ],
)
def test_reorder_refusals_name_the_ids(requested: list[int], says: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        reorder([1, 2, 3], requested)
    assert raised.value.field == "ids"
    assert raised.value.message == says
