"""Native API access: every `/api/v1` route needs the consentry.admin scope (403 naming it),
and a token (401)."""

from collections.abc import Callable

import httpx

from tests.e2e.api.shapes import masked

SAMPLE_PATH_VALUES = {
    "{subscriptionId}": "1",
    "{languageCode}": "de",
    "{businessUnitId}": "0",
    "{channel}": "EMAIL",
    "{address}": "a@x.com",
    "{kind}": "HARD_BOUNCE",
    "{jobId}": "1",
    "{itemId}": "1",
    "{workflowId}": "1",
    "{webhookId}": "1",
    "{deliveryId}": "1",
}
MISSING_ADMIN = {
    "status": "error",
    "category": "MISSING_SCOPES",
    "correlationId": "<uuid>",
    "message": "This token hasn't been granted all required scopes to make this call.",
    "context": {"requiredScopes": ["consentry.admin"]},
    "links": {},
    "errors": [
        {
            "message": "One or more of the following scopes are required.",
            "context": {"requiredScopes": ["consentry.admin"]},
        }
    ],
}


def _native_operations(base_url: str) -> list[tuple[str, str]]:
    paths = httpx.get(f"{base_url}/openapi.json").json()["paths"]
    operations = []
    for path, methods in paths.items():
        if not path.startswith("/api/v1/"):
            continue
        for placeholder, value in SAMPLE_PATH_VALUES.items():
            path = path.replace(placeholder, value)
        assert "{" not in path, path
        operations += [(method.upper(), path) for method in methods]
    return operations


def test_every_native_route_needs_the_admin_scope(
    base_url: str, make_token: Callable[..., str]
) -> None:
    operations = _native_operations(base_url)
    assert len(operations) == 55  # guards the discovery itself: update when adding a route
    everything_else = [
        "communication_preferences.read_write",
        "communication_preferences.statuses.batch.read",
        "communication_preferences.statuses.batch.write",
        "crm.objects.contacts.read",
        "crm.objects.contacts.write",
    ]
    headers = {"Authorization": f"Bearer {make_token(*everything_else)}"}
    with httpx.Client(base_url=base_url, headers=headers) as http:
        for method, path in operations:
            response = http.request(method, path, params={"subscriptionId": 1}, json={})
            assert response.status_code == 403, (method, path)
            assert masked(response.json()) == MISSING_ADMIN, (method, path)


def test_every_native_route_needs_a_token(base_url: str) -> None:
    for method, path in _native_operations(base_url):
        response = httpx.request(method, f"{base_url}{path}", json={})
        assert response.status_code == 401, (method, path)
        assert response.json()["category"] == "INVALID_AUTHENTICATION"
