"""Outbound webhooks: URLs and event types a subscription accepts, who gets an event, the
signature, and the retry schedule."""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest

from consentry.domain import InvalidInput
from consentry.domain.events import Event, EventType, Position
from consentry.domain.webhooks import (
    RetryPolicy,
    Subscription,
    body_bytes,
    headers,
    masked,
    parse_event_types,
    parse_url,
    payload,
    sign,
    succeeded,
    verify,
)

T0 = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "https://crm.example.com/hooks/consentry",
        "http://127.0.0.1:8080/in",
        "https://example.com/path?token=abc",
    ],
)
def test_http_and_https_urls_with_a_host_are_accepted(url: str) -> None:
    assert parse_url(f"  {url} ") == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "ftp://example.com/x",
        "example.com/hook",
        "https://",
        "javascript:alert(1)",
        "https://user:pw@example.com/",
        "https://example.com/#frag",
        "https://example.com:99999999/",
        "https://example.com/" + "a" * 2000,
    ],
)
def test_other_urls_are_refused_naming_the_url_field(url: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_url(url)
    assert raised.value.field == "url"


@pytest.mark.parametrize(
    ("named", "expected"),
    [
        (["contact.created"], (EventType.CONTACT_CREATED,)),
        (
            ["import.completed", "subscription.status_changed", "import.completed"],
            (EventType.STATUS_CHANGED, EventType.IMPORT_COMPLETED),
        ),
    ],
)
def test_event_types_are_kept_once_each_in_a_stable_order(
    named: list[str], expected: tuple[EventType, ...]
) -> None:
    assert parse_event_types(named) == expected


@pytest.mark.parametrize("named", [[], ["contact.deleted"], ["contact.created", "nope"]])
def test_no_or_unknown_event_types_are_refused_naming_event_types(named: list[str]) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_event_types(named)
    assert raised.value.field == "eventTypes"


def _subscription(active: bool = True, start_row: int = 10) -> Subscription:
    return Subscription(
        id=1,
        url="https://example.com/",
        event_types=(EventType.STATUS_CHANGED,),
        secret="s" * 20,
        active=active,
        description="",
        start_row=start_row,
        created_at=T0,
        created_by="test",
        updated_at=T0,
    )


def _event(type_: EventType = EventType.STATUS_CHANGED, row: int = 11, entry: int = 0) -> Event:
    return Event(id=f"event-{row}", type=type_, occurred_at=T0, position=Position(row, entry))


@pytest.mark.parametrize(
    ("active", "event", "wanted"),
    [
        (True, _event(), True),
        (False, _event(), False),  # paused
        (True, _event(EventType.CONTACT_CREATED), False),  # another type
        (True, _event(row=10), False),  # the end of the log when it was made
        (True, _event(row=10, entry=99), False),  # a ledger entry of that last row
        (True, _event(row=9), False),
        (True, _event(row=11, entry=5), True),
    ],
)
def test_a_subscription_gets_only_later_events_of_its_types_while_active(
    active: bool, event: Event, wanted: bool
) -> None:
    assert _subscription(active=active).wants(event) is wanted


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"id":"event-1"}'
    expected = hmac.new(b"topsecret", b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign("topsecret", 1700000000, body) == f"v1={expected}"


def test_headers_carry_the_event_id_timestamp_and_signature() -> None:
    body = body_bytes({"id": "ledger-5"})
    sent = headers("k" * 16, "ledger-5", 1700000000, body)
    assert sent["Consentry-Event-Id"] == "ledger-5"
    assert sent["Consentry-Timestamp"] == "1700000000"
    assert sent["Consentry-Signature"] == sign("k" * 16, 1700000000, body)


BODY = b'{"a":1}'
GOOD = sign("secret-secret-16", 1000, BODY)


@pytest.mark.parametrize(
    ("secret", "timestamp", "body", "signature", "now", "valid"),
    [
        ("secret-secret-16", "1000", BODY, GOOD, 1000, True),
        ("secret-secret-16", "1000", BODY, GOOD, 1300, True),  # within 5 minutes
        ("secret-secret-16", "1000", BODY, GOOD, 1301, False),  # a replay, later
        ("secret-secret-16", "1000", BODY, GOOD, 699, False),  # from the future
        ("secret-secret-16", "1001", BODY, GOOD, 1000, False),  # timestamp changed
        ("secret-secret-16", "1000", b'{"a":2}', GOOD, 1000, False),  # body changed
        ("another-secret-1", "1000", BODY, GOOD, 1000, False),
        ("secret-secret-16", "soon", BODY, GOOD, 1000, False),
        ("secret-secret-16", "1000", BODY, f"v1=00, {GOOD}", 1000, True),  # rotation
        ("secret-secret-16", "1000", BODY, "", 1000, False),
    ],
)
def test_verify(
    secret: str, timestamp: str, body: bytes, signature: str, now: int, valid: bool
) -> None:
    assert verify(secret, timestamp, body, signature, now=now) is valid


def test_the_payload_names_the_event_in_camel_case() -> None:
    event = Event(
        id="ledger-7",
        type=EventType.STATUS_CHANGED,
        occurred_at=T0,
        position=Position(3, 7),
        contact_id=4,
        subscriber_id=5,
        data={"status": "SUBSCRIBED"},
    )
    assert payload(event) == {
        "id": "ledger-7",
        "type": "subscription.status_changed",
        "occurredAt": "2026-12-03T12:00:00+00:00",
        "contactId": 4,
        "subscriberId": 5,
        "data": {"status": "SUBSCRIBED"},
    }


@pytest.mark.parametrize(
    ("status", "delivered"),
    [
        (200, True),
        (204, True),
        (299, True),
        (301, False),
        (410, False),
        (500, False),
        (None, False),
    ],
)
def test_only_2xx_delivers(status: int | None, delivered: bool) -> None:
    assert succeeded(status) is delivered


POLICY = RetryPolicy()


@pytest.mark.parametrize(
    ("attempts", "jitter", "wait"),
    [
        (1, 0.0, timedelta(seconds=15)),
        (1, 0.999999, timedelta(seconds=30) * (0.5 + 0.999999 / 2)),
        (2, 0.0, timedelta(seconds=30)),
        (3, 1.0, timedelta(seconds=120)),
        (7, 1.0, timedelta(seconds=30 * 64)),
        (8, 1.0, timedelta(hours=1)),  # capped
        (40, 1.0, timedelta(hours=1)),
        (40, 0.0, timedelta(minutes=30)),  # jitter spreads even the longest wait
    ],
)
def test_retries_back_off_exponentially_with_jitter(
    attempts: int, jitter: float, wait: timedelta
) -> None:
    assert POLICY.delay(attempts, jitter) == wait


@pytest.mark.parametrize(
    ("age", "gives_up"),
    [
        (timedelta(0), False),
        (timedelta(hours=23, minutes=59), False),
        (timedelta(hours=24), True),
        (timedelta(days=3), True),
    ],
)
def test_a_delivery_is_retried_for_24_hours_then_given_up(age: timedelta, gives_up: bool) -> None:
    now = T0 + age
    retry = POLICY.next_attempt(5, T0, now, 0.5)
    assert (retry is None) is gives_up
    if retry is not None:
        assert retry > now


def test_a_retried_delivery_is_tried_many_times_in_its_24_hours() -> None:
    at, attempts = T0, 0
    while (retry := POLICY.next_attempt(attempts + 1, T0, at, 0.0)) is not None:
        at, attempts = retry, attempts + 1
    assert attempts >= 20
    assert at - T0 >= timedelta(hours=23)


def test_a_shrunk_policy_keeps_its_shape_and_its_24_hours() -> None:
    quick = RetryPolicy.scaled(0.05)
    assert quick.delay(1, 1.0) == timedelta(seconds=0.05)
    assert quick.longest == timedelta(seconds=0.05) * 128
    assert quick.give_up_after == timedelta(hours=24)


def test_a_secret_is_masked_after_creation() -> None:
    shown = masked("whsec_abcdefghijklmnop")
    assert shown == "whsec_••••••••mnop"
    assert "abcdefghijklmnop" not in shown
    assert masked("a-secret-of-my-own-1234") == "••••••••1234"
