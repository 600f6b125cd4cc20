"""Outbound webhooks: what a subscription accepts, what a delivery looks like on the wire, how
it is signed, and when a failed delivery is tried again.

Inbound provider signatures (Twilio, WhatsApp) are `domain.webhook_signatures`; this module is
only about the requests Consentry sends.

A request carries `Consentry-Event-Id`, `Consentry-Timestamp` (Unix seconds) and
`Consentry-Signature: v1=<hex>`, the HMAC-SHA256 of `f"{timestamp}.{body}"` under the
subscription's secret. Signing the timestamp with the body lets a receiver reject replays:
`verify` refuses a timestamp more than `tolerance` seconds away from its clock.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from consentry.domain.errors import InvalidInput
from consentry.domain.events import Event, EventType

EVENT_ID_HEADER = "Consentry-Event-Id"
TIMESTAMP_HEADER = "Consentry-Timestamp"
SIGNATURE_HEADER = "Consentry-Signature"
SIGNATURE_VERSION = "v1"
MIN_SECRET_LENGTH = 16
MAX_SECRET_LENGTH = 128
MAX_URL_LENGTH = 2000


class DeliveryState(StrEnum):
    PENDING = "PENDING"  # to be sent at `next_attempt_at` (a first try or a retry)
    DELIVERED = "DELIVERED"  # the receiver answered 2xx
    FAILED = "FAILED"  # retried for the whole retry period, then given up


@dataclass(frozen=True)
class Subscription:
    id: int
    url: str
    event_types: tuple[EventType, ...]
    secret: str
    active: bool
    description: str
    start_row: int  # only events after this row of the event log are sent
    created_at: datetime
    created_by: str
    updated_at: datetime

    def wants(self, event: Event) -> bool:
        """Whether this subscription gets `event` (paused ones get none while paused)."""
        return (
            self.active and event.type in self.event_types and event.position.row > self.start_row
        )


@dataclass(frozen=True)
class Delivery:
    id: int
    subscription_id: int
    event_id: str
    event_type: str
    payload: dict[str, Any]
    state: DeliveryState
    attempts: int
    created_at: datetime
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_latency_ms: int | None
    last_error: str | None
    delivered_at: datetime | None


@dataclass(frozen=True)
class Attempt:
    delivery_id: int
    at: datetime
    status_code: int | None
    latency_ms: int
    error: str | None


# --- subscriptions ------------------------------------------------------------------------


def parse_url(value: str) -> str:
    """A receiver's URL: absolute http:// or https:// with a host, no credentials or fragment."""
    url = value.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise InvalidInput("The webhook URL must be 1 to 2000 characters.", field="url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"{value!r} is not an http:// or https:// URL with a host.", field="url")
    if parts.username or parts.password:
        raise InvalidInput("Put no credentials in the webhook URL; it is signed.", field="url")
    if parts.fragment:
        raise InvalidInput("A webhook URL has no #fragment.", field="url")
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError as error:
        raise InvalidInput(f"{value!r} has an invalid port.", field="url") from error
    return url


def parse_event_types(values: Iterable[str]) -> tuple[EventType, ...]:
    """The event types named, each once, in the order of `EventType`; at least one."""
    known = {member.value: member for member in EventType}
    named = [value.strip() for value in values]
    unknown = [value for value in named if value not in known]
    if unknown:
        raise InvalidInput(
            f"Unknown event type {unknown[0]!r}; known: {', '.join(known)}.", field="eventTypes"
        )
    if not named:
        raise InvalidInput("Name at least one event type.", field="eventTypes")
    return tuple(member for member in EventType if member.value in named)


def parse_secret(value: str) -> str:
    secret = value.strip()
    if not MIN_SECRET_LENGTH <= len(secret) <= MAX_SECRET_LENGTH:
        raise InvalidInput(
            f"A webhook secret has {MIN_SECRET_LENGTH} to {MAX_SECRET_LENGTH} characters.",
            field="secret",
        )
    return secret


def masked(secret: str) -> str:
    """How a stored secret is shown after creation: enough to tell two apart, no more — its
    last four characters (generated secrets all begin "whsec_", so the start tells nothing)."""
    prefix = "whsec_" if secret.startswith("whsec_") else ""
    return f"{prefix}{'•' * 8}{secret[-4:]}"


# --- the wire -----------------------------------------------------------------------------


def payload(event: Event) -> dict[str, Any]:
    """The JSON body of the request that delivers `event`."""
    return {
        "id": event.id,
        "type": event.type.value,
        "occurredAt": event.occurred_at.isoformat(),
        "contactId": event.contact_id,
        "subscriberId": event.subscriber_id,
        "data": event.data,
    }


# A test request (`consentry webhooks test`): the shape of an event, but none of the log's, so
# a receiver can answer it and otherwise ignore it.
PING = "webhook.ping"


def ping_payload(ping_id: str, subscription_id: int, at: datetime) -> dict[str, Any]:
    return {
        "id": ping_id,
        "type": PING,
        "occurredAt": at.isoformat(),
        "contactId": None,
        "subscriberId": None,
        "data": {"webhookId": subscription_id},
    }


def body_bytes(body: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed): compact JSON, keys in a stable order."""
    return json.dumps(body, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The `Consentry-Signature` header value for a body sent at `timestamp`."""
    message = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def headers(secret: str, event_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        EVENT_ID_HEADER: event_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    now: int,
    tolerance: int = 300,
) -> bool:
    """What a receiver checks: the signature matches and the timestamp is recent. A signature
    header may list several `v1=` values (comma-separated) while a secret is rotated."""
    try:
        sent_at = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent_at) > tolerance:
        return False
    expected = sign(secret, sent_at, body)
    offered = [part.strip() for part in signature.split(",")]
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)


