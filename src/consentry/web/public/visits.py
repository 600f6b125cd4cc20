"""What every route of the contact's pages does with a request: read its form (bounded),
open its link, check the form's CSRF token, hold a suspected scanner, and answer the expected
failures (a bad or expired link, a stale form) with pages of their own and 4xx statuses."""

import secrets
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from starlette.datastructures import FormData

from consentry.config import Config
from consentry.domain import ConsentryError, InvalidInput
from consentry.domain.languages import DEFAULT
from consentry.domain.links import InvalidLink, LinkClaims, Purpose, seal
from consentry.domain.one_click import FIELD as ONE_CLICK_FIELD
from consentry.domain.one_click import POST_HEADER_VALUE
from consentry.domain.one_click import VALUE as ONE_CLICK_VALUE
from consentry.domain.preferences import form_token, form_token_valid
from consentry.domain.scanners import hold
from consentry.locale import translations
from consentry.services import preferences as prefs
from consentry.services.writing import utcnow
from consentry.web.public.pages import asked_language, render

INVALID = "This link is not valid."


MAX_FORM_BYTES = 64 * 1024  # the pages' forms are a few hundred bytes


async def read_form(request: Request) -> FormData:
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


# The POSTed form as a dependency: read on the event loop, so the routes taking it can be plain
# functions, which FastAPI runs in its threadpool; their database work (a one-click burst from
# a mailbox provider, say) then never stalls the loop and every other request with it.
Form = Annotated[FormData, Depends(read_form)]


def config_of(request: Request) -> Config:
    config: Config = request.app.state.config
    return config


def open_link(request: Request, token: str, *purposes: Purpose) -> LinkClaims:
    claims = prefs.open_link(config_of(request).secret(), token)
    if claims.purpose not in purposes:
        raise InvalidLink(INVALID)
    return claims


def load_page(request: Request, claims: LinkClaims, language: str | None) -> prefs.PreferencePage:
    return prefs.load_page(request.app.state.engine, claims, language)


def notice_text(language: str, brand_name: str) -> str:
    """The consent notice the preference page shows next to Save: recorded word for word."""
    _ = translations(language).gettext
    return _(
        "By saving, you agree to receive the mail you have ticked from %(brand)s. You can"
        " change your choices or unsubscribe at any time on this page."
    ) % {"brand": brand_name}


def manage_url(request: Request, claims: LinkClaims, language: str) -> str:
    """The preference page of the subscriber an unsubscribe or confirmation link names (with
    the same issue time, so it expires with the link it came from)."""
    manage = replace(claims, purpose=Purpose.MANAGE_PREFERENCES, subscription_type_id=None)
    return f"/preferences/{seal(manage, config_of(request).secret())}?lang={language}"


def form_context(request: Request, token: str) -> dict[str, Any]:
    nonce = secrets.token_urlsafe(16)
    return {"nonce": nonce, "csrf": form_token(config_of(request).secret(), token, nonce)}


def csrf_ok(request: Request, token: str, form: FormData) -> bool:
    return form_token_valid(
        config_of(request).secret(), token, str(form.get("nonce", "")), str(form.get("csrf", ""))
    )


def opened(request: Request, token: str, *purposes: Purpose) -> prefs.PreferencePage | HTMLResponse:
    """What a GET of a personal link shows: its page, or the bad-link page in the language
    asked for (a GET never acts)."""
    asked = asked_language(request)
    try:
        return load_page(request, open_link(request, token, *purposes), asked)
    except InvalidLink as error:
        return bad_link(request, asked or DEFAULT, error)


def bad_link(request: Request, language: str, error: InvalidLink) -> HTMLResponse:
    expired = "expired" in str(error)
    return render(
        request,
        "bad_link.html",
        language,
        status_code=410 if expired else 404,
        expired=expired,
    )


def stale_form(request: Request, language: str, token: str, path: str) -> HTMLResponse:
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


def failed(request: Request, language: str, error: ConsentryError) -> HTMLResponse:
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


def show_link_page(
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
        manage_url=manage_url(request, page.claims, language),
        **form_context(request, token),
    )


def held(
    request: Request,
    claims: LinkClaims,
    form: FormData,
    page: prefs.PreferencePage,
    visit: prefs.Visit,
) -> bool:
    """A first confirm-button POST that looks like a link scanner is held (and recorded)."""
    if form.get("second") == "1":
        return False
    window = config_of(request).scanner_window_seconds
    if not hold(visit.user_agent, claims.issued_moment, utcnow(), window):
        return False
    prefs.hold_suspected_scanner(request.app.state.engine, page, visit)
    return True
