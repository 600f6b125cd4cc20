"""Which language a contact's page and mail are in.

The order (issue 5): the language the link names, then the browser's `Accept-Language`, then
the account's default. Only languages we have catalogs for are chosen; a region or script we do
not have falls back to its language (`de-AT` → `de`), and Chinese goes by script: Taiwan, Hong
Kong, Macao and `Hant` read Traditional, everything else Simplified.
"""

from collections.abc import Sequence

SUPPORTED = ("en", "zh-TW", "zh-CN", "ja", "es", "fr", "de")
DEFAULT = "en"

_TRADITIONAL = frozenset({"tw", "hk", "mo", "hant"})
_BY_LOWER = {code.lower(): code for code in SUPPORTED}
_MAX_HEADER = 1_000


def match(tag: str | None) -> str | None:
    """The supported language a tag asks for, or None."""
    if not tag:
        return None
    parts = tag.strip().replace("_", "-").lower().split("-")
    if not parts[0] or parts[0] == "*":
        return None
    if parts[0] == "zh":
        return "zh-TW" if _TRADITIONAL.intersection(parts[1:]) else "zh-CN"
    return _BY_LOWER.get("-".join(parts)) or _BY_LOWER.get(parts[0])


def accepted(header: str | None) -> list[str]:
    """The tags of an `Accept-Language` header, most wanted first (q=0 dropped)."""
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate((header or "")[:_MAX_HEADER].split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, position, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def preferred(link_language: str | None, accept_language: str | None) -> str | None:
    """The language the link or the browser asks for, if we have it; None to take the default."""
    for tag in (link_language, *accepted(accept_language)):
        found = match(tag)
        if found:
            return found
    return None


def negotiate(
    link_language: str | None, accept_language: str | None, account_default: str = DEFAULT
) -> str:
    """The language to answer in."""
    return preferred(link_language, accept_language) or match(account_default) or DEFAULT


def translation_keys(language: str) -> Sequence[str]:
    """The keys to look a subscription type's translation up by, best first (translations are
    stored lower-case: "zh-tw", "de")."""
    lower = language.lower()
    base = lower.split("-")[0]
    keys = [lower]
    if language == "zh-TW":
        keys += ["zh-hant", "zh-hk"]
    elif language == "zh-CN":
        keys += ["zh-hans", "zh"]
    elif base != lower:
        keys.append(base)
    return keys
