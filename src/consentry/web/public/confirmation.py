"""The contact's double opt-in confirmation (`/confirm/{token}`: the GET shows a button, the
POST confirms, a suspected scanner is held) and the "email me a fresh link" form
(`/request-link`), which never says whether the address is known."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from consentry.domain import ConsentryError, InvalidInput, Status
from consentry.domain.languages import DEFAULT
from consentry.domain.links import InvalidLink, Purpose
from consentry.services import preferences as prefs
from consentry.services.preference_links import request_fresh_link
from consentry.web.public.pages import asked_language, render, visit_of
from consentry.web.public.visits import (
    Form,
    bad_link,
    csrf_ok,
    failed,
    held,
    load_page,
    open_link,
    opened,
    show_link_page,
    stale_form,
)

router = APIRouter(include_in_schema=False)


@router.api_route("/confirm/{token}", methods=["GET", "HEAD"])
def confirm_page(request: Request, token: str) -> Response:
    """Inert, like every GET: the button confirms (scanners open every link of a mail)."""
    page = opened(request, token, Purpose.CONFIRM_OPT_IN)
    if isinstance(page, Response):
        return page
    return _settled(request, token, page) or show_link_page(
        request, token, page, page.language, "confirm.html"
    )


def _settled(request: Request, token: str, page: prefs.PreferencePage) -> Response | None:
    """The answer when nothing awaits confirmation: already confirmed, or the opt-in is gone (an
    old confirmation link must not resubscribe an address that opted out since)."""
    choice = page.choice(page.claims.subscription_type_id)
    if choice is not None and choice.awaiting_confirmation:
        return None
    if choice is not None and choice.status is Status.SUBSCRIBED:
        return show_link_page(request, token, page, page.language, "confirmed.html")
    return show_link_page(request, token, page, page.language, "nothing_to_confirm.html")


@router.post("/confirm/{token}")
def confirm_post(request: Request, form: Form, token: str) -> Response:
    asked = asked_language(request, str(form.get("lang") or "") or None)
    language = asked or DEFAULT
    try:
        claims = open_link(request, token, Purpose.CONFIRM_OPT_IN)
        if not csrf_ok(request, token, form):
            return stale_form(request, language, token, "confirm")
        page = load_page(request, claims, asked)
        language = page.language
        settled = _settled(request, token, page)
        if settled is not None:
            return settled
        visit = visit_of(request, language, "double-opt-in")
        if held(request, claims, form, page, visit):
            return show_link_page(request, token, page, language, "held_confirm.html", 202)
        prefs.confirm_opt_in(request.app.state.engine, page, visit)
        page = load_page(request, claims, asked)
        language = page.language
    except InvalidLink as error:
        return bad_link(request, language, error)
    except ConsentryError as error:
        return failed(request, language, error)
    return show_link_page(request, token, page, language, "confirmed.html")


# --- a fresh link by email ----------------------------------------------------------------


@router.api_route("/request-link", methods=["GET", "HEAD"])
def request_link_page(request: Request) -> Response:
    return render(request, "request_link.html", asked_language(request) or DEFAULT)


@router.post("/request-link")
def request_link(request: Request, form: Form) -> Response:
    asked = asked_language(request, str(form.get("lang") or "") or None)
    language = asked or DEFAULT
    address = str(form.get("email") or "").strip()
    context: dict[str, Any] = {"email": address}
    try:
        request_fresh_link(request.app.state.engine, address, language=asked)
    except InvalidInput:
        return render(
            request, "request_link.html", language, status_code=400, invalid=True, **context
        )
    return render(request, "link_requested.html", language)
