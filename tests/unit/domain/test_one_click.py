"""RFC 8058 rules: what counts as a one-click POST, and the headers for a sender."""

import pytest

from consentry.domain import InvalidInput
from consentry.domain.one_click import headers, is_one_click


@pytest.mark.parametrize(
    ("fields", "one_click"),
    [
        ({"List-Unsubscribe": ["One-Click"]}, True),
        ({"List-Unsubscribe": ["One-Click"], "action": ["save"]}, True),
        ({"List-Unsubscribe": ["one-click"]}, False),
        ({"list-unsubscribe": ["One-Click"]}, False),
        ({"List-Unsubscribe": ["Yes"]}, False),
        ({"confirm": ["1"]}, False),
        ({}, False),
    ],
)
def test_is_one_click(fields: dict[str, list[str]], one_click: bool) -> None:
    assert is_one_click(fields) is one_click


def test_headers_with_one_https_uri_and_a_mailto() -> None:
    url = "https://prefs.example.com/unsubscribe/abc"
    assert headers(url, "unsubscribe@example.com") == {
        "List-Unsubscribe": f"<{url}>, <mailto:unsubscribe@example.com>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    assert headers(url)["List-Unsubscribe"] == f"<{url}>"


@pytest.mark.parametrize(
    ("url", "mailto"),
    [("http://prefs.example.com/unsubscribe/abc", None), ("https://x/u", "a b@example.com")],
)
def test_headers_refuse_plain_http_and_bad_mailto(url: str, mailto: str | None) -> None:
    with pytest.raises(InvalidInput):
        headers(url, mailto)
