"""The OpenAPI links of /openapi.json: which answers carry an object's identity, and which
operations take it. A client (or a stateful fuzzer) follows them from "create a webhook" to
"rotate its secret" without guessing ids.

One table: each resource names the answers that produce it, with where each identifying value
sits in the body, and the operations that consume it. A link carries the values its target
declares as parameters (by name), so one producer row serves every consumer."""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Resource:
    # (operation, status code, {parameter name: runtime expression}) for each answer naming it
    produced_by: tuple[tuple[str, str, dict[str, str]], ...]
    # link name -> operation that takes (some of) those parameters
    consumed_by: dict[str, str]


def _body(**pointers: str) -> dict[str, str]:
    return {name: f"$response.body#{pointer}" for name, pointer in pointers.items()}


_TYPE = "/api/v1/subscription-types/{subscriptionId}"
_UNIT = "/api/v1/business-units/{businessUnitId}"
_WEBHOOK = "/api/v1/webhooks/{webhookId}"
_WORKFLOW = "/api/v1/workflows/{workflowId}"
_JOB = "/api/v1/jobs/{jobId}"
_CONTACT = "/crm/v3/objects/contacts/{contactId}"
_V4_STATUSES = "/communication-preferences/v4/statuses/{subscriberIdString}"
_SUBSCRIBER = "/api/v1/subscribers/{channel}/{address}"

RESOURCES: dict[str, Resource] = {
    "subscription type": Resource(
        produced_by=(
            ("POST /api/v1/subscription-types", "201", _body(subscriptionId="/id")),
            (f"PATCH {_TYPE}", "200", _body(subscriptionId="/id")),
            (f"POST {_TYPE}/archive", "200", _body(subscriptionId="/id")),
        ),
        consumed_by={
            "read": f"GET {_TYPE}",
            "edit": f"PATCH {_TYPE}",
            "archive": f"POST {_TYPE}/archive",
            "unarchive": f"POST {_TYPE}/unarchive",
            "translate": f"PUT {_TYPE}/translations/{{languageCode}}",
            "dropTranslation": f"DELETE {_TYPE}/translations/{{languageCode}}",
            "audience": "POST /api/v1/eligibility/audience",
            "contactAudience": "POST /api/v1/eligibility/audience/contacts",
        },
    ),
    "business unit": Resource(
        produced_by=(("POST /api/v1/business-units", "201", _body(businessUnitId="/id")),),
        consumed_by={
            "read": f"GET {_UNIT}",
            "edit": f"PATCH {_UNIT}",
            "types": "GET /api/v1/subscription-types",
            "definitions": "GET /communication-preferences/v4/definitions",
        },
    ),
    "webhook": Resource(
        produced_by=(
            ("POST /api/v1/webhooks", "201", _body(webhookId="/id")),
            (f"POST {_WEBHOOK}/rotate-secret", "200", _body(webhookId="/id")),
        ),
        consumed_by={
            "read": f"GET {_WEBHOOK}",
            "edit": f"PATCH {_WEBHOOK}",
            "delete": f"DELETE {_WEBHOOK}",
            "rotateSecret": f"POST {_WEBHOOK}/rotate-secret",
            "deliveries": f"GET {_WEBHOOK}/deliveries",
        },
    ),
    "webhook delivery": Resource(
        produced_by=(
            (
                f"GET {_WEBHOOK}/deliveries",
                "200",
                {"webhookId": "$request.path.webhookId", **_body(deliveryId="/results/0/id")},
            ),
        ),
        consumed_by={"redeliver": f"POST {_WEBHOOK}/deliveries/{{deliveryId}}/redeliver"},
    ),
    "workflow": Resource(
        produced_by=(("POST /api/v1/workflows", "201", _body(workflowId="/id")),),
        consumed_by={
            "read": f"GET {_WORKFLOW}",
            "replace": f"PUT {_WORKFLOW}",
            "enable": f"POST {_WORKFLOW}/enable",
            "disable": f"POST {_WORKFLOW}/disable",
            "enrollExisting": f"POST {_WORKFLOW}/enroll-existing",
            "history": f"GET {_WORKFLOW}/history",
            "log": f"GET {_WORKFLOW}/log",
        },
    ),
    "job": Resource(
        produced_by=(
            ("POST /api/v1/bulk/statuses", "202", _body(jobId="/id")),
            ("POST /api/v1/imports/optouts", "202", _body(jobId="/id")),
            (f"POST {_WORKFLOW}/enroll-existing", "202", _body(jobId="/id")),
        ),
        consumed_by={
            "read": f"GET {_JOB}",
            "cancel": f"POST {_JOB}/cancel",
            "results": f"GET {_JOB}/results",
        },
    ),
    "contact": Resource(
        produced_by=(
            (
                "POST /crm/v3/objects/contacts",
                "201",
                _body(
                    contactId="/id",
                    emailAddress="/properties/email",
                    subscriberIdString="/properties/email",
                ),
            ),
            (
                "POST /crm/v3/objects/contacts/batch/create",
                "201",
                _body(
                    contactId="/results/0/id",
                    emailAddress="/results/0/properties/email",
                    subscriberIdString="/results/0/properties/email",
                ),
            ),
        ),
        consumed_by={
            "read": f"GET {_CONTACT}",
            "edit": f"PATCH {_CONTACT}",
            "archive": f"DELETE {_CONTACT}",
            "emailStatus": "GET /communication-preferences/v3/status/email/{emailAddress}",
            "statuses": f"GET {_V4_STATUSES}",
            "setStatus": f"POST {_V4_STATUSES}",
        },
    ),
    "subscriber": Resource(
        produced_by=(
            (
                f"POST {_V4_STATUSES}",
                "200",
                _body(
                    subscriberIdString="/results/0/subscriberIdString",
                    channel="/results/0/channel",
                    address="/results/0/subscriberIdString",
                ),
            ),
            (
                "POST /communication-preferences/v4/links/generate",
                "200",
                _body(subscriberIdString="/subscriberIdString"),
            ),
            (
                "POST /api/v1/suppressions",
                "201",
                _body(
                    channel="/suppression/channel",
                    address="/suppression/address",
                    kind="/suppression/kind",
                ),
            ),
            (
                "POST /api/v1/suppressions",
                "200",
                _body(
                    channel="/suppression/channel",
                    address="/suppression/address",
                    kind="/suppression/kind",
                ),
            ),
            ("POST /api/v1/stop-requests", "201", _body(channel="/channel", address="/number")),
        ),
        consumed_by={
            "statuses": f"GET {_V4_STATUSES}",
            "setStatus": f"POST {_V4_STATUSES}",
            "unsubscribeAllStatus": f"GET {_V4_STATUSES}/unsubscribe-all",
            "unsubscribeAll": f"POST {_V4_STATUSES}/unsubscribe-all",
            "profile": f"GET {_SUBSCRIBER}",
            "receipt": f"GET {_SUBSCRIBER}/receipt",
            "ledger": f"GET {_SUBSCRIBER}/ledger",
            "liftSuppression": "DELETE /api/v1/suppressions/{channel}/{address}/{kind}",
        },
    ),
    "review item": Resource(
        produced_by=(("GET /api/v1/review-queue", "200", _body(itemId="/results/0/id")),),
        consumed_by={"resolve": "POST /api/v1/review-queue/{itemId}/resolve"},
    ),
}


