"""Settings: the account toggles (business units, double opt-in, channels, data privacy) and
"Remove opt-outs added by users"."""

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from consentry.domain import Actor, ActorKind
from consentry.domain.roles import Permission
from consentry.services import get_settings, set_setting
from consentry.services.sessions import Session
from consentry.services.user_opt_outs import count_user_opt_outs, remove_user_opt_outs
from consentry.web.admin.auth import current_session, need
from consentry.web.admin.pages import Form, engine, redirect, render, text

router = APIRouter()

TOGGLES = {
    "business_units_enabled": (
        "Business units",
        "Separate brands, each with its own subscription types, branding and unsubscribe from all.",
    ),
    "double_opt_in": (
        "Double opt-in",
        "New email opt-ins count only once the contact confirms them from an email.",
    ),
    "sms_enabled": ("SMS", "SMS subscription types can take opt-ins."),
    "whatsapp_enabled": ("WhatsApp", "WhatsApp subscription types can take opt-ins."),
}
LABELS = {"data_privacy_mode": "Data privacy mode", **{k: v[0] for k, v in TOGGLES.items()}}


@router.get("/admin/settings")
def general(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    return render(
        request,
        "settings_general.html",
        {"settings": get_settings(engine(request)), "toggles": TOGGLES, "section": "general"},
    )


@router.post("/admin/settings/toggle", response_model=None)
def toggle(request: Request, form: Form, session: Session = Depends(current_session)) -> Response:
    key, value = text(form, "key"), text(form, "value")
    if key not in LABELS:
        raise HTTPException(400, f"Unknown setting {key!r}.")
    need(
        session, Permission.DATA_PRIVACY if key == "data_privacy_mode" else Permission.EDIT_SETTINGS
    )
    set_setting(engine(request), key, value)
    back = text(form, "back")
    state = "on" if value == "true" else "off"
    return redirect(
        back if back.startswith("/admin/") else "/admin/settings", f"{LABELS[key]} is {state}."
    )


@router.get("/admin/settings/remove-opt-outs")
def remove_page(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    need(session, Permission.REMOVE_USER_OPT_OUTS)
    return render(
        request,
        "settings_remove.html",
        {"count": count_user_opt_outs(engine(request)), "section": "remove"},
    )


@router.post("/admin/settings/remove-opt-outs", response_model=None)
def remove(request: Request, form: Form, session: Session = Depends(current_session)) -> Response:
    need(session, Permission.REMOVE_USER_OPT_OUTS)
    count = count_user_opt_outs(engine(request))
    if text(form, "confirm").replace(",", "") != str(count):
        return redirect(
            "/admin/settings/remove-opt-outs",
            f"Not run: type the number of opt-outs ({count:,}) exactly to confirm.",
        )
    removal = remove_user_opt_outs(engine(request), Actor(ActorKind.USER, str(session.user.id)))
    message = f"Removed {removal.reverted:,} opt-outs added by users."
    if removal.not_reverted:
        message += f" {removal.not_reverted:,} could not be removed (see the Audit page)."
    return redirect("/admin/settings/remove-opt-outs", message)