# --- retries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter: the n-th retry waits base·2ⁿ⁻¹ (at most `longest`),
    scaled by a random factor in [0.5, 1); a delivery first tried more than `give_up_after`
    ago is given up (FAILED)."""

    base: timedelta = timedelta(seconds=30)
    longest: timedelta = timedelta(hours=1)
    give_up_after: timedelta = timedelta(hours=24)

    @classmethod
    def scaled(cls, base_seconds: float) -> "RetryPolicy":
        """The policy for a base delay (tests shrink it); the longest wait keeps its ratio to
        the base (2⁷), the retry period stays 24 hours."""
        base = timedelta(seconds=base_seconds)
        return cls(base=base, longest=min(base * 128, timedelta(hours=1)))

    def delay(self, attempts: int, jitter: float) -> timedelta:
        """The wait after the `attempts`-th failed attempt; `jitter` is uniform in [0, 1)."""
        exponent = min(max(attempts, 1) - 1, 30)
        wait: timedelta = min(self.base * (2**exponent), self.longest)
        factor = 0.5 + min(max(jitter, 0.0), 1.0) / 2
        return wait * factor

    def next_attempt(
        self, attempts: int, first_attempt_at: datetime, now: datetime, jitter: float
    ) -> datetime | None:
        """When to try again after a failure, or None to give up."""
        if now - first_attempt_at >= self.give_up_after:
            return None
        return now + self.delay(attempts, jitter)


def succeeded(status_code: int | None) -> bool:
    """2xx delivers; any other answer, a timeout or a refused connection is retried."""
    return status_code is not None and 200 <= status_code < 300


def short_error(status_code: int | None, error: str | None, body: str = "") -> str | None:
    """What the delivery log says about a failed attempt."""
    if error:
        return error[:500]
    if succeeded(status_code):
        return None
    return f"HTTP {status_code}: {body[:200]}".rstrip(": ")


def subscription_ids(subscriptions: Sequence[Subscription], event: Event) -> list[int]:
    """The subscriptions that get `event`, in id order."""
    return [s.id for s in subscriptions if s.wants(event)]
