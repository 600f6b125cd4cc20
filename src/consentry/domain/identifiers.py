"""Subscriber identity: normalising email addresses and phone numbers (COMPLIANCE.md "Identifiers").

The *key* is what statuses are matched on; the *address* is kept as given, for sending.
"""

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from consentry.domain.channels import Channel
from consentry.domain.errors import InvalidAddress

MAX_ADDRESS_LENGTH = 320  # RFC 5321's practical ceiling for a forward path


def _shown(given: str) -> str:
    """The input as quoted back in an error: enough to recognise it, never a wall of text."""
    return repr(given if len(given) <= 60 else given[:57] + "...")


@dataclass(frozen=True)
class SubscriberId:
    """One address on one channel, as given and as matched."""

    channel: Channel
    key: str
    address: str


# A batch checks an address before it writes it, and email_validator is the slowest step of a
# large import: the answer for a string never changes, so recent ones are remembered.
@lru_cache(maxsize=8192)
def normalise_email(raw: str) -> SubscriberId:
    """Email key: local part NFC and lowercased, domain in lowercase IDNA (A-label) form."""
    given = raw.strip()
    if not given:
        raise InvalidAddress("The email address is empty.", field="email")
    if len(given) > MAX_ADDRESS_LENGTH:
        raise InvalidAddress(
            f"The email address is longer than {MAX_ADDRESS_LENGTH} characters.", field="email"
        )
    plain = _plain_key(given)
    return SubscriberId(Channel.EMAIL, plain, given) if plain else _fully_checked(given)


# Most addresses are plain ASCII: a dot-atom local part of common characters, at a domain that
# repeats across a list. For those the key is the lowercased address — what the full check
# gives — and the domain is checked in full once. Anything else takes the full check.
_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*\Z")
_MAX_EMAIL_LENGTH = 254  # RFC 5321's bound, which email_validator applies
_MAX_LOCAL_LENGTH = 64


def _plain_key(given: str) -> str | None:
    local, at, domain = given.rpartition("@")
    if (
        not at
        or len(given) > _MAX_EMAIL_LENGTH
        or len(local) > _MAX_LOCAL_LENGTH
        or not domain.isascii()
        or not _PLAIN_LOCAL.match(local)
    ):
        return None
    checked = _checked_domain(domain.lower())
    return f"{local.lower()}@{checked}" if checked else None


@lru_cache(maxsize=4096)
def _checked_domain(domain: str) -> str | None:
    """The domain as the full check writes it, or None when the full check refuses it."""
    try:
        valid = validate_email(f"a@{domain}", check_deliverability=False)
    except EmailNotValidError:
        return None
    return (valid.ascii_domain or valid.domain).lower()


def _fully_checked(given: str) -> SubscriberId:
    try:
        valid = validate_email(given, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidAddress(
            f"Invalid email address {_shown(given)}: {error}", field="email"
        ) from None
    local = unicodedata.normalize("NFC", valid.local_part).lower()
    domain = (valid.ascii_domain or valid.domain).lower()
    return SubscriberId(Channel.EMAIL, f"{local}@{domain}", given)


# A whole plain address in one match: the dot-atom local part `_plain_key` takes, at a dotted
# ASCII domain. Lists of millions are keyed through here.
_PLAIN_EMAIL = re.compile(
    r"([A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*)@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+)"
)
_kept_domains: dict[str, bool] = {}  # lowercase domain -> the full check keeps it as it is


def email_key(raw: str) -> str:
    """`normalise_email(raw).key`, for one address of a long list: plain ASCII addresses are
    keyed without building a subscriber; anything else takes `normalise_email` (and its
    refusal, InvalidAddress)."""
    given = raw.strip()
    match = _PLAIN_EMAIL.fullmatch(given)
    if match and len(given) <= _MAX_EMAIL_LENGTH and match.end(1) <= _MAX_LOCAL_LENGTH:
        key = given.lower()
        domain = key[match.end(1) + 1 :]
        kept = _kept_domains.get(domain)
        if kept is None:
            if len(_kept_domains) > 100_000:  # a list of random domains: stay bounded
                _kept_domains.clear()
            kept = _kept_domains[domain] = _checked_domain(domain) == domain
        if kept:
            return key
    return normalise_email(raw).key


# Unicode categories of characters nobody types into a phone number on purpose: control,
# format (direction overrides, zero-width), surrogate, private use and unassigned.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def _has_hidden(text: str) -> bool:
    if text.isascii():
        return not text.isprintable()
    return any(unicodedata.category(ch) in _HIDDEN for ch in text)


def normalise_phone(raw: str, channel: Channel, default_region: str = "US") -> SubscriberId:
    """Phone key: E.164, parsed with libphonenumber in the account's default region."""
    given = raw.strip()
    if not given:
        raise InvalidAddress("The phone number is empty.", field="phone")
    if _has_hidden(given):
        # libphonenumber skips them, but the number is kept as given for sending: a NUL, a
        # direction override or a lone surrogate would be stored (or refused by the database)
        # behind a key that looks clean.
        raise InvalidAddress(
            f"Invalid phone number {_shown(given)}: it contains an invisible or control character.",
            field="phone",
        )
    try:
        number = phonenumbers.parse(given, default_region)
    except phonenumbers.NumberParseException as error:
        raise InvalidAddress(
            f"Invalid phone number {_shown(given)}: {error}", field="phone"
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidAddress(
            f"Invalid phone number {_shown(given)}: not a valid number for its country"
            " (numbers without a +country code are read in the default region"
            f" {default_region}; see the setting default_phone_region).",
            field="phone",
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return SubscriberId(channel, e164, given)


def normalise(raw: str, channel: Channel, default_region: str = "US") -> SubscriberId:
    """Normalise an address for its channel: email for EMAIL, E.164 for SMS and WhatsApp."""
    if channel is Channel.EMAIL:
        return normalise_email(raw)
    return normalise_phone(raw, channel, default_region)
