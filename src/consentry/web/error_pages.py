"""HTML error pages for people (the admin app and the contact's pages); the API keeps its
HubSpot-shaped JSON errors. `api.errors.install(app, html_for=html_error)` asks here first."""

from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

# Paths answered by machines for machines: everything else is a page for a person.
API_PREFIXES = (
    "/crm/",
    "/communication-preferences/",
    "/api/",
    "/webhooks/",  # the SMS and WhatsApp providers' callbacks
    "/healthz",
    "/metrics",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/static/",
)

TITLES = {
    400: "That request could not be taken",
    403: "Not allowed",
    404: "Page not found",
    405: "Not allowed here",
    409: "That clashes with what is stored",
    429: "Too many attempts",
    500: "Something went wrong",
}


def is_page(path: str) -> bool:
    return not path.startswith(API_PREFIXES)


def html_error(
    request: Request, status_code: int, message: str, headers: dict[str, str] | None = None
) -> Response | None:
    """An HTML answer for a page path, or None to let the API answer in JSON."""
    if not is_page(request.url.path):
        return None
    if 300 <= status_code < 400 and headers and "Location" in headers:
        return RedirectResponse(headers["Location"], status_code=status_code)
    title = TITLES.get(status_code, "That did not work")
    if status_code == 404 and message == "Not Found":
        message = f"There is no page at {request.url.path}."
    back = "/admin" if request.url.path.startswith("/admin") else "/"
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · Consentry</title>
<link rel="stylesheet" href="/static/admin.css"></head>
<body class="error-page"><main class="error-card" role="main">
<p class="error-code">{status_code}</p><h1>{escape(title)}</h1>
<p>{escape(message)}</p><p><a class="btn" href="{back}">Go back</a></p>
</main></body></html>"""
    return HTMLResponse(body, status_code=status_code, headers=headers)
