"""Hostile input through a real server socket (issue 11): oversized bodies answer 413 before the
body is read, deeply nested JSON and text no database can store (NUL, lone surrogates) answer
400 naming the field, and look-alike addresses stay apart. After every refusal nothing is
written: no ledger entry, subscriber, status, contact, type, job or idempotency key.
"""

import json
import socket
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import Engine, func, select

from consentry.storage import tables
from consentry.storage.job_tables import jobs
from tests.e2e.server import running_server, server_config

JSON_LIMIT = 64 * 1024
UPLOAD_LIMIT = 256 * 1024
WRITES = (
    tables.ledger,
    tables.subscribers,
    tables.subscription_statuses,
    tables.wide_statuses,
    tables.contacts,
    tables.subscription_types,
    tables.suppressions,
    tables.idempotency_keys,
    jobs,
)


def written(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table in WRITES
        }


@pytest.fixture
def small_limits_url(engine: Engine, database_url: str, tmp_path: object) -> Iterator[str]:
    """A server whose body limits are small enough to pass cheaply in a test."""
    config = server_config(database_url, max_body_bytes=JSON_LIMIT, max_upload_bytes=UPLOAD_LIMIT)
    with running_server(config) as url:
        yield url


@pytest.fixture
def token(make_token: Callable[..., str]) -> str:
    return make_token()


