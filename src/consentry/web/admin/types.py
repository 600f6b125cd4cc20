"""Settings → Subscription types: create, edit, translate, reorder (drag or arrows), archive,
and a preview of the preference page."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from consentry.domain import ACCOUNT_UNIT_ID, Channel, ConsentryError, TypeKind
from consentry.domain.roles import Permission
from consentry.services import (
    NewType,
    TypeChanges,
    create_type,
    delete_translation,
    get_settings,
    get_type,
    list_types,
    list_units,
    reorder_types,
    set_archived,
    set_translation,
    update_type,
)
from consentry.services.sessions import Session
from consentry.web.admin.auth import current_session, need
from consentry.web.admin.pages import Form, engine, number, redirect, render, text, texts

router = APIRouter()
BASE = "/admin/settings/types"


@router.get(BASE)
def types_page(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    settings = get_settings(engine(request))
    units = list_units(engine(request))
    return render(
        request,
        "settings_types.html",
        {
            "types": list_types(engine(request)),
            "settings": settings,
            "units": units,
            "unit_names": {u.id: u.name for u in units},
            "channels": list(Channel),
            "kinds": list(TypeKind),
            "section": "types",
        },
    )


@router.post(BASE, response_model=None)
def create(request: Request, form: Form, session: Session = Depends(current_session)) -> Response:
    need(session, Permission.EDIT_TYPES)
    unit = text(form, "business_unit_id")
    try:
        created = create_type(
            engine(request),
            NewType(
                name=text(form, "name"),
                description=text(form, "description"),
                channel=Channel(text(form, "channel") or "EMAIL"),
                business_unit_id=number(unit, ACCOUNT_UNIT_ID),
                kind=TypeKind(text(form, "kind") or "MARKETING"),
                purpose=text(form, "purpose") or "Marketing",
            ),
        )
    except ConsentryError as problem:
        return redirect(BASE, f"Not created: {problem.message}")
    return redirect(f"{BASE}/{created.id}", f"Created {created.name!r}.")


@router.post(f"{BASE}/order", response_model=None)
def reorder(request: Request, form: Form, session: Session = Depends(current_session)) -> Response:
    need(session, Permission.EDIT_TYPES)
    try:
        reorder_types(engine(request), [int(i) for i in texts(form, "order")])
    except (ConsentryError, ValueError):
        return redirect(BASE, "Not reordered: the order named unknown types.")
    return redirect(BASE, "Order saved.")


@router.post(BASE + "/{type_id}/move", response_model=None)
def move(
    request: Request,
    type_id: int,
    direction: str = "up",
    session: Session = Depends(current_session),
) -> Response:
    need(session, Permission.EDIT_TYPES)
    ids = [t.id for t in list_types(engine(request))]
    if type_id in ids:
        at = ids.index(type_id)
        to = at - 1 if direction == "up" else at + 1
        if 0 <= to < len(ids):
            ids[at], ids[to] = ids[to], ids[at]
            reorder_types(engine(request), ids)
    return redirect(BASE, "Order saved.")


@router.get(BASE + "/{type_id}")
def type_page(
    request: Request, type_id: int, session: Session = Depends(current_session)
) -> HTMLResponse:
    return render(
        request,
        "settings_type.html",
        {
            "t": get_type(engine(request), type_id),
            "settings": get_settings(engine(request)),
            "kinds": list(TypeKind),
            "section": "types",
        },
    )


@router.post(BASE + "/{type_id}", response_model=None)
def edit(
    request: Request, form: Form, type_id: int, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_TYPES)
    kind = text(form, "kind")
    try:
        update_type(
            engine(request),
            type_id,
            TypeChanges(
                name=text(form, "name"),
                description=text(form, "description"),
                purpose=text(form, "purpose") or None,
                kind=TypeKind(kind) if kind in TypeKind.__members__ else None,
            ),
        )
    except ConsentryError as problem:
        return redirect(f"{BASE}/{type_id}", f"Not saved: {problem.message}")
    return redirect(f"{BASE}/{type_id}", "Saved.")


@router.post(BASE + "/{type_id}/translations", response_model=None)
def translate(
    request: Request, form: Form, type_id: int, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_TYPES)
    try:
        set_translation(
            engine(request),
            type_id,
            text(form, "language"),
            text(form, "name"),
            text(form, "description"),
        )
    except ConsentryError as problem:
        return redirect(f"{BASE}/{type_id}", f"Not saved: {problem.message}")
    return redirect(f"{BASE}/{type_id}", f"Translation {text(form, 'language')!r} saved.")


@router.post(BASE + "/{type_id}/translations/{language}/delete", response_model=None)
def untranslate(
    request: Request, type_id: int, language: str, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_TYPES)
    delete_translation(engine(request), type_id, language)
    return redirect(f"{BASE}/{type_id}", f"Translation {language!r} removed.")


@router.post(BASE + "/{type_id}/archive", response_model=None)
def archive(
    request: Request, form: Form, type_id: int, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_TYPES)
    archived = text(form, "archived") != "false"
    changed = set_archived(engine(request), type_id, archived)
    said = "archived: it takes no new opt-ins" if archived else "active again"
    return redirect(f"{BASE}/{type_id}", f"{changed.name!r} is {said}.")


@router.get("/admin/settings/preview")
def preview(
    request: Request, unit: int = 0, lang: str = "", session: Session = Depends(current_session)
) -> HTMLResponse:
    """The preference page a contact of this unit would see, in a language (not live)."""
    units = {u.id: u for u in list_units(engine(request))}
    chosen = units.get(unit) or units[ACCOUNT_UNIT_ID]
    shown = []
    for t in list_types(engine(request), Channel.EMAIL, chosen.id, with_translations=True):
        if not t.is_active:
            continue
        translated = {tr.language_code: tr for tr in t.translations}.get(lang.lower())
        shown.append(
            (translated.name, translated.description) if translated else (t.name, t.description)
        )
    languages = sorted(
        {
            tr.language_code
            for t in list_types(engine(request), with_translations=True)
            for tr in t.translations
        }
    )
    return render(
        request,
        "settings_preview.html",
        {
            "unit": chosen,
            "units": list(units.values()),
            "shown": shown,
            "lang": lang,
            "languages": languages,
            "settings": get_settings(engine(request)),
            "section": "types",
        },
    )
