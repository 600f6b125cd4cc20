"""Message catalogs of the contact-facing pages and mail (Babel `.po` files, one per language).

The catalogs are read from the `.po` sources at first use and compiled in memory, so a fresh
checkout needs no build step; English is the source language (the msgids). Both the public pages
(`web.public`) and the mail (`services.mail`) translate through `translations(language)`.
"""

import gettext
import re
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOG_DIR = Path(__file__).parent
DOMAIN = "messages"

# Our language codes (domain.languages.SUPPORTED) to catalog directories.
DIRECTORIES = {"zh-TW": "zh_TW", "zh-CN": "zh_CN", "ja": "ja", "es": "es", "fr": "fr", "de": "de"}


def catalog_path(language: str) -> Path:
    return CATALOG_DIR / DIRECTORIES[language] / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=16)
def translations(language: str) -> gettext.NullTranslations:
    """The translations of one language; English (or an unknown language) is the identity."""
    if language not in DIRECTORIES:
        return gettext.NullTranslations()
    with catalog_path(language).open("rb") as source:
        catalog = read_po(source, locale=DIRECTORIES[language])
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


# `_("…")` in templates and code (adjacent literals joined, as Python does): what the catalogs
# must translate.
_MARKED = re.compile(r"""\b_\(\s*((?:"(?:[^"\\]|\\.)*"\s*)+)[,)]""")
_LITERAL = re.compile(r'"((?:[^"\\]|\\.)*)"')


def marked_messages(*roots: Path) -> set[str]:
    """Every msgid marked with `_("…")` in the templates and Python files under `roots`."""
    found: set[str] = set()
    for root in roots:
        for path in root.rglob("*"):
            if path.suffix in {".html", ".txt", ".py"}:
                text = path.read_text(encoding="utf-8")
                for literals in _MARKED.findall(text):
                    pieces = _LITERAL.findall(literals)
                    found.add("".join(piece.replace('\\"', '"') for piece in pieces))
    return found
