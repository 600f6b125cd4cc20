"""Per-client rate limits on the routes anyone can reach without a token: admin sign-in, the
"email me a fresh link" form, and the contact's pages (preference page, unsubscribe and
one-click, double opt-in confirmation). Over a limit: 429 with `Retry-After`, nothing done; a
small HTML page on a page's path, the API's JSON error (with its correlationId) on a machine's.

The client is the peer address of the connection, which uvicorn replaces with the
`X-Forwarded-For` address only for a trusted proxy (`FORWARDED_ALLOW_IPS`). The counting rule is
`domain.rate_limits`; the limits are `CONSENTRY_RATE_LIMIT_*` (per minute, 0: off).
"""

import time
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from consentry.config import Config
from consentry.domain.rate_limits import FixedWindows
from consentry.web.error_pages import html_error

# Given (request, status code, message, headers), the API's JSON error answer. Installed by the
# app: the API owns its error shape, and `web` may not import it.
JsonFor = Callable[[Request, int, str, dict[str, str]], Response]

_PAGES = ("/preferences/", "/unsubscribe/", "/confirm/")


def limit_of(method: str, path: str) -> str | None:
    """Which limit a request counts against, if any."""
    if method == "POST" and path == "/admin/sign-in":
        return "sign_in"
    if path == "/request-link":
        return "link_requests" if method == "POST" else "public_pages"
    if path.startswith(_PAGES):
        # One-click POSTs come from mailbox providers, many contacts behind one address: they
        # get a limit of their own, far above a person's.
        return (
            "one_click" if method == "POST" and path.startswith("/unsubscribe/") else "public_pages"
        )
    return None


class RateLimits:
    """ASGI middleware: counts each limited request and answers 429 once a client is over."""

    def __init__(self, app: ASGIApp, config: Config, json_for: JsonFor) -> None:
        self.app = app
        self.json_for = json_for
        self.per_minute = {
            "sign_in": config.rate_limit_sign_in,
            "link_requests": config.rate_limit_link_requests,
            "public_pages": config.rate_limit_public_pages,
            "one_click": config.rate_limit_one_click,
        }
        self.windows = FixedWindows()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name = limit_of(scope["method"], scope["path"])
        if name is None or not self.per_minute[name]:
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        # Runs on the event loop only, so the counts need no lock.
        verdict = self.windows.hit(name, address, self.per_minute[name], time.monotonic())
        if verdict.allowed:
            await self.app(scope, receive, send)
            return
        answer = refusal(Request(scope), verdict.retry_after_seconds, self.json_for)
        await answer(scope, receive, send)


def refusal(request: Request, wait: int, json_for: JsonFor) -> Response:
    """The 429: a small page for a person, the API's JSON error for a machine's path;
    `Retry-After` on both."""
    message = f"Too many requests from your address. Try again in {wait} seconds."
    headers = {"Retry-After": str(wait), "Cache-Control": "no-store"}
    return html_error(request, 429, message, headers) or json_for(request, 429, message, headers)
