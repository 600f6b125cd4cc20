"""Bearer-token authentication and scope checks, as route dependencies.

    @router.get(..., dependencies=[requires(Scope.PREFERENCES_READ)])
    def route(token: TokenDep) -> ...

401 INVALID_AUTHENTICATION for a missing, unknown or revoked token; 403 MISSING_SCOPES with
`context.requiredScopes` when the token lacks every scope the route accepts.
"""

from typing import Annotated, Any

from fastapi import Depends, Request

from consentry.api.dependencies import EngineDep
from consentry.api.errors import ApiError
from consentry.domain import Scope
from consentry.domain.scopes import missing
from consentry.services.tokens import ApiToken, authenticate


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        return None
    return credentials.strip()


def current_token(request: Request, engine: EngineDep) -> ApiToken:
    cached: ApiToken | None = getattr(request.state, "token", None)
    if cached is not None:
        return cached
    plain = _bearer(request)
    if plain is None:
        raise ApiError(
            401,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found: send the header"
            " 'Authorization: Bearer <token>' (create one with `consentry tokens create`).",
            headers={"WWW-Authenticate": "Bearer"},
        )
    token = authenticate(engine, plain)
    if token is None:
        raise ApiError(
            401,
            "INVALID_AUTHENTICATION",
            "The token used to make this call is invalid or revoked.",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        )
    request.state.token = token
    return token


TokenDep = Annotated[ApiToken, Depends(current_token)]


def requires(*any_of: Scope) -> Any:
    """A dependency that admits a token holding at least one of `any_of`."""

    def check(token: TokenDep) -> ApiToken:
        lacking = missing(token.scopes, any_of)
        if lacking:
            names = [scope.value for scope in lacking]
            raise ApiError(
                403,
                "MISSING_SCOPES",
                "This token hasn't been granted all required scopes to make this call.",
                context={"requiredScopes": names},
                errors=[
                    {
                        "message": "One or more of the following scopes are required.",
                        "context": {"requiredScopes": names},
                    }
                ],
            )
        return token

    return Depends(check)
