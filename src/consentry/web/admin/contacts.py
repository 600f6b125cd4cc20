"""The contacts index (search, filters, paging, ticking rows) and creating, editing and
deleting a contact."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from consentry.domain import Channel, ConsentryError
from consentry.domain.roles import Permission
from consentry.services import contacts, get_settings, list_types, list_units
from consentry.services.contacts import SearchRequest
from consentry.services.sessions import Session
from consentry.web.admin.auth import current_session, need
from consentry.web.admin.pages import Form, engine, redirect, render, text
from consentry.web.admin.selection import OPERATORS, PROPERTIES, Selection

PAGE_SIZE = 25
SHOWN = ("email", "firstname", "lastname", "company", "lifecyclestage", "hs_email_optout")
EDITABLE = ("email", "firstname", "lastname", "company", "phone", "lifecyclestage", "city")

router = APIRouter()


def index_context(request: Request) -> dict[str, Any]:
    """What the index shows for the request's filters: also the backdrop of the bulk panel."""
    params = request.query_params
    selection = Selection.from_params(dict(params))
    types = list_types(engine(request), Channel.EMAIL)
    settings = get_settings(engine(request))
    try:
        offset = max(0, int(params.get("offset", "0") or 0))
    except ValueError:
        offset = 0
    error = None
    try:
        result = contacts.search(
            engine(request),
            SearchRequest(
                filter_groups=selection.groups_json(types),
                query=selection.q or None,
                properties=SHOWN,
                limit=PAGE_SIZE,
                after=offset,
            ),
        )
        total, rows = result.total, result.contacts
    except ConsentryError as problem:
        total, rows, error = 0, [], problem.message
    return {
        "selection": selection,
        "filter_params": selection.params(),
        "types": types,
        "units": list_units(engine(request)) if settings.business_units_enabled else [],
        "settings": settings,
        "contacts": rows,
        "total": total,
        "offset": offset,
        "page_size": PAGE_SIZE,
        "operators": OPERATORS,
        "properties": PROPERTIES,
        "error": error,
    }


@router.get("/admin/contacts")
def index(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    return render(request, "contacts.html", index_context(request))


@router.get("/admin/contacts/new")
def new_contact(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    need(session, Permission.EDIT_CONTACTS)
    return render(request, "contact_form.html", {"values": {}, "fields": EDITABLE})


@router.post("/admin/contacts", response_model=None)
def create_contact(
    request: Request, form: Form, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_CONTACTS)
    values = {name: text(form, name) for name in EDITABLE if text(form, name)}
    try:
        contact = contacts.create(engine(request), values)
    except ConsentryError as problem:
        return render(
            request,
            "contact_form.html",
            {"values": values, "fields": EDITABLE, "error": problem.message},
            status=400,
        )
    return redirect(f"/admin/contacts/{contact.id}", "Contact created.")


@router.post("/admin/contacts/{contact_id}", response_model=None)
def update_contact(
    request: Request, form: Form, contact_id: int, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_CONTACTS)
    # An emptied field removes the property (the services take "" as "remove").
    values: dict[str, object] = {name: text(form, name) for name in EDITABLE if name in form}
    try:
        contacts.update(engine(request), str(contact_id), values)
    except ConsentryError as problem:
        return redirect(f"/admin/contacts/{contact_id}?edit=1", problem.message)
    return redirect(f"/admin/contacts/{contact_id}", "Contact saved.")


@router.post("/admin/contacts/{contact_id}/delete", response_model=None)
def delete_contact(
    request: Request, contact_id: int, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_CONTACTS)
    contacts.archive(engine(request), str(contact_id))
    return redirect(
        "/admin/contacts", "Contact deleted. Its address keeps its subscription statuses."
    )
