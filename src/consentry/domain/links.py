"""Signed personal links: the token in every preference and unsubscribe URL.

A token binds the subscriber, the channel, the business unit and (for a single-type link) the
subscription type, with its purpose and the day it was issued. It is sealed SIV-style with two
keys derived from the secret: a 128-bit HMAC tag over the payload, and the payload encrypted
with a keystream derived from that tag. So it cannot be forged (COMPLIANCE.md: HMAC, compared
in constant time), it reveals nothing (not even a row id), and it stays short (~52 characters).

Version 2 tokens carry the issue time to the second (not only the day), so the scanner rule can
tell a click that came seconds after the link was made; version 1 tokens still open.
"""

import base64
import hashlib
import hmac
import struct
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import IntEnum

from consentry.domain.channels import Channel
from consentry.domain.errors import InvalidInput

TOKEN_VERSION = 2
VALID_FOR = timedelta(days=180)  # RFC 8058 senders expect links to work for at least 60 days
_TAG_BYTES = 16
_LAYOUT_V1 = struct.Struct(">BBBQIIH")  # version, purpose, channel, subscriber, unit, type, day
_LAYOUT = struct.Struct(">BBBQIII")  # ... and seconds since the epoch instead of the day
_LAYOUTS = {_LAYOUT_V1.size: (1, _LAYOUT_V1), _LAYOUT.size: (2, _LAYOUT)}
_CHANNELS = (Channel.EMAIL, Channel.SMS, Channel.WHATSAPP)
_EPOCH = date(2020, 1, 1)
_EPOCH_MOMENT = datetime(2020, 1, 1, tzinfo=UTC)


class Purpose(IntEnum):
    MANAGE_PREFERENCES = 1
    UNSUBSCRIBE_ALL = 2
    UNSUBSCRIBE_ONE = 3
    CONFIRM_OPT_IN = 4  # the double opt-in confirmation link of one type


@dataclass(frozen=True)
class LinkClaims:
    purpose: Purpose
    channel: Channel
    subscriber_id: int
    business_unit_id: int
    subscription_type_id: int | None
    issued_on: date
    # To the second (version 2); None for a version 1 token, which knew only the day.
    issued_at: datetime | None = None

    @property
    def issued_moment(self) -> datetime:
        """When the link was made: the exact time, or the start of its day (version 1)."""
        return self.issued_at or datetime.combine(self.issued_on, time(), tzinfo=UTC)


class InvalidLink(InvalidInput):
    """A token that was tampered with, made with another key, or has expired."""


def _keys(secret: str) -> tuple[bytes, bytes]:
    root = secret.encode()
    return (
        hmac.new(root, b"consentry-link-mac", hashlib.sha256).digest(),
        hmac.new(root, b"consentry-link-enc", hashlib.sha256).digest(),
    )


def _stream(key: bytes, tag: bytes, length: int) -> bytes:
    return hmac.new(key, tag, hashlib.sha256).digest()[:length]


def seal(claims: LinkClaims, secret: str) -> str:
    """A token for `claims`: version 2 when the issue time is known, else version 1."""
    mac_key, enc_key = _keys(secret)
    fields = (
        claims.purpose,
        _CHANNELS.index(claims.channel),
        claims.subscriber_id,
        claims.business_unit_id,
        claims.subscription_type_id or 0,
    )
    if claims.issued_at is None:
        payload = _LAYOUT_V1.pack(1, *fields, (claims.issued_on - _EPOCH).days)
    else:
        seconds = int((claims.issued_at - _EPOCH_MOMENT).total_seconds())
        payload = _LAYOUT.pack(TOKEN_VERSION, *fields, seconds)
    tag = hmac.new(mac_key, payload, hashlib.sha256).digest()[:_TAG_BYTES]
    sealed = bytes(a ^ b for a, b in zip(payload, _stream(enc_key, tag, len(payload)), strict=True))
    return base64.urlsafe_b64encode(tag + sealed).rstrip(b"=").decode()


def open_token(token: str, secret: str, today: date) -> LinkClaims:
    """The claims of a genuine, unexpired token; InvalidLink otherwise (never which part failed,
    so a forger learns nothing)."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        raise InvalidLink("This link is not valid.") from None
    canonical = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
    layout = _LAYOUTS.get(len(raw) - _TAG_BYTES)
    if layout is None or not hmac.compare_digest(canonical, token):
        # One token, one spelling: unused bits in the last character must be zero.
        raise InvalidLink("This link is not valid.")
    mac_key, enc_key = _keys(secret)
    tag, sealed = raw[:_TAG_BYTES], raw[_TAG_BYTES:]
    payload = bytes(a ^ b for a, b in zip(sealed, _stream(enc_key, tag, len(sealed)), strict=True))
    expected = hmac.new(mac_key, payload, hashlib.sha256).digest()[:_TAG_BYTES]
    if not hmac.compare_digest(tag, expected):
        raise InvalidLink("This link is not valid.")
    expected_version, struct_ = layout
    version, purpose, channel, subscriber, unit, type_id, when = struct_.unpack(payload)
    if version != expected_version or purpose not in _PURPOSES or channel >= len(_CHANNELS):
        raise InvalidLink("This link is not valid.")
    issued_at = _EPOCH_MOMENT + timedelta(seconds=when) if version == 2 else None
    issued = issued_at.date() if issued_at else _EPOCH + timedelta(days=when)
    if today - issued > VALID_FOR:
        raise InvalidLink("This link has expired.")
    return LinkClaims(
        Purpose(purpose), _CHANNELS[channel], subscriber, unit, type_id or None, issued, issued_at
    )


_PURPOSES = frozenset(int(purpose) for purpose in Purpose)
