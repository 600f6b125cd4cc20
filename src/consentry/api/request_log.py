"""One log line and one count per HTTP request, under the request's correlation id.

The correlation id is the caller's `X-Request-Id` when it sends a usable one, else a new
uuid4. It is the `correlationId` of an error answer (api.errors reads it from request.state),
the `X-Request-Id` header of every answer, and the `correlation_id` of the log line, so a
caller's report, our answer and our log name the same request.

The line carries the route template (`/communication-preferences/v4/statuses/{subscriberIdString}`),
never the raw path: paths hold email addresses and phone numbers, which do not belong in logs.
Pure ASGI: answers stream through untouched.
"""

import logging
import re
import time
import uuid

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from consentry.api.metrics import HttpMetrics

log = logging.getLogger("consentry.request")

HEADER = b"x-request-id"
# What we accept from a caller: short and plain, so it fits the ledger's request_id column and
# cannot forge log lines.
_USABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"


def route_template(scope: Scope) -> str:
    """The path template of the route that answered, or "unmatched" (one label for every
    unknown path, however many callers make up)."""
    # FastAPI keeps a route of an included router under its own path ("/jobs/{jobId}"); the
    # full template, prefixes and all, is in the context it records for the chosen route.
    chosen = scope.get("fastapi", {}).get("effective_route_context")
    full = getattr(chosen, "path", None)
    if isinstance(full, str) and full:
        return full
    route = scope.get("route")
    if isinstance(route, Mount):
        return f"{route.path}/{{path}}"
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else UNMATCHED


def _incoming_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == HEADER:
            candidate = value.decode("latin-1").strip()
            return candidate if _USABLE_ID.fullmatch(candidate) else None
    return None


class RequestLog:
    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        correlation_id = _incoming_id(scope) or str(uuid.uuid4())
        scope.setdefault("state", {})["correlation_id"] = correlation_id
        started = time.perf_counter()
        status = 500  # unless an answer starts: an error nothing handled

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, (HEADER, correlation_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method = scope["method"] if scope["method"] in _METHODS else "OTHER"
            route = route_template(scope)
            self.metrics.observe(method, route, status, seconds)
            log.info(
                "%s %s %s",
                method,
                route,
                status,
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                    "correlation_id": correlation_id,
                },
            )
