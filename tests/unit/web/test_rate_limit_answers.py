"""The rate limits' 429: JSON in the API's error shape on a machine's path, under the request's
correlation id (the X-Request-Id of the answer); a small HTML page on a person's; Retry-After
on both. No API route is limited today, so the JSON branch is tried here, not on a server."""

import json

import pytest
from starlette.requests import Request

from consentry.api.errors import http_error_answer
from consentry.web.rate_limits import refusal


def _request(path: str) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [],
        "query_string": b"",
        "state": {"correlation_id": "req-42"},
    }
    return Request(scope)


@pytest.mark.parametrize(
    "path",
    ["/api/v1/imports/optouts", "/crm/v3/objects/contacts", "/communication-preferences/v4/x"],
)
def test_a_machine_path_gets_the_api_error_shape(path: str) -> None:
    answer = refusal(_request(path), 17, http_error_answer)

    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "17"
    assert answer.headers["content-type"] == "application/json"
    body = json.loads(bytes(answer.body))
    assert body == {
        "status": "error",
        "category": "RATE_LIMITS",
        "correlationId": "req-42",
        "message": "Too many requests from your address. Try again in 17 seconds.",
        "context": {},
        "links": {},
    }


@pytest.mark.parametrize("path", ["/preferences/abc", "/unsubscribe/abc", "/admin/sign-in"])
def test_a_page_gets_a_small_html_page(path: str) -> None:
    answer = refusal(_request(path), 5, http_error_answer)

    assert answer.status_code == 429
    assert answer.headers["Retry-After"] == "5"
    assert answer.headers["content-type"].startswith("text/html")
    page = bytes(answer.body).decode()
    assert "<h1>Too many attempts</h1>" in page
    assert "Try again in 5 seconds." in page