def _raw_request(base_url: str, head: str, body: bytes = b"") -> bytes:
    """Send a request over a plain socket and read the answer until the server closes the
    connection (so a test also sees that it does)."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(head.encode("latin-1") + body)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def _chunks_past(limit: int, piece: bytes) -> bytes:
    """Chunks of a chunked body that just pass `limit`, without the final empty chunk: the
    server must answer without waiting for the end (all of it is read, so no reset races the
    answer)."""
    count = limit // len(piece) + 1
    return b"".join(b"%x\r\n%s\r\n" % (len(piece), piece) for _ in range(count))


def _status_and_body(answer: bytes) -> tuple[int, dict[str, object], str]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, json.loads(body), head.decode("latin-1").lower()


def _assert_payload_too_large(body: dict[str, object]) -> None:
    assert body["status"] == "error"
    assert body["category"] == "PAYLOAD_TOO_LARGE"
    assert body["correlationId"]
    assert "larger than" in str(body["message"])


# ---- Oversized bodies -------------------------------------------------------------------------


def test_a_declared_length_over_the_limit_is_answered_before_the_body_is_sent(
    small_limits_url: str, token: str, engine: Engine
) -> None:
    before = written(engine)
    head = (
        "POST /communication-preferences/v4/statuses/batch/write HTTP/1.1\r\n"
        "Host: test\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nIdempotency-Key: big-1\r\n"
        f"Content-Length: {50 * 1024 * 1024}\r\n\r\n"
    )
    status, body, headers = _status_and_body(_raw_request(small_limits_url, head))  # no body sent
    assert status == 413
    _assert_payload_too_large(body)
    assert "connection: close" in headers
    assert written(engine) == before


def test_a_chunked_body_is_cut_off_at_the_limit(
    small_limits_url: str, token: str, engine: Engine
) -> None:
    before = written(engine)
    head = (
        "POST /crm/v3/objects/contacts/batch/create HTTP/1.1\r\n"
        "Host: test\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    piece = b'{"properties":{"email":"a@example.com"}},' * 400  # ~16 KB
    answer = _raw_request(small_limits_url, head, _chunks_past(JSON_LIMIT, piece))
    status, body, _ = _status_and_body(answer)
    assert status == 413
    _assert_payload_too_large(body)
    assert written(engine) == before


def test_an_oversized_write_leaves_its_idempotency_key_unused(
    small_limits_url: str, token: str, engine: Engine
) -> None:
    with httpx.Client(
        base_url=small_limits_url, timeout=30, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        payload = {
            "channel": "EMAIL",
            "statusState": "SUBSCRIBED",
            "subscriptionId": 1,
            "legalBasis": "CONSENT_WITH_NOTICE",
            "legalBasisExplanation": "x" * (JSON_LIMIT + 1),
        }
        url = "/communication-preferences/v4/statuses/key@example.com"
        big = client.post(url, json=payload, headers={"Idempotency-Key": "k-1"})
        assert big.status_code == 413, big.text
        _assert_payload_too_large(big.json())
        assert big.headers["x-request-id"] == big.json()["correlationId"]
        assert written(engine)["idempotency_keys"] == 0
        payload["legalBasisExplanation"] = "Asked us by phone"
        small = client.post(url, json=payload, headers={"Idempotency-Key": "k-1"})
        assert small.status_code == 200, small.text  # the key was not taken by the refusal
        assert "idempotent-replayed" not in small.headers


def test_uploads_have_their_own_larger_limit(
    small_limits_url: str, token: str, engine: Engine
) -> None:
    lines = b"".join(b"reader%06d@example.com\n" % n for n in range(5_000))  # ~120 KB
    assert JSON_LIMIT < len(lines) < UPLOAD_LIMIT
    with httpx.Client(
        base_url=small_limits_url, timeout=60, headers={"Authorization": f"Bearer {token}"}
    ) as client:
        fits = client.post(
            "/api/v1/eligibility/audience?subscriptionId=1",
            content=lines,
            headers={"Content-Type": "text/plain"},
        )
        assert fits.status_code == 200, fits.text
        assert len(fits.text.splitlines()) >= 5_000
    before = written(engine)
    head = (
        "POST /api/v1/imports/optouts?expectRows=20000 HTTP/1.1\r\n"
        "Host: test\r\nContent-Type: text/csv\r\n"
        f"Authorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n\r\n"
    )
    answer = _raw_request(small_limits_url, head, _chunks_past(UPLOAD_LIMIT, lines))
    status, body, _ = _status_and_body(answer)
    assert status == 413
    _assert_payload_too_large(body)
    assert written(engine) == before


def test_the_default_limit_is_ten_megabytes(base_url: str, token: str, engine: Engine) -> None:
    before = written(engine)
    head = (
        "POST /api/v1/subscription-types HTTP/1.1\r\nHost: test\r\n"
        f"Content-Type: application/json\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Length: {10 * 1024 * 1024 + 1}\r\n\r\n"
    )
    status, body, _ = _status_and_body(_raw_request(base_url, head))
    assert status == 413
    assert "10 MB" in str(body["message"])
    assert written(engine) == before


# ---- Deeply nested JSON -----------------------------------------------------------------------

NESTED = "[" * 100_000 + "]" * 100_000
NESTED_ROUTES = [
    ("/communication-preferences/v4/statuses/a@example.com", NESTED),
    ("/communication-preferences/v4/statuses/batch/write", '{"inputs": ' + NESTED + "}"),
    ("/communication-preferences/v3/subscribe", NESTED),
    ("/crm/v3/objects/contacts", '{"properties": ' + NESTED + "}"),
    ("/crm/v3/objects/contacts/search", '{"filterGroups": ' + NESTED + "}"),
    ("/api/v1/subscription-types", NESTED),
    ("/api/v1/eligibility/audience?subscriptionId=1", '{"addresses": ' + NESTED + "}"),
]


@pytest.mark.parametrize(("path", "document"), NESTED_ROUTES, ids=lambda v: v[:40])
def test_deeply_nested_json_is_a_clear_400(
    client: httpx.Client, engine: Engine, path: str, document: str
) -> None:
    before = written(engine)
    answer = client.post(path, content=document, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["category"] == "VALIDATION_ERROR" and body["correlationId"]
    assert written(engine) == before


# ---- Text no database can store, and text stored exactly --------------------------------------

LONE_SURROGATE = "\\ud800"  # as JSON spells it: the parsed string has the surrogate alone


def _post_raw(client: httpx.Client, path: str, document: str) -> httpx.Response:
    return client.post(path, content=document, headers={"Content-Type": "application/json"})


UNSTORABLE = [
    pytest.param(
        "/communication-preferences/v4/statuses/a@example.com",
        '{"channel": "EMAIL", "statusState": "SUBSCRIBED", "subscriptionId": 1,'
        ' "legalBasis": "CONSENT_WITH_NOTICE", "legalBasisExplanation": "a%sb"}',
        "legalBasisExplanation",
        id="v4-explanation",
    ),
    pytest.param(
        "/communication-preferences/v4/statuses/batch/write",
        '{"inputs": [{"subscriberIdString": "a@example.com", "channel": "EMAIL",'
        ' "statusState": "SUBSCRIBED", "subscriptionId": 1, "legalBasis": "CONSENT_WITH_NOTICE",'
        ' "legalBasisExplanation": "a%sb"}]}',
        "legalBasisExplanation",
        id="v4-batch-explanation",
    ),
    pytest.param(
        "/communication-preferences/v3/subscribe",
        '{"emailAddress": "a@example.com", "subscriptionId": "1",'
        ' "legalBasis": "CONSENT_WITH_NOTICE", "legalBasisExplanation": "a%sb"}',
        "legalBasisExplanation",
        id="v3-explanation",
    ),
    pytest.param(
        "/crm/v3/objects/contacts",
        '{"properties": {"email": "a@example.com", "firstname": "a%sb"}}',
        "firstname",
        id="contact-property",
    ),
    pytest.param(
        "/api/v1/subscription-types",
        '{"name": "News%s", "description": "x"}',
        "name",
        id="type-name",
    ),
    pytest.param(
        "/communication-preferences/v4/statuses/batch/read?channel=EMAIL",
        '{"inputs": ["a%s@example.com"]}',
        "",
        id="batch-read-address",
    ),
]


@pytest.mark.parametrize("bad", ["\\u0000", LONE_SURROGATE], ids=["nul", "lone-surrogate"])
@pytest.mark.parametrize(("path", "template", "field"), UNSTORABLE)
def test_text_no_database_can_store_is_refused_naming_the_field(
    client: httpx.Client, engine: Engine, path: str, template: str, field: str, bad: str
) -> None:
    before = written(engine)
    answer = _post_raw(client, path, template % bad)
    assert answer.status_code in (400, 207), answer.text
    text = answer.text
    assert field in text, text
    assert written(engine) == before


def test_a_nul_or_invisible_character_in_an_address_in_the_path_is_refused(
    client: httpx.Client, engine: Engine
) -> None:
    before = written(engine)
    for address in ("a%00@example.com", "a%E2%80%AE@example.com", "a%E2%80%8B@example.com"):
        answer = client.post(
            f"/communication-preferences/v4/statuses/{address}",
            json={"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": 1},
        )
        assert answer.status_code == 400, answer.text
        assert answer.json()["errors"][0]["in"] in ("subscriberIdString", "email"), answer.text
    assert written(engine) == before


def test_direction_overrides_and_zero_width_characters_in_free_text_are_stored_exactly(
    client: httpx.Client,
) -> None:
    tricky = "Jane \u202eeod\u202c \u200bSmith \u05e9\u05dc\u05d5\u05dd"
    created = client.post(
        "/crm/v3/objects/contacts",
        json={"properties": {"email": "tricky@example.com", "firstname": tricky}},
    )
    assert created.status_code == 201, created.text
    read = client.get(f"/crm/v3/objects/contacts/{created.json()['id']}?properties=firstname")
    assert read.json()["properties"]["firstname"] == tricky
    kind = client.post("/api/v1/subscription-types", json={"name": tricky, "description": "d"})
    assert kind.status_code in (200, 201), kind.text
    assert kind.json()["name"] == tricky


def test_a_homoglyph_domain_is_not_the_domain_it_imitates(
    client: httpx.Client, engine: Engine
) -> None:
    genuine, imitation = "jane@paypal.com", "jane@p\u0430ypal.com"  # Cyrillic а
    opted_out = client.post(
        f"/communication-preferences/v4/statuses/{genuine}",
        json={"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": 1},
    )
    assert opted_out.status_code == 200, opted_out.text
    looked_up = client.get(f"/communication-preferences/v4/statuses/{imitation}?channel=EMAIL")
    assert looked_up.status_code == 200, looked_up.text
    statuses = {s["subscriptionId"]: s["status"] for s in looked_up.json()["results"]}
    assert statuses.get(1, "NOT_SPECIFIED") == "NOT_SPECIFIED"
    punycode = client.get(
        "/communication-preferences/v4/statuses/jane@xn--pypal-4ve.com?channel=EMAIL"
    )
    assert [s["status"] for s in punycode.json()["results"]] == [
        s["status"] for s in looked_up.json()["results"]
    ]  # an IDN address is its A-label: one subscriber
    again = client.get(f"/communication-preferences/v4/statuses/{genuine}?channel=EMAIL")
    assert {s["subscriptionId"]: s["status"] for s in again.json()["results"]}[1] == "UNSUBSCRIBED"
