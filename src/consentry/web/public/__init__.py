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

import secrets
from dataclasses import replace
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from starlette.datastructures import FormData

from consentry.config import Config
from consentry.domain import ConsentryError, InvalidInput, Source
from consentry.domain.languages import DEFAULT
from consentry.domain.links import InvalidLink, LinkClaims, Purpose, seal
from consentry.domain.one_click import FIELD as ONE_CLICK_FIELD
from consentry.domain.one_click import POST_HEADER_VALUE, is_one_click
from consentry.domain.one_click import VALUE as ONE_CLICK_VALUE
from consentry.domain.preferences import form_token, form_token_valid
from consentry.domain.scanners import hold
from consentry.locale import translations
from consentry.services import preferences as prefs
from consentry.services.preference_links import request_fresh_link
from consentry.services.writing import utcnow
from consentry.web.public.pages import asked_language, render, visit_of

router = APIRouter(include_in_schema=False)

__all__ = ["router"]

_INVALID = "This link is not valid."


MAX_FORM_BYTES = 64 * 1024  # the pages' forms are a few hundred bytes


async def _form(request: Request) -> FormData:
    """The POSTed form, read once and bounded. A body of `List-Unsubscribe=One-Click` without a
    form content type (some senders omit it) is read as that form field."""
    size = request.headers.get("content-length", "")
    if size.isdigit() and int(size) > MAX_FORM_BYTES:
        raise HTTPException(413, "This form is too large.")
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(413, "This form is too large.")
    form = await request.form()
    if not form and body.strip() == POST_HEADER_VALUE.encode():
        return FormData([(ONE_CLICK_FIELD, ONE_CLICK_VALUE)])
    return form


def _config(request: Request) -> Config:
    config: Config = request.app.state.config
    return config


def _open(request: Request, token: str, *purposes: Purpose) -> LinkClaims:
    claims = prefs.open_link(_config(request).secret(), token)
    if claims.purpose not in purposes:
        raise InvalidLink(_INVALID)
    return claims


def _page(request: Request, claims: LinkClaims, language: str | None) -> prefs.PreferencePage:
    return prefs.load_page(request.app.state.engine, claims, language)


def notice_text(language: str, brand_name: str) -> str:
    """The consent notice the preference page shows next to Save: recorded word for word."""
    _ = translations(language).gettext
    return _(
        "By saving, you agree to receive the mail you have ticked from %(brand)s. You can"
        " change your choices or unsubscribe at any time on this page."
    ) % {"brand": brand_name}


def _manage_url(request: Request, claims: LinkClaims, language: str) -> str:
    """The preference page of the subscriber an unsubscribe or confirmation link names (with
    the same issue time, so it expires with the link it came from)."""
    manage = replace(claims, purpose=Purpose.MANAGE_PREFERENCES, subscription_type_id=None)
    return f"/preferences/{seal(manage, _config(request).secret())}?lang={language}"


def _form_context(request: Request, token: str) -> dict[str, Any]:
    nonce = secrets.token_urlsafe(16)
    return {"nonce": nonce, "csrf": form_token(_config(request).secret(), token, nonce)}


def _csrf_ok(request: Request, token: str, form: FormData) -> bool:
    return form_token_valid(
        _config(request).secret(), token, str(form.get("nonce", "")), str(form.get("csrf", ""))
    )


def bad_link(request: Request, language: str, error: InvalidLink) -> HTMLResponse:
    expired = "expired" in str(error)
    return render(
        request,
        "bad_link.html",
        language,
        status_code=410 if expired else 404,
        expired=expired,
    )


def _stale_form(request: Request, language: str, token: str, path: str) -> HTMLResponse:
    _ = translations(language).gettext
    return render(
        request,
        "message.html",
        language,
        status_code=400,
        title=_("This form has expired"),
        paragraphs=(_("Nothing was changed. Please open the page again and repeat your choice."),),
        link=(f"/{path}/{token}?lang={language}", _("Open the page again")),
    )


# --- the preference page ------------------------------------------------------------------


@router.api_route("/preferences/{token}", methods=["GET", "HEAD"])
def preference_page(request: Request, token: str) -> Response:
    asked = asked_language(request)
    language = asked or DEFAULT
    try:
        claims = _open(request, token, Purpose.MANAGE_PREFERENCES)
        page = _page(request, claims, asked)
        language = page.language
    except InvalidLink as error:
        return bad_link(request, language, error)
    return _show_preferences(request, token, page, language)


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
        **_form_context(request, token),
    )


@router.post("/preferences/{token}")
async def save_preference_page(request: Request, token: str) -> Response:
    form = await _form(request)
    if is_one_click({key: [str(v) for v in form.getlist(key)] for key in form}):
        # A sender that put the preference link in its List-Unsubscribe header: unsubscribe
        # from all, exactly as on the unsubscribe link.
        return _one_click(request, token, Purpose.MANAGE_PREFERENCES)
    asked = asked_language(request, str(form.get("lang") or "") or None)
    language = asked or DEFAULT
    try:
        claims = _open(request, token, Purpose.MANAGE_PREFERENCES)
        if not _csrf_ok(request, token, form):
            return _stale_form(request, language, token, "preferences")
        page = _page(request, claims, asked)
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
        page = _page(request, claims, asked)
        language = page.language
    except InvalidLink as error:
        return bad_link(request, language, error)
    except ConsentryError as error:
        return _failed(request, language, error)
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


def _failed(request: Request, language: str, error: ConsentryError) -> HTMLResponse:
    _ = translations(language).gettext
    return render(
        request,
        "message.html",
        language,
        status_code=400,
        title=_("That did not work"),
        paragraphs=(_("Nothing was changed. Please try again later."),),
        detail=str(error) if isinstance(error, InvalidInput) else None,
    )


