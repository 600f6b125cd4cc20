"""Contact properties: their names, their values on the wire, and the ones nobody may write.

A contact is a bag of named string properties, as in HubSpot. Three are kept by the system
(`hs_object_id`, `createdate`, `lastmodifieddate`) and the email opt-out ones are computed from the
address's statuses (`hs_email_optout`, `hs_email_optout_<subscriptionId>`): all of these are
read-only. Values travel as strings; `null` or `""` clears a property.
"""

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from consentry.domain.errors import InvalidInput

# Lowercase-first names like HubSpot's internal names, and nothing that would need quoting in a
# JSON path: a property name is spliced into SQL JSON extraction by the storage layer.
PROPERTY_NAME = re.compile(r"\A[A-Za-z_][A-Za-z0-9_-]{0,99}\Z")
MAX_VALUE_LENGTH = 65_536  # HubSpot's ceiling for a property value

OBJECT_ID = "hs_object_id"
CREATED = "createdate"
MODIFIED = "lastmodifieddate"
EMAIL = "email"
# Where a contact keeps its phone number, in the order a text message looks for it.
PHONE_PROPERTIES = ("phone", "mobilephone")
EMAIL_OPTOUT = "hs_email_optout"
_EMAIL_OPTOUT_TYPE = re.compile(r"\Ahs_email_optout_([0-9]{1,9})\Z")

SYSTEM_PROPERTIES = frozenset({OBJECT_ID, CREATED, MODIFIED})
INSTANT_PROPERTIES = frozenset({CREATED, MODIFIED})
# What HubSpot answers when the caller names no properties; when it names some, it gets those
# and always these three.
DEFAULT_PROPERTIES = (CREATED, EMAIL, "firstname", OBJECT_ID, MODIFIED, "lastname")
ALWAYS_RETURNED = (CREATED, OBJECT_ID, MODIFIED)
# What a free-text `query` in a search looks in (HubSpot's default searchable properties).
SEARCHABLE_PROPERTIES = ("email", "firstname", "lastname", "phone", "mobilephone", "company")

PropertyValue = str | int | float | bool | None
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def optout_type_id(name: str) -> int | None:
    """The subscription type id of an `hs_email_optout_<id>` property; None for other names."""
    found = _EMAIL_OPTOUT_TYPE.match(name)
    return int(found.group(1)) if found else None


def is_computed(name: str) -> bool:
    """Whether the property is computed from statuses rather than stored."""
    return name == EMAIL_OPTOUT or optout_type_id(name) is not None


def check_name(name: object, field: str) -> str:
    if not isinstance(name, str) or not PROPERTY_NAME.match(name):
        raise InvalidInput(
            f"{field}: {name!r} is not a property name (letters, digits, '_' and '-',"
            " starting with a letter or '_', at most 100 characters).",
            field=field,
        )
    return name


def check_writable(name: str, field: str) -> None:
    check_name(name, field)
    if name in SYSTEM_PROPERTIES:
        raise InvalidInput(f"{field}: the property {name!r} is read-only.", field=field)
    if name.startswith(EMAIL_OPTOUT):
        raise InvalidInput(
            f"{field}: {name!r} is computed from the address's subscription statuses and"
            " cannot be set; change the statuses through the communication preferences API.",
            field=field,
        )


def wire_value(value: object, field: str) -> str | None:
    """A property value as stored: a string, or None for "no value" (null or empty)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if not isinstance(value, str):
        raise InvalidInput(f"{field}: a property value must be a string or null.", field=field)
    if len(value) > MAX_VALUE_LENGTH:
        raise InvalidInput(
            f"{field}: the value is longer than {MAX_VALUE_LENGTH} characters.", field=field
        )
    return check_text(value, field) or None


def check_text(value: str, field: str) -> str:
    """Refuse the NUL character (PostgreSQL text cannot hold it) and lone UTF-16 surrogates
    (JSON's \\u escapes can spell them; no UTF-8 database or answer can), so no stored value
    has either."""
    if "\x00" in value:
        raise InvalidInput(f"{field}: a value cannot contain the NUL character.", field=field)
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidInput(
                f"{field}: a value must be valid Unicode text (it has a lone surrogate).",
                field=field,
            ) from None
    return value


def apply_changes(
    stored: Mapping[str, str], changes: Mapping[str, object], field: str = "properties"
) -> dict[str, str]:
    """The stored properties after a write: given values replace, null or "" removes."""
    result = dict(stored)
    for name, raw in changes.items():
        where = f"{field}.{name}"
        check_writable(name, where)
        value = wire_value(raw, where)
        if value is None:
            result.pop(name, None)
        else:
            result[name] = value
    return result


def selection(requested: Iterable[str] | None, also: Iterable[str] = ()) -> tuple[str, ...]:
    """The properties an answer shows, sorted as HubSpot sorts them.

    Nothing asked for: HubSpot's defaults (plus `also`, the names a write just set). Some asked
    for: those, and the three every answer carries.
    """
    asked = {name.strip() for name in requested or () if name.strip()}
    base = set(ALWAYS_RETURNED) if asked else set(DEFAULT_PROPERTIES)
    return tuple(sorted(base | asked | set(also)))


def show(values: Mapping[str, str | None], names: Iterable[str]) -> dict[str, str | None]:
    """The named properties, null where a contact has no value."""
    return {name: values.get(name) for name in names}


def format_instant(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds, HubSpot's format: 2024-06-05T13:39:29.495Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_instant(text: str) -> datetime:
    """An instant from epoch milliseconds or ISO-8601 (a date alone is its midnight UTC).

    Raises ValueError. A time without an offset is read as UTC.
    """
    text = text.strip()
    if re.fullmatch(r"-?[0-9]{1,15}", text):
        try:
            return _EPOCH + timedelta(milliseconds=int(text))
        except OverflowError:
            raise ValueError(f"{text} milliseconds is out of range") from None
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def address_on(
    channel_is_phone: bool, properties: Mapping[str, str], phone_key: str | None
) -> str | None:
    """The contact's address on a channel: its email, or its phone number (the normalised key
    when stored, else the first phone property given)."""
    if not channel_is_phone:
        return properties.get(EMAIL) or None
    if phone_key:
        return phone_key
    for name in PHONE_PROPERTIES:
        if properties.get(name):
            return properties[name]
    return None