def add_links(paths: dict[str, Any]) -> None:
    """Write RESOURCES into the responses of `paths` (the schema's "paths" object).

    A row naming an operation or status the app does not have raises: a renamed route must not
    silently lose its links."""
    for resource in RESOURCES.values():
        for producer, status, values in resource.produced_by:
            response = _operation(paths, producer)["responses"][status]
            links = response.setdefault("links", {})
            for name, consumer in resource.consumed_by.items():
                target = _operation(paths, consumer)
                parameters = {k: v for k, v in values.items() if k in _parameters(target)}
                in_path = _parameters(target, "path")
                # A link that cannot say which object the target is about is no link.
                if not parameters or (in_path and not in_path & parameters.keys()):
                    continue
                if name in links:
                    raise ValueError(f"{producer} {status}: two links named {name!r}")
                links[name] = {"operationRef": _reference(consumer), "parameters": parameters}


def _operation(paths: dict[str, Any], label: str) -> dict[str, Any]:
    method, path = label.split(" ", 1)
    operation: dict[str, Any] = paths[path][method.lower()]
    return operation


def _parameters(operation: dict[str, Any], where: str | None = None) -> set[str]:
    return {
        parameter["name"]
        for parameter in operation.get("parameters", [])
        if where in (None, parameter["in"])
    }


def _reference(label: str) -> str:
    method, path = label.split(" ", 1)
    escaped = path.replace("~", "~0").replace("/", "~1")
    return f"#/paths/{escaped}/{method.lower()}"