# --- unsubscribe links (RFC 8058) ---------------------------------------------------------


@router.api_route("/unsubscribe/{token}", methods=["GET", "HEAD"])
def unsubscribe_page(request: Request, token: str) -> Response:
    """Inert: scanners and prefetchers fetch this. Shows one confirm button."""
    asked = asked_language(request)
    language = asked or DEFAULT
    try:
        claims = _open(request, token, Purpose.UNSUBSCRIBE_ALL, Purpose.UNSUBSCRIBE_ONE)
        page = _page(request, claims, asked)
        language = page.language
    except InvalidLink as error:
        return bad_link(request, language, error)
    return _show_unsubscribe(request, token, page, language, "unsubscribe.html")


def _show_unsubscribe(
    request: Request,
    token: str,
    page: prefs.PreferencePage,
    language: str,
    template: str,
    status_code: int = 200,
) -> HTMLResponse:
    return render(
        request,
        template,
        language,
        brand=page.brand,
        status_code=status_code,
        page=page,
        token=token,
        type_choice=page.choice(page.claims.subscription_type_id),
        manage_url=_manage_url(request, page.claims, language),
        **_form_context(request, token),
    )


@router.post("/unsubscribe/{token}")
async def unsubscribe_post(request: Request, token: str) -> Response:
    form = await _form(request)
    fields = {key: [str(v) for v in form.getlist(key)] for key in form}
    if is_one_click(fields):
        return _one_click(request, token)
    asked = asked_language(request, str(form.get("lang") or "") or None)
    language = asked or DEFAULT
    try:
        claims = _open(request, token, Purpose.UNSUBSCRIBE_ALL, Purpose.UNSUBSCRIBE_ONE)
        if not _csrf_ok(request, token, form):
            return _stale_form(request, language, token, "unsubscribe")
        page = _page(request, claims, asked)
        language = page.language
        visit = visit_of(request, language, "unsubscribe")
        if _held(request, claims, form, page, visit):
            return _show_unsubscribe(request, token, page, language, "held.html", 202)
        engine = request.app.state.engine
        prefs.unsubscribe_by_link(engine, claims, visit, Source.PREFERENCE_CENTER)
    except InvalidLink as error:
        return bad_link(request, language, error)
    except ConsentryError as error:
        return _failed(request, language, error)
    return _show_unsubscribe(request, token, page, language, "unsubscribed.html")


def _held(
    request: Request,
    claims: LinkClaims,
    form: FormData,
    page: prefs.PreferencePage,
    visit: prefs.Visit,
) -> bool:
    """A first confirm-button POST that looks like a link scanner is held (and recorded)."""
    if form.get("second") == "1":
        return False
    window = _config(request).scanner_window_seconds
    if not hold(visit.user_agent, claims.issued_moment, utcnow(), window):
        return False
    prefs.hold_suspected_scanner(request.app.state.engine, page, visit)
    return True


def _one_click(
    request: Request,
    token: str,
    purpose: Purpose | None = None,
) -> Response:
    """RFC 8058: no cookie, session, CSRF or Origin check, no redirect; 200 with a short body.
    Only the token decides; other form fields are never acted on."""
    try:
        allowed = (purpose,) if purpose else (Purpose.UNSUBSCRIBE_ALL, Purpose.UNSUBSCRIBE_ONE)
        claims = _open(request, token, *allowed)
        visit = visit_of(request, "en", "one-click")
        prefs.unsubscribe_by_link(request.app.state.engine, claims, visit, Source.ONE_CLICK)
    except InvalidLink:
        return PlainTextResponse("This link is not valid.\n", status_code=404)
    except ConsentryError:
        return PlainTextResponse("Not unsubscribed: please try again.\n", status_code=400)
    return PlainTextResponse("Unsubscribed.\n", headers={"Cache-Control": "no-store"})


# --- double opt-in confirmation -----------------------------------------------------------


@router.api_route("/confirm/{token}", methods=["GET", "HEAD"])
def confirm_page(request: Request, token: str) -> Response:
    """Inert, like every GET: the button confirms (scanners open every link of a mail)."""
    asked = asked_language(request)
    language = asked or DEFAULT
    try:
        claims = _open(request, token, Purpose.CONFIRM_OPT_IN)
        page = _page(request, claims, asked)
        language = page.language
    except InvalidLink as error:
        return bad_link(request, language, error)
    return _show_unsubscribe(request, token, page, language, "confirm.html")


@router.post("/confirm/{token}")
async def confirm_post(request: Request, token: str) -> Response:
    form = await _form(request)
    asked = asked_language(request, str(form.get("lang") or "") or None)
    language = asked or DEFAULT
    try:
        claims = _open(request, token, Purpose.CONFIRM_OPT_IN)
        if not _csrf_ok(request, token, form):
            return _stale_form(request, language, token, "confirm")
        page = _page(request, claims, asked)
        language = page.language
        visit = visit_of(request, language, "double-opt-in")
        if _held(request, claims, form, page, visit):
            return _show_unsubscribe(request, token, page, language, "held_confirm.html", 202)
        prefs.confirm_opt_in(request.app.state.engine, page, visit)
        page = _page(request, claims, asked)
        language = page.language
    except InvalidLink as error:
        return bad_link(request, language, error)
    except ConsentryError as error:
        return _failed(request, language, error)
    return _show_unsubscribe(request, token, page, language, "confirmed.html")


# --- a fresh link by email ----------------------------------------------------------------


@router.api_route("/request-link", methods=["GET", "HEAD"])
def request_link_page(request: Request) -> Response:
    return render(request, "request_link.html", asked_language(request) or DEFAULT)


@router.post("/request-link")
async def request_link(request: Request) -> Response:
    form = await _form(request)
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
