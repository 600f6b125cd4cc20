"""Language negotiation as a table: link, then Accept-Language, then the account default."""

import pytest

from consentry.domain.languages import accepted, match, negotiate, translation_keys


@pytest.mark.parametrize(
    ("tag", "expected"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("de-AT", "de"),
        ("fr_CA", "fr"),
        ("zh-TW", "zh-TW"),
        ("zh-Hant", "zh-TW"),
        ("zh-Hant-HK", "zh-TW"),
        ("zh-HK", "zh-TW"),
        ("zh", "zh-CN"),
        ("zh-Hans-CN", "zh-CN"),
        ("zh-SG", "zh-CN"),
        ("ja-JP", "ja"),
        ("es-419", "es"),
        ("pt-BR", None),
        ("*", None),
        ("", None),
    ],
)
def test_match(tag: str, expected: str | None) -> None:
    assert match(tag) == expected


def test_accept_language_is_ranked_by_quality_then_order() -> None:
    header = "pt-BR;q=0.9, fr;q=0.8, de, it;q=0, ja;q=oops"
    assert accepted(header) == ["de", "pt-BR", "fr"]


@pytest.mark.parametrize(
    ("link", "header", "default", "expected"),
    [
        ("ja", "de,fr", "en", "ja"),  # the link wins
        (None, "pt-BR, fr;q=0.5", "en", "fr"),  # first supported language of the browser
        ("xx", "de", "en", "de"),  # an unknown link language falls through
        (None, None, "es", "es"),  # the account default
        (None, "pt", "xx", "en"),  # and English last
        (None, "zh-TW,zh;q=0.9", "en", "zh-TW"),
    ],
)
def test_negotiate(link: str | None, header: str | None, default: str, expected: str) -> None:
    assert negotiate(link, header, default) == expected


@pytest.mark.parametrize(
    ("language", "keys"),
    [
        ("zh-TW", ["zh-tw", "zh-hant", "zh-hk"]),
        ("zh-CN", ["zh-cn", "zh-hans", "zh"]),
        ("de", ["de"]),
    ],
)
def test_type_translation_keys(language: str, keys: list[str]) -> None:
    assert list(translation_keys(language)) == keys
