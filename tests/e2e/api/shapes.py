"""Comparing whole response bodies: volatile values (times, ids) are checked for form and then
masked, so everything else must equal the expected body exactly."""

import re
from typing import Any

HUBSPOT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")
UUID4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
TIME_FIELDS = {
    "timestamp",
    "startedAt",
    "completedAt",
    "requestedAt",
    "createdAt",
    "updatedAt",
    # the native API's
    "occurredAt",
    "recordedAt",
    "generatedAt",
}
HASH_FIELDS = {"prevHash", "entryHash"}  # ledger hashes cover times, so they differ per run
SHA256 = re.compile(r"^[0-9a-f]{64}$")
TIME = "<time>"
HASH = "<hash>"
CORRELATION = "<uuid>"


def masked(body: Any) -> Any:
    """The body with every time, ledger hash and correlation id replaced by a marker, after
    checking each has the exact form HubSpot uses (or, for hashes, a SHA-256 in hex)."""
    if isinstance(body, list):
        return [masked(item) for item in body]
    if not isinstance(body, dict):
        return body
    result = {}
    for key, value in body.items():
        if key in TIME_FIELDS and isinstance(value, str):
            assert HUBSPOT_TIME.match(value), f"{key}={value!r} is not HubSpot's time format"
            result[key] = TIME
        elif key in HASH_FIELDS and isinstance(value, str):
            assert SHA256.match(value), f"{key}={value!r} is not a SHA-256 in hex"
            result[key] = HASH
        elif key == "correlationId":
            assert UUID4.match(value), f"correlationId={value!r} is not a uuid4"
            result[key] = CORRELATION
        else:
            result[key] = masked(value)
    return result


def public_status(
    address: str,
    type_id: int,
    name: str,
    status: str,
    *,
    source: str = "Public status API",
    reason: str | None = None,
    channel: str = "EMAIL",
    unit: int = 0,
    legal_basis: str | None = None,
    explanation: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": channel,
        "subscriberIdString": address,
        "subscriptionId": type_id,
        "subscriptionName": name,
        "status": status,
        "source": source,
        "timestamp": TIME,
        "businessUnitId": unit,
        "legalBasis": legal_basis,
        "legalBasisExplanation": explanation,
    }
    if reason is not None:
        body["setStatusSuccessReason"] = reason
    return body


def envelope(results: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "status": "COMPLETE",
        "results": results,
        "startedAt": TIME,
        "completedAt": TIME,
        **extra,
    }


def error(category: str, message: str, **extra: Any) -> dict[str, Any]:
    return {
        "status": "error",
        "category": category,
        "correlationId": CORRELATION,
        "message": message,
        "context": {},
        "links": {},
        **extra,
    }
