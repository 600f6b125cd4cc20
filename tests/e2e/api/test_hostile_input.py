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
