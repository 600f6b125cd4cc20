"""The one place where errors become HTTP answers, all in HubSpot's error shape.

    {"status": "error", "category": "...", "correlationId": "<uuid4>", "message": "...",
     "context": {...}, "links": {}, "errors": [{"message", "code", "in", ...}]}

Domain errors map by type (InvalidInput 400, NotFound 404, Conflict 409); request validation
and malformed JSON answer 400 naming the field; anything unexpected answers 500 in the same
shape, with the correlation id in the log.
"""

import json
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from consentry.domain import Conflict, ConsentryError, InvalidInput, NotFound

log = logging.getLogger("consentry.api")

# Given (request, status code, message, headers), an HTML page for a person, or None for JSON.
# Installed by the app (the web layer owns pages; `api` may not import it).
HtmlFor = Callable[[Request, int, str, dict[str, str] | None], Response | None]


def _page(
    request: Request, status_code: int, message: str, headers: dict[str, str] | None = None
) -> Response | None:
    html_for: HtmlFor | None = getattr(request.app.state, "html_errors", None)
    return html_for(request, status_code, message, headers) if html_for else None


class ApiError(Exception):
    """An answer the API gives on purpose, outside the domain's errors (auth, limits)."""

    def __init__(
        self,
        status_code: int,
        category: str,
        message: str,
        *,
        context: dict[str, list[str]] | None = None,
        errors: list[dict[str, Any]] | None = None,
        sub_category: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.category = category
        self.message = message
        self.context = context
        self.errors = errors
        self.sub_category = sub_category
        self.headers = headers


def correlation_id(request: Request) -> str:
    existing = getattr(request.state, "correlation_id", None)
    if existing is None:
        existing = request.state.correlation_id = str(uuid.uuid4())
    return str(existing)


def error_body(
    request: Request,
    category: str,
    message: str,
    *,
    context: dict[str, list[str]] | None = None,
    errors: list[dict[str, Any]] | None = None,
    sub_category: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": "error",
        "category": category,
        "correlationId": correlation_id(request),
        "message": message,
        "context": context or {},
        "links": {},
    }
    if sub_category:
        body["subCategory"] = sub_category
    if errors:
        body["errors"] = errors
    return body


def domain_error_parts(error: ConsentryError) -> tuple[int, str, list[dict[str, Any]]]:
    """Status code, category and error details for a domain error (also used in batches)."""
    code = re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).upper()  # INVALID_ADDRESS
    detail: dict[str, Any] = {"message": error.message, "code": code}
    if error.field:
        detail["in"] = error.field
    if isinstance(error, NotFound):
        return 404, "OBJECT_NOT_FOUND", [detail]
    if isinstance(error, Conflict):
        return 409, "CONFLICT", [detail]
    if isinstance(error, InvalidInput):
        return 400, "VALIDATION_ERROR", [detail]
    return 400, "VALIDATION_ERROR", [detail]


def _field_name(location: tuple[Any, ...]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or str(location[-1] if location else "body")


async def _on_api_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ApiError)
    page = _page(request, error.status_code, error.message, error.headers)
    if page is not None:
        return page
    body = error_body(
        request,
        error.category,
        error.message,
        context=error.context,
        errors=error.errors,
        sub_category=error.sub_category,
    )
    return JSONResponse(body, status_code=error.status_code, headers=error.headers)


async def _on_domain_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ConsentryError)
    status_code, category, details = domain_error_parts(error)
    page = _page(request, status_code, error.message)
    if page is not None:
        return page
    return JSONResponse(
        error_body(request, category, error.message, errors=details), status_code=status_code
    )


async def _on_validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    details = []
    for problem in error.errors():
        location = tuple(problem.get("loc", ()))
        if problem.get("type") == "json_invalid":
            message = "Invalid input JSON: the body is not well-formed JSON."
            details.append({"message": message, "code": "INVALID_JSON", "in": "body"})
            continue
        field = _field_name(location)
        details.append(
            {
                "message": f"{field}: {problem.get('msg', 'invalid')}",
                "code": "MISSING" if problem.get("type") == "missing" else "INVALID",
                "in": field,
            }
        )
    message = "; ".join(detail["message"] for detail in details) or "Invalid input."
    page = _page(request, 400, message)
    if page is not None:
        return page
    return JSONResponse(
        error_body(request, "VALIDATION_ERROR", message, errors=details), status_code=400
    )


_HTTP_CATEGORIES = {
    401: "INVALID_AUTHENTICATION",
    404: "OBJECT_NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "PAYLOAD_TOO_LARGE",
    429: "RATE_LIMITS",
}


def http_error_answer(
    request: Request, status_code: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """An HTTP refusal in the error shape, category by status. Also for the middlewares that
    answer before any route runs (the rate limits), outside these handlers' reach."""
    category = _HTTP_CATEGORIES.get(status_code, "VALIDATION_ERROR")
    return JSONResponse(
        error_body(request, category, message), status_code=status_code, headers=headers
    )


async def _on_http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    message = error.detail if isinstance(error.detail, str) else json.dumps(error.detail)
    headers = getattr(error, "headers", None)
    page = _page(request, error.status_code, message, headers)
    if page is not None:
        return page
    if error.status_code == 404 and message == "Not Found":
        message = f"No route {request.method} {request.url.path}."
    return http_error_answer(request, error.status_code, message, headers)


async def _on_unexpected(request: Request, error: Exception) -> Response:
    cid = correlation_id(request)
    log.exception("unexpected error (correlationId=%s)", cid)
    page = _page(request, 500, f"Something went wrong on our side (reference {cid}).")
    if page is not None:
        return page
    return JSONResponse(
        error_body(
            request,
            "INTERNAL_ERROR",
            f"Something went wrong on our side; quote correlationId {cid} when asking.",
        ),
        status_code=500,
    )


def install(app: FastAPI, html_for: HtmlFor | None = None) -> None:
    """Register the handlers; with `html_for`, pages for people answer errors in HTML."""
    app.state.html_errors = html_for
    app.add_exception_handler(ApiError, _on_api_error)
    app.add_exception_handler(ConsentryError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_error)
    app.add_exception_handler(Exception, _on_unexpected)
