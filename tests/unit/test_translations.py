"""Every word of the public pages and mail is translated into every supported language, with
its placeholders intact (a missing or broken translation would show English, or crash)."""

import re
from pathlib import Path

import pytest

import consentry
from consentry.domain.languages import SUPPORTED
from consentry.locale import DIRECTORIES, marked_messages, translations

ROOT = Path(consentry.__file__).parent
MESSAGES = sorted(marked_messages(ROOT / "web" / "public", ROOT / "services" / "mail"))
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def test_every_supported_language_but_english_has_a_catalog() -> None:
    assert sorted(DIRECTORIES) == sorted(code for code in SUPPORTED if code != "en")


def test_the_pages_mark_their_words() -> None:
    assert "Save my preferences" in MESSAGES
    assert "Unsubscribe from all" in MESSAGES
    assert len(MESSAGES) > 50


@pytest.mark.parametrize("language", sorted(DIRECTORIES))
def test_every_message_is_translated_with_its_placeholders(language: str) -> None:
    gettext = translations(language).gettext
    untranslated = [m for m in MESSAGES if gettext(m) == m]
    assert untranslated == []
    broken = [
        m
        for m in MESSAGES
        if sorted(PLACEHOLDER.findall(gettext(m))) != sorted(PLACEHOLDER.findall(m))
    ]
    assert broken == []


def test_english_is_the_source_text() -> None:
    assert translations("en").gettext("Unsubscribe") == "Unsubscribe"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("zh-TW", "取消訂閱"), ("zh-CN", "退订"), ("ja", "配信停止"), ("de", "Abmelden")],
)
def test_a_word_in_each_script(language: str, expected: str) -> None:
    assert translations(language).gettext("Unsubscribe") == expected
