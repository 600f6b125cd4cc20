"""How large a request body may be: 413 in HubSpot's error shape beyond the limit.

A JSON body is parsed whole, so without a ceiling one request could fill the server's memory;
uploads (an opt-out list, an audience) are spooled to disk and have a larger ceiling of their
own. Pure ASGI and outside every part that buffers a body (the idempotency layer reads it
whole): a declared `Content-Length` over the limit is answered before one byte of the body is
read, and a body without one (chunked) is counted as it streams and cut off at the limit. Either
way the route never runs, so nothing is written.
"""

import json
import uuid
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.config import Config

# Routes that take a file rather than a JSON document; each spools its body to disk.
UPLOAD_PATHS = frozenset({"/api/v1/imports/optouts", "/api/v1/eligibility/audience"})
_MB = 1024 * 1024
# The unread rest of a refused body would be taken for the next request (or drained at the
# sender's pace): the connection is closed instead.
_CLOSE = (b"connection", b"close")


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the limit. An HTTP error, so that a
    route reading its body passes it on (FastAPI turns any other error while parsing a body
    into a 400) and api.errors answers it; raised outside the routes, it is answered here."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, _message(limit))


class BodyLimit:
    def __init__(self, app: ASGIApp, config: Config) -> None:
        self.app = app
        self.max_bytes = config.max_body_bytes
        self.max_upload_bytes = config.max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.max_upload_bytes if scope["path"] in UPLOAD_PATHS else self.max_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            return await _too_large(scope, send, limit)

        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if received > limit:  # answered by api.errors: still drop the unread rest
                    message = {**message, "headers": [*message.get("headers", []), _CLOSE]}
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if started:  # an answer already under way cannot become a 413
                raise
            await _too_large(scope, send, limit)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


def _message(limit: int) -> str:
    shown = f"{limit // _MB} MB" if limit >= _MB else f"{limit:,} bytes"
    return f"The request body is larger than {shown}; nothing was changed."


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    message = _message(limit)
    correlation_id = scope.get("state", {}).get("correlation_id") or str(uuid.uuid4())
    payload: dict[str, Any] = {
        "status": "error",
        "category": "PAYLOAD_TOO_LARGE",
        "correlationId": correlation_id,
        "message": message,
        "context": {"maxBytes": [str(limit)]},
        "links": {},
        "errors": [{"message": message, "code": "PAYLOAD_TOO_LARGE", "in": "body"}],
    }
    body = json.dumps(payload).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        _CLOSE,
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
