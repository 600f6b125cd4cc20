"""One-click unsubscribe (RFC 8058): what a POST must carry, and the headers a sender adds.

A one-click POST is recognised by the single field `List-Unsubscribe=One-Click`; every other
field is ignored (never acted on). The headers are `List-Unsubscribe` with exactly one HTTPS
URI (optionally followed by a mailto: URI) and `List-Unsubscribe-Post`.
"""

from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from consentry.domain.errors import InvalidInput

FIELD = "List-Unsubscribe"
VALUE = "One-Click"
POST_HEADER_VALUE = f"{FIELD}={VALUE}"


def is_one_click(fields: Mapping[str, Sequence[str]]) -> bool:
    """Whether a form POST is an RFC 8058 one-click request (field values as lists)."""
    return any(value.strip() == VALUE for value in fields.get(FIELD, ()))


def headers(unsubscribe_url: str, mailto: str | None = None) -> dict[str, str]:
    """The `List-Unsubscribe` and `List-Unsubscribe-Post` header values for one link."""
    parts = urlsplit(unsubscribe_url)
    if parts.scheme != "https" or not parts.hostname:
        raise InvalidInput(
            f"{unsubscribe_url[:60]!r} is not an https URL: RFC 8058 needs HTTPS (set"
            " CONSENTRY_PUBLIC_URL to the https address contacts reach).",
            field="public_url",
        )
    uris = [f"<{unsubscribe_url}>"]
    if mailto:
        address = mailto.removeprefix("mailto:")
        if "@" not in address or any(c in address for c in "<>, \r\n"):
            raise InvalidInput(f"{mailto[:60]!r} is not a mail address.", field="mailto")
        uris.append(f"<mailto:{address}>")
    return {"List-Unsubscribe": ", ".join(uris), "List-Unsubscribe-Post": POST_HEADER_VALUE}
