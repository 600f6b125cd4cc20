"""`Idempotency-Key` on every write: a repeated request gets the first answer, replayed.

Pure ASGI, so the request body can be read once, fingerprinted and handed on unchanged. Keys
are per token; a key reused for a different request is refused (400), one whose first request
is still running answers 409, and a first attempt that failed on our side (5xx) is forgotten.
"""

import json
import uuid
from typing import Any

import anyio
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.services import idempotency
from consentry.services.idempotency import MAX_KEY_LENGTH, Verdict
from consentry.services.tokens import authenticate

WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# POSTs that only read (HubSpot puts batch reads and searches behind POST): nothing to repeat,
# and an NDJSON audience stream must flow, not be held back and stored.
READ_ONLY_POSTS = (
    "/batch/read",
    "/unsubscribe-all/read",
    "/search",
    "/eligibility/check",
    "/eligibility/batch",
    "/eligibility/audience",
    "/eligibility/audience/contacts",
)
HEADER = b"idempotency-key"


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, engine: Engine) -> None:
        self.app = app
        self.engine = engine

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] not in WRITES
            or scope["path"].endswith(READ_ONLY_POSTS)
        ):
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        key = headers.get(HEADER, b"").decode("latin-1").strip()
        token = await anyio.to_thread.run_sync(self._token, headers)
        if not key or token is None:  # no key, or no valid token: the route answers as usual
            return await self.app(scope, receive, send)
        if len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return await _error(
                send,
                400,
                "VALIDATION_ERROR",
                f"Idempotency-Key must be at most {MAX_KEY_LENGTH} printable characters.",
            )
        body = await _read_body(receive)
        fingerprint = idempotency.request_hash(
            scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"), body
        )
        claim = await anyio.to_thread.run_sync(
            idempotency.claim, self.engine, token, key, scope["method"], scope["path"], fingerprint
        )
        if claim.verdict is Verdict.MISMATCH:
            return await _error(
                send,
                400,
                "VALIDATION_ERROR",
                "This Idempotency-Key was already used for a different request.",
            )
        if claim.verdict is Verdict.IN_PROGRESS:
            return await _error(
                send,
                409,
                "CONFLICT",
                "A request with this Idempotency-Key is still being processed.",
            )
        if claim.verdict is Verdict.REPLAY:
            return await _respond(send, claim.status_code, claim.body.encode(), replayed=True)
        await self._run_and_store(scope, body, send, token, key)

    def _token(self, headers: dict[bytes, bytes]) -> int | None:
        scheme, _, credentials = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = authenticate(self.engine, credentials.strip())
        return token.id if token else None

    async def _run_and_store(
        self, scope: Scope, body: bytes, send: Send, token: int, key: str
    ) -> None:
        """Run the request and store its answer *before* sending it, so a retry that follows
        the answer at once finds it stored, never a pending claim."""
        messages: list[Message] = []

        async def replay_body() -> Message:
            return {"type": "http.request", "body": body, "more_body": False}

        async def hold(message: Message) -> None:
            messages.append(message)

        try:
            await self.app(scope, replay_body, hold)
        except BaseException:
            await anyio.to_thread.run_sync(idempotency.release, self.engine, token, key)
            raise
        start = next((m for m in messages if m["type"] == "http.response.start"), None)
        status = start["status"] if start else 500
        if status >= 500:
            await anyio.to_thread.run_sync(idempotency.release, self.engine, token, key)
        else:
            answer = b"".join(
                m.get("body", b"") for m in messages if m["type"] == "http.response.body"
            )
            await anyio.to_thread.run_sync(
                idempotency.complete, self.engine, token, key, status, answer.decode()
            )
        for message in messages:
            await send(message)


async def _read_body(receive: Receive) -> bytes:
    parts = []
    while True:
        message = await receive()
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(parts)


async def _respond(send: Send, status: int, body: bytes, *, replayed: bool = False) -> None:
    headers: list[tuple[bytes, bytes]] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if replayed:
        headers.append((b"idempotent-replayed", b"true"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _error(send: Send, status: int, category: str, message: str) -> None:
    payload: dict[str, Any] = {
        "status": "error",
        "category": category,
        "correlationId": str(uuid.uuid4()),
        "message": message,
        "context": {},
        "links": {},
        "errors": [{"message": message, "in": "Idempotency-Key"}],
    }
    await _respond(send, status, json.dumps(payload).encode())
