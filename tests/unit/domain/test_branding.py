"""A business unit's branding: https logo URLs and hex colours, merged field by field."""

import pytest

from consentry.domain import InvalidInput
from consentry.domain.business_units import merge_branding

CURRENT = {"logoUrl": "https://brand.example/logo.png", "primaryColor": "#112233"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, CURRENT),
        ({"accentColor": "#ABCDEF"}, {**CURRENT, "accentColor": "#abcdef"}),
        ({"primaryColor": "#FfF"}, {**CURRENT, "primaryColor": "#fff"}),
        ({"primaryColor": None}, {"logoUrl": CURRENT["logoUrl"]}),
        ({"primaryColor": "  "}, {"logoUrl": CURRENT["logoUrl"]}),
        (
            {"logoUrl": " https://cdn.example/a.svg?v=2 "},
            {**CURRENT, "logoUrl": "https://cdn.example/a.svg?v=2"},
        ),
        (
            {"logoUrl": "HTTPS://cdn.example/a.png"},
            {**CURRENT, "logoUrl": "HTTPS://cdn.example/a.png"},
        ),
        ({"logoUrl": None, "primaryColor": None}, {}),
    ],
)
def test_merge(changes: dict[str, str | None], expected: dict[str, str]) -> None:
    assert merge_branding(CURRENT, changes) == expected


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        ({"primaryColor": "red"}, "branding.primaryColor", "is not a hex colour"),
        ({"primaryColor": "#12345"}, "branding.primaryColor", "is not a hex colour"),
        ({"accentColor": "123456"}, "branding.accentColor", "is not a hex colour"),
        ({"accentColor": "#12345g"}, "branding.accentColor", "is not a hex colour"),
        ({"logoUrl": "http://brand.example/logo.png"}, "branding.logoUrl", "is not an https URL"),
        ({"logoUrl": "javascript:alert(1)"}, "branding.logoUrl", "is not an https URL"),
        ({"logoUrl": "https:///no-host"}, "branding.logoUrl", "is not an https URL"),
        ({"logoUrl": "https://[::1/broken"}, "branding.logoUrl", "is not an https URL"),
        ({"logoUrl": "https://a.example/x y.png"}, "branding.logoUrl", "is not an https URL"),
        ({"logoUrl": "https://a.example/" + "x" * 2_000}, "branding.logoUrl", "at most 2000"),
        ({"fontFamily": "Arial"}, "branding.fontFamily", "Unknown branding field"),
    ],
)
def test_refusals_name_the_field(changes: dict[str, str | None], field: str, says: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        merge_branding(CURRENT, changes)
    assert raised.value.field == field
    assert says in raised.value.message
