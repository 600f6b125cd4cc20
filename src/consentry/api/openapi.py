"""Keeps /openapi.json truthful: every operation documents the error answers it can give, in
HubSpot's error shape, and not FastAPI's 422 (validation errors answer 400 here); and links
lead from an answer naming an object to the operations that take its id (openapi_links)."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, Field

from consentry.api.openapi_links import add_links
from consentry.domain import Scope


class ErrorDetail(BaseModel):
    message: str
    code: str | None = None
    in_: str | None = Field(default=None, alias="in")
    subCategory: str | None = None
    context: dict[str, list[str]] | None = None


class ErrorBody(BaseModel):
    """HubSpot's error shape (HUBSPOT-API.md "Errors")."""

    status: str = "error"
    category: str
    correlationId: str
    message: str
    subCategory: str | None = None
    context: dict[str, list[str]] = {}
    links: dict[str, str] = {}
    errors: list[ErrorDetail] | None = None


_DESCRIPTIONS = {
    "400": "Invalid input (VALIDATION_ERROR), naming the field; or refused by the rulebook.",
    "401": "Missing, unknown or revoked token (INVALID_AUTHENTICATION).",
    "403": "The token lacks a required scope (MISSING_SCOPES, context.requiredScopes).",
    "404": "No such object or route (OBJECT_NOT_FOUND).",
    "409": "Conflicts with what is stored (CONFLICT).",
    "500": "Unexpected error (INTERNAL_ERROR), with a correlationId to quote.",
}


def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
        )
        components = schema.setdefault("components", {})
        schemas = components.setdefault("schemas", {})
        schemas["ErrorBody"] = ErrorBody.model_json_schema(
            by_alias=True, ref_template="#/components/schemas/{model}"
        )
        schemas.update(schemas["ErrorBody"].pop("$defs", {}))
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        components["securitySchemes"] = {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "An API token: `consentry tokens create --scopes …`. Scopes: "
                + ", ".join(scope.value for scope in Scope),
            }
        }
        for path, methods in schema.get("paths", {}).items():
            for operation in methods.values():
                _document_errors(
                    operation, public=path == "/healthz" or path.startswith("/webhooks/")
                )
        add_links(schema.get("paths", {}))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _document_errors(operation: dict[str, Any], *, public: bool) -> None:
    responses = operation.setdefault("responses", {})
    responses.pop("422", None)
    codes = ["400", "404", "500"] if public else ["400", "401", "403", "404", "409", "500"]
    for code in codes:
        responses.setdefault(
            code,
            {
                "description": _DESCRIPTIONS[code],
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}
                },
            },
        )
    if not public:
        operation["security"] = [{"bearer": []}]
