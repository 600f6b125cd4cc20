"""Settings → Users and API tokens (admins only)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from consentry.domain import ConsentryError, Scope
from consentry.domain.roles import ROLE_SUMMARY, Permission, Role
from consentry.services.sessions import Session
from consentry.services.tokens import create_token, list_tokens, revoke_token
from consentry.services.users import create_user, list_users, set_disabled
from consentry.web.admin.auth import current_session, need
from consentry.web.admin.pages import Form, engine, redirect, render, text, texts

router = APIRouter()


@router.get("/admin/settings/users")
def users_page(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    need(session, Permission.MANAGE_USERS)
    return render(
        request,
        "settings_users.html",
        {"users": list_users(engine(request)), "roles": ROLE_SUMMARY, "section": "users"},
    )


@router.post("/admin/settings/users", response_model=None)
def add_user(request: Request, form: Form, session: Session = Depends(current_session)) -> Response:
    need(session, Permission.MANAGE_USERS)
    try:
        user = create_user(
            engine(request), text(form, "email"), str(form.get("password", "")), text(form, "role")
        )
    except ConsentryError as problem:
        return redirect("/admin/settings/users", f"Not created: {problem.message}")
    return redirect("/admin/settings/users", f"User {user.email} ({user.role.value}) created.")


@router.post("/admin/settings/users/disable", response_model=None)
def disable_user(
    request: Request, form: Form, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.MANAGE_USERS)
    disabled = text(form, "disabled") != "false"
    try:
        user = set_disabled(engine(request), text(form, "email"), disabled)
    except ConsentryError as problem:
        return redirect("/admin/settings/users", f"Not changed: {problem.message}")
    said = "disabled (signed out everywhere)" if disabled else "enabled"
    return redirect("/admin/settings/users", f"{user.email} is {said}.")


@router.get("/admin/settings/tokens")
def tokens_page(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    need(session, Permission.MANAGE_TOKENS)
    return _tokens(request)


def _tokens(request: Request, **extra: object) -> HTMLResponse:
    return render(
        request,
        "settings_tokens.html",
        {
            "tokens": list_tokens(engine(request)),
            "scopes": list(Scope),
            "section": "tokens",
            **extra,
        },
    )


@router.post("/admin/settings/tokens", response_model=None)
def add_token(
    request: Request, form: Form, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.MANAGE_TOKENS)
    try:
        token, plain = create_token(engine(request), text(form, "name"), texts(form, "scopes"))
    except ConsentryError as problem:
        return redirect("/admin/settings/tokens", f"Not created: {problem.message}")
    # Shown on this answer only: the token is stored as a hash.
    return _tokens(request, created=token, plain=plain)


@router.post("/admin/settings/tokens/revoke", response_model=None)
def revoke(request: Request, form: Form, session: Session = Depends(current_session)) -> Response:
    need(session, Permission.MANAGE_TOKENS)
    try:
        token = revoke_token(engine(request), text(form, "name"))
    except ConsentryError as problem:
        return redirect("/admin/settings/tokens", f"Not revoked: {problem.message}")
    return redirect("/admin/settings/tokens", f"Token {token.name!r} revoked.")


__all__ = ["Role", "router"]
