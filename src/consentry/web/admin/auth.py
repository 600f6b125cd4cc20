"""Signing in and out, and the guards every admin route runs: a live session (else to the
sign-in page), the session's CSRF token on every POST (else 403), and the role's permissions
(a viewer's POST is always refused)."""

import secrets
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from consentry.domain.roles import Permission, allows, can_change_anything
from consentry.services import sessions
from consentry.services.sessions import Session
from consentry.web.admin.pages import Form, config, engine, form_of, redirect, render, text

SESSION_COOKIE = "consentry_session"
SIGN_IN_CSRF_COOKIE = "consentry_sign_in"
CSRF_FIELD = "csrf_token"

router = APIRouter()


def current_session(request: Request) -> Session:
    """The signed-in session; anyone else is sent to the sign-in page."""
    found = getattr(request.state, "admin_session", None)
    if found is None:
        found = sessions.session_for(engine(request), request.cookies.get(SESSION_COOKIE, ""))
    if found is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        location = "/admin/sign-in" + (f"?next={quote(target)}" if target != "/admin" else "")
        raise HTTPException(303, "Sign in first.", headers={"Location": location})
    request.state.admin_session = found
    return found


async def guard(request: Request, session: Session = Depends(current_session)) -> None:
    """Run before every signed-in route: POSTs need the session's CSRF token and a role that
    may change something."""
    if request.method != "POST":
        return
    form = await form_of(request)
    sent = text(form, CSRF_FIELD)
    if not sent or not secrets.compare_digest(sent, session.csrf_token):
        raise HTTPException(
            403,
            "This form was sent without its security token (CSRF). Reload the page and try again.",
        )
    if not can_change_anything(session.user.role):
        raise HTTPException(403, "Your role (viewer) can look but not change anything.")


def need(session: Session, permission: Permission) -> None:
    if not allows(session.user.role, permission):
        raise HTTPException(
            403, f"Your role ({session.user.role.value}) may not do this ({permission.value})."
        )


def _safe_next(raw: str) -> str:
    # Only paths of our own admin: never an absolute URL another site could send us to.
    return raw if raw.startswith("/admin") and not raw.startswith("//") else "/admin/contacts"


@router.get("/admin/sign-in")
def sign_in_page(request: Request, next: str = "") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = render(request, "sign_in.html", {"sign_in_csrf": token, "next": next, "email": ""})
    _set_sign_in_cookie(request, response, token)
    return response


def _set_sign_in_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        SIGN_IN_CSRF_COOKIE,
        token,
        path="/admin",
        httponly=True,
        samesite="lax",
        secure=config(request).behind_https,
    )


@router.post("/admin/sign-in", response_model=None)
def sign_in(request: Request, form: Form) -> Response:
    expected = request.cookies.get(SIGN_IN_CSRF_COOKIE, "")
    sent = text(form, CSRF_FIELD)
    if not expected or not secrets.compare_digest(sent, expected):
        raise HTTPException(
            403, "This form was sent without its security token (CSRF). Reload and try again."
        )
    email, next_ = text(form, "email"), text(form, "next")
    ip = request.client.host if request.client else "unknown"
    try:
        token, _ = sessions.sign_in(engine(request), email, str(form.get("password", "")), ip)
    except sessions.SignInRefused as refused:
        fresh = secrets.token_urlsafe(24)
        status = 429 if refused.throttled else 401
        page = render(
            request,
            "sign_in.html",
            {"sign_in_csrf": fresh, "next": next_, "email": email, "error": refused.message},
            status=status,
        )
        if refused.throttled:
            page.headers["Retry-After"] = str(refused.retry_after)
        _set_sign_in_cookie(request, page, fresh)
        return page
    response = RedirectResponse(_safe_next(next_), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(sessions.SESSION_LIFETIME.total_seconds()),
        path="/",
        httponly=True,
        samesite="lax",
        secure=config(request).behind_https,
    )
    response.delete_cookie(SIGN_IN_CSRF_COOKIE, path="/admin")
    return response


@router.post("/admin/sign-out", dependencies=[Depends(current_session)])
def sign_out(request: Request, form: Form) -> Response:
    session = current_session(request)
    if not secrets.compare_digest(text(form, CSRF_FIELD), session.csrf_token):
        raise HTTPException(403, "This form was sent without its security token (CSRF).")
    sessions.sign_out(engine(request), request.cookies.get(SESSION_COOKIE, ""))
    response = redirect("/admin/sign-in", "You are signed out.")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
