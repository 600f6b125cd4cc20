"""The contact's own pages (issue 5): preference page, one-click unsubscribe, double opt-in
confirmation, and the "email me a fresh link" form.

Routes:
- `GET|HEAD /preferences/{token}` the preference page; `POST` saves it (CSRF-checked).
- `GET|HEAD /unsubscribe/{token}` a one-button confirmation, changing nothing; `POST` with
  `List-Unsubscribe=One-Click` (RFC 8058) unsubscribes at once and answers 200 in plain text;
  any other `POST` is the confirm button (CSRF-checked, held when it looks like a link scanner).
- `GET|HEAD /confirm/{token}` the double opt-in confirmation button; `POST` confirms.
- `GET|POST /request-link` ask for a fresh link by email (never says whether the address is known).

Every expected failure (bad, forged or expired link; a stale form) answers a page of its own
with a 4xx status; none goes to the API's JSON errors.
"""

from dataclasses import replace

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.datastructures import FormData

from consentry.domain import ConsentryError, Source
from consentry.domain.languages import DEFAULT
from consentry.domain.links import InvalidLink, Purpose
from consentry.domain.one_click import is_one_click
from consentry.services import preferences as prefs
from consentry.web.public import confirmation
from consentry.web.public.pages import asked_language, render, visit_of
from consentry.web.public.visits import (
    Form,
    bad_link,
    csrf_ok,
    failed,
    form_context,
    held,
    load_page,
    notice_text,
    open_link,
    opened,
    show_link_page,
    stale_form,
)

router = APIRouter(include_in_schema=False)
router.include_router(confirmation.router)

__all__ = ["router"]


@router.api_route("/preferences/{token}", methods=["GET", "HEAD"])
def preference_page(request: Request, token: str) -> Response:
    page = opened(request, token, Purpose.MANAGE_PREFERENCES)
    if isinstance(page, Response):
        return page
    return _show_preferences(request, token, page, page.language)


def _show_preferences(
    request: Request,
    token: str,
    page: prefs.PreferencePage,
    language: str,
    *,
    saved: str | None = None,
) -> HTMLResponse:
    return render(
        request,
        "preferences.html",
        language,
        brand=page.brand,
        page=page,
        token=token,
        notice=notice_text(language, page.brand.name),
        saved=saved,
        **form_context(request, token),
    )


@router.post("/preferences/{token}")
def save_preference_page(request: Request, form: Form, token: str) -> Response:
    if is_one_click({key: [str(v) for v in form.getlist(key)] for key in form}):
        # A sender that put the preference link in its List-Unsubscribe header: unsubscribe
        # from all, exactly as on the unsubscribe link.
        return _one_click(request, token, Purpose.MANAGE_PREFERENCES)
    asked = asked_language(request, str(form.get("lang") or "") or None)
    language = asked or DEFAULT
    try:
        claims = open_link(request, token, Purpose.MANAGE_PREFERENCES)
        if not csrf_ok(request, token, form):
            return stale_form(request, language, token, "preferences")
        page = load_page(request, claims, asked)
        language = page.language
        visit = visit_of(request, language, "preferences")
        engine = request.app.state.engine
        if form.get("action") == "unsubscribe_all":
            prefs.unsubscribe_from_all(engine, page, visit)
            saved = "unsubscribed"
        else:
            ticked = _ticked(form)
            shown = _shown(form, page)
            page = _as_shown(page, shown)
            prefs.save_preferences(
                engine, page, ticked, visit, notice_text(language, page.brand.name)
            )
            saved = "saved"
        page = load_page(request, claims, asked)
        language = page.language
    except InvalidLink as error:
        return bad_link(request, language, error)
    except ConsentryError as error:
        return failed(request, language, error)
    return _show_preferences(request, token, page, language, saved=saved)


def _ticked(form: FormData) -> set[int]:
    values = [str(value) for value in form.getlist("type")]
    return {int(value) for value in values if value.isdigit() and len(value) < 10}


def _shown(form: FormData, page: prefs.PreferencePage) -> dict[int, bool]:
    """How each box was shown when the contact loaded the page (from the form), so a change made
    elsewhere meanwhile is not undone by an untouched box."""
    shown: dict[int, bool] = {}
    for choice in page.types:
        value = form.get(f"shown_{choice.id}")
        shown[choice.id] = choice.ticked if value not in ("0", "1") else value == "1"
    return shown


def _as_shown(page: prefs.PreferencePage, shown: dict[int, bool]) -> prefs.PreferencePage:
    return replace(page, types=tuple(replace(c, ticked=shown[c.id]) for c in page.types))


@router.api_route("/unsubscribe/{token}", methods=["GET", "HEAD"])
def unsubscribe_page(request: Request, token: str) -> Response:
    """Inert: scanners and prefetchers fetch this. Shows one confirm button."""
    page = opened(request, token, Purpose.UNSUBSCRIBE_ALL, Purpose.UNSUBSCRIBE_ONE)
    if isinstance(page, Response):
        return page
    return show_link_page(request, token, page, page.language, "unsubscribe.html")


@router.post("/unsubscribe/{token}")
def unsubscribe_post(request: Request, form: Form, token: str) -> Response:
    fields = {key: [str(v) for v in form.getlist(key)] for key in form}
    if is_one_click(fields):
        return _one_click(request, token)
    asked = asked_language(request, str(form.get("lang") or "") or None)
    language = asked or DEFAULT
    try:
        claims = open_link(request, token, Purpose.UNSUBSCRIBE_ALL, Purpose.UNSUBSCRIBE_ONE)
        if not csrf_ok(request, token, form):
            return stale_form(request, language, token, "unsubscribe")
        page = load_page(request, claims, asked)
        language = page.language
        visit = visit_of(request, language, "unsubscribe")
        if held(request, claims, form, page, visit):
            return show_link_page(request, token, page, language, "held.html", 202)
        engine = request.app.state.engine
        prefs.unsubscribe_by_link(engine, claims, visit, Source.PREFERENCE_CENTER)
    except InvalidLink as error:
        return bad_link(request, language, error)
    except ConsentryError as error:
        return failed(request, language, error)
    return show_link_page(request, token, page, language, "unsubscribed.html")


def _one_click(
    request: Request,
    token: str,
    purpose: Purpose | None = None,
) -> Response:
    """RFC 8058: no cookie, session, CSRF or Origin check, no redirect; 200 with a short body.
    Only the token decides; other form fields are never acted on."""
    try:
        allowed = (purpose,) if purpose else (Purpose.UNSUBSCRIBE_ALL, Purpose.UNSUBSCRIBE_ONE)
        claims = open_link(request, token, *allowed)
        visit = visit_of(request, "en", "one-click")
        prefs.unsubscribe_by_link(request.app.state.engine, claims, visit, Source.ONE_CLICK)
    except InvalidLink:
        return PlainTextResponse("This link is not valid.\n", status_code=404)
    except ConsentryError:
        return PlainTextResponse("Not unsubscribed: please try again.\n", status_code=400)
    return PlainTextResponse("Unsubscribed.\n", headers={"Cache-Control": "no-store"})


# --- double opt-in confirmation -----------------------------------------------------------
