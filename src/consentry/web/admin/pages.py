"""Rendering admin pages: the templates (autoescaped), the context every page shares, flash
messages carried across a redirect, and reading forms."""

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, overload
from urllib.parse import quote, unquote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader
from sqlalchemy import Engine
from starlette.datastructures import FormData

from consentry.config import Config
from consentry.domain import Channel, LegalBasis, Source
from consentry.domain.roles import Permission, allows
from consentry.domain.subscription_types import COMMUNICATION_METHOD
from consentry.services.users import list_users

# Autoescape on every template: contact data is user content.
TEMPLATES = Jinja2Templates(
    env=Environment(
        loader=FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
)
FLASH_COOKIE = "consentry_flash"
ACTION_LABELS = {
    "SET_WIDE": "Unsubscribe from all",
    "CLEAR_WIDE": "Unsubscribe from all cleared",
    "SUPPRESS": "Suppressed",
    "UNSUPPRESS": "Suppression lifted",
    "ONE_TIME_LEGAL_BASIS": "One-time legal basis",
}


def engine(request: Request) -> Engine:
    value: Engine = request.app.state.engine
    return value


def config(request: Request) -> Config:
    value: Config = request.app.state.config
    return value


def render(
    request: Request, template: str, context: Mapping[str, Any] | None = None, status: int = 200
) -> HTMLResponse:
    session = getattr(request.state, "admin_session", None)
    values: dict[str, Any] = {
        "request": request,
        "session": session,
        "user": session.user if session else None,
        "csrf": session.csrf_token if session else "",
        "can": (lambda p: allows(session.user.role, Permission(p)))
        if session
        else (lambda p: False),
        "flash": unquote(request.cookies.get(FLASH_COOKIE, "")),
        "legal_bases": list(LegalBasis),
        "source_label": lambda s: Source(s).display_text if s in Source.__members__ else s,
        "legal_label": lambda b: LegalBasis(b).label if b in LegalBasis.__members__ else "—",
        "path": request.url.path,
        "action_label": lambda a: ACTION_LABELS.get(a, a),
        "channel_label": lambda c: COMMUNICATION_METHOD.get(Channel(c), c),
    }
    values.update(context or {})
    response = TEMPLATES.TemplateResponse(request, template, values, status_code=status)
    if values["flash"]:
        response.delete_cookie(FLASH_COOKIE, path="/admin")
    return response


def actor_labeller(request: Request) -> Callable[[Any], str]:
    """How the ledger's actor reads: a user by email, others by kind."""
    emails = {str(user.id): user.email for user in list_users(engine(request))}

    def label(entry: Any) -> str:
        if entry.actor_kind == "USER" and entry.actor_id in emails:
            return str(emails[entry.actor_id])
        kind = str(entry.actor_kind).replace("_", " ").capitalize()
        return f"{kind} {entry.actor_id}" if entry.actor_id else kind

    return label


def redirect(url: str, flash: str | None = None) -> RedirectResponse:
    """See Other, with an optional message shown once on the next page."""
    response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(
            FLASH_COOKIE, quote(flash), path="/admin", httponly=True, samesite="lax"
        )
    return response


async def form_of(request: Request) -> FormData:
    return await request.form()


# A POST's form, read on the event loop before the route runs: the routes that take it are
# plain functions, which FastAPI runs in its threadpool, so their database work never blocks
# the loop (and every other request) the way it would inside an `async def`.
Form = Annotated[FormData, Depends(form_of)]


def text(form: FormData, name: str, default: str = "") -> str:
    value = form.get(name, default)
    return value.strip() if isinstance(value, str) else default


@overload
def number(raw: str) -> int | None: ...
@overload
def number(raw: str, default: int) -> int: ...
def number(raw: str, default: int | None = None) -> int | None:
    """A form's id as an int: ASCII digits only (str.isdigit also takes "¹", which int() refuses,
    and other scripts' digits) within the database's 32-bit ids; anything else is `default`."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= 2**31 - 1:
        return int(raw)
    return default


def texts(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str) and v.strip()]


def legal_basis(raw: str) -> LegalBasis | None:
    return LegalBasis(raw) if raw in LegalBasis.__members__ else None
