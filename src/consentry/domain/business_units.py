"""Business units (brands) and their branding. Unit 0, "Account", always exists.

Branding is what the preference page shows for a brand: a logo and two colours. It is kept as
a small JSON object under the names below; values are checked here, once, for every writer.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from consentry.domain.errors import InvalidInput

ACCOUNT_UNIT_ID = 0
ACCOUNT_UNIT_NAME = "Account"

LOGO_URL = "logoUrl"
PRIMARY_COLOR = "primaryColor"
ACCENT_COLOR = "accentColor"
BRANDING_KEYS = (LOGO_URL, PRIMARY_COLOR, ACCENT_COLOR)
MAX_URL_LENGTH = 2_000

_HEX_COLOUR = re.compile(r"#(?:[0-9a-f]{3}|[0-9a-f]{6})", re.IGNORECASE)


@dataclass(frozen=True)
class BusinessUnit:
    id: int
    name: str
    branding: dict[str, str] = field(default_factory=dict)


def merge_branding(current: Mapping[str, str], changes: Mapping[str, str | None]) -> dict[str, str]:
    """The branding after `changes`: a value replaces the stored one, None (or "") removes it.

    Colours are hex (`#1a2b3c` or `#abc`, stored lowercase); the logo is an https URL, since
    the preference page is served over HTTPS and a plain-http image would be blocked or leak.
    """
    merged = dict(current)
    for key, raw in changes.items():
        if key not in BRANDING_KEYS:
            raise InvalidInput(
                f"Unknown branding field {key!r}; known fields: {', '.join(BRANDING_KEYS)}.",
                field=f"branding.{key}",
            )
        value = (raw or "").strip()
        if not value:
            merged.pop(key, None)
        elif key == LOGO_URL:
            merged[key] = _https_url(value, f"branding.{key}")
        else:
            merged[key] = _colour(value, f"branding.{key}")
    return merged


def _colour(value: str, where: str) -> str:
    if not _HEX_COLOUR.fullmatch(value):
        raise InvalidInput(
            f"{where}: {value[:40]!r} is not a hex colour; use #rrggbb or #rgb (e.g. #1a73e8).",
            field=where,
        )
    return value.lower()


def _https_url(value: str, where: str) -> str:
    if len(value) > MAX_URL_LENGTH:
        raise InvalidInput(f"{where}: a URL is at most {MAX_URL_LENGTH} characters.", field=where)
    if not _is_https_url(value):
        raise InvalidInput(
            f"{where}: {value[:60]!r} is not an https URL (https://host/path).", field=where
        )
    return value


def _is_https_url(value: str) -> bool:
    if any(character.isspace() for character in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme.lower() == "https" and bool(parts.hostname)
    except ValueError:  # a malformed authority, such as an unclosed IPv6 bracket
        return False
