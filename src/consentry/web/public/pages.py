"""Rendering the contact's pages: the template environment, the language of a request, the
brand's colours, and the headers every personal page carries.

Personal pages carry a token in their URL, so they are never cached, never framed, and never
send a Referer (a brand's logo host must not learn the link). No page sets a cookie.
"""

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from consentry.domain.contrast import text_on, usable_on_white
from consentry.domain.languages import preferred
from consentry.locale import translations
from consentry.services.preferences import Brand, Visit

TEMPLATES = Path(__file__).parent / "templates"
ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
# Each language named in itself, for the language switcher.
LANGUAGE_NAMES = (
    ("en", "English"),
    ("zh-TW", "繁體中文"),
    ("zh-CN", "简体中文"),
    ("ja", "日本語"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
)
DEFAULT_PRIMARY = "#1a56db"
DEFAULT_ACCENT = "#0e7a4d"


def asked_language(request: Request, form_language: str | None = None) -> str | None:
    """The link's language (`?lang=`, or the form's), then Accept-Language; None when neither
    names one we have (the account's default then applies)."""
    return preferred(
        form_language or request.query_params.get("lang"), request.headers.get("accept-language")
    )


def visit_of(request: Request, language: str, page: str) -> Visit:
    return Visit(
        ip=request.client.host if request.client else None,
        user_agent=(request.headers.get("user-agent") or "")[:500] or None,
        language=language,
        page=page,
    )


def colours(brand: Brand | None) -> dict[str, str]:
    primary = (brand.primary_color if brand else None) or DEFAULT_PRIMARY
    accent = (brand.accent_color if brand else None) or DEFAULT_ACCENT
    return {
        "primary": primary,
        "on_primary": text_on(primary),
        "accent": usable_on_white(accent, "#1f2328"),
        "link": usable_on_white(primary, "#1a56db"),
    }


def render(
    request: Request,
    template: str,
    language: str,
    *,
    brand: Brand | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    style_nonce = secrets.token_urlsafe(16)
    gettext = translations(language).gettext
    html = ENV.get_template(template).render(
        _=gettext,
        lang=language,
        brand=brand,
        colours=colours(brand),
        style_nonce=style_nonce,
        path=request.url.path,
        languages=LANGUAGE_NAMES,
        **context,
    )
    if request.method == "HEAD":
        html = ""
    return HTMLResponse(html, status_code=status_code, headers=page_headers(style_nonce))


def page_headers(style_nonce: str) -> Mapping[str, str]:
    """No caching, and a policy admitting this answer's inline styles by nonce; the headers
    every answer carries (no Referer, no framing, nosniff, HSTS) are `web.security_headers`."""
    return {
        "Cache-Control": "no-store",
        "Content-Security-Policy": (
            "default-src 'none'; style-src 'self' 'nonce-"
            + style_nonce
            + "'; img-src 'self' https:; form-action 'self'; frame-ancestors 'none';"
            " base-uri 'none'"
        ),
    }
