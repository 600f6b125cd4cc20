"""The security headers of every answer, set in this one place: a Content-Security-Policy that
forbids framing, `nosniff`, no Referer, and HSTS when we are reached over HTTPS.

A page that needs its own policy (the contact's pages carry a per-answer style nonce) sets
`Content-Security-Policy` itself; every other header here is added to every answer.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Admin pages: our own scripts and styles only (autoescaping is the first defence, this the
# second); `img-src https:` for brand logos hosted elsewhere.
ADMIN_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
    " img-src 'self' https: data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
# /docs and /redoc are FastAPI's pages: an inline start-up script and the Swagger UI / ReDoc
# bundles from jsDelivr (ReDoc's fonts from Google, its search in a blob worker).
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net;"
    " style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com;"
    " font-src https://fonts.gstatic.com; img-src 'self' data: https:; worker-src blob:;"
    " frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
)
# Everything else (JSON, plain text, the contact's error pages) loads nothing.
STRICT_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
HSTS = "max-age=31536000"
_ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    # Personal links carry their token in the path: no page may leak it to another site.
    ("Referrer-Policy", "no-referrer"),
)


def policy_for(path: str) -> str:
    if path.startswith(("/admin", "/static/admin")):
        return ADMIN_POLICY
    if path.startswith(("/docs", "/redoc")):
        return DOCS_POLICY
    return STRICT_POLICY


class SecurityHeaders:
    """ASGI middleware. `always_https`: the public URL is https (we sit behind a proxy that
    terminates TLS). Otherwise HSTS follows the request's scheme, which uvicorn takes from
    `X-Forwarded-Proto` only for a trusted proxy (`FORWARDED_ALLOW_IPS`)."""

    def __init__(self, app: ASGIApp, *, always_https: bool) -> None:
        self.app = app
        self.always_https = always_https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        https = self.always_https or scope.get("scheme") == "https"
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in _ALWAYS:
                    headers[name] = value
                if "content-security-policy" not in headers:
                    headers["Content-Security-Policy"] = policy_for(path)
                if https:
                    headers["Strict-Transport-Security"] = HSTS
            await send(message)

        await self.app(scope, receive, send_with_headers)
