"""Settings → Business units: the on/off switch, creating units, and their branding."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from consentry.domain import ConsentryError
from consentry.domain.business_units import ACCENT_COLOR, LOGO_URL, PRIMARY_COLOR
from consentry.domain.roles import Permission
from consentry.services import UnitChanges, create_unit, get_settings, list_units, update_unit
from consentry.services.sessions import Session
from consentry.web.admin.auth import current_session, need
from consentry.web.admin.pages import Form, engine, redirect, render, text

router = APIRouter()
BASE = "/admin/settings/units"


def _branding(form: object) -> dict[str, str | None]:
    return {key: text(form, key) or None for key in (LOGO_URL, PRIMARY_COLOR, ACCENT_COLOR)}  # type: ignore[arg-type]


@router.get(BASE)
def units_page(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    return render(
        request,
        "settings_units.html",
        {
            "units": list_units(engine(request)),
            "settings": get_settings(engine(request)),
            "section": "units",
        },
    )


@router.post(BASE, response_model=None)
def create(request: Request, form: Form, session: Session = Depends(current_session)) -> Response:
    need(session, Permission.EDIT_TYPES)
    try:
        unit = create_unit(
            engine(request), text(form, "name"), {k: v for k, v in _branding(form).items() if v}
        )
    except ConsentryError as problem:
        return redirect(BASE, f"Not created: {problem.message}")
    return redirect(BASE, f"Business unit {unit.name!r} created.")


@router.post(BASE + "/{unit_id}", response_model=None)
def edit(
    request: Request, form: Form, unit_id: int, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_TYPES)
    try:
        unit = update_unit(
            engine(request),
            unit_id,
            UnitChanges(name=text(form, "name") or None, branding=_branding(form)),
        )
    except ConsentryError as problem:
        return redirect(BASE, f"Not saved: {problem.message}")
    return redirect(BASE, f"Business unit {unit.name!r} saved.")
