"""The contact record: its properties, and the Communication subscriptions panel — the
Subscriptions tab (status per type, by business unit; Subscribe / Resubscribe / Unsubscribe
through a dialog), the History tab (the address's ledger) and View all properties; and the
record's actions: unsubscribe from all, one-time legal basis for a call, preference link."""

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from consentry.domain import (
    Actor,
    ActorKind,
    Channel,
    ConsentryError,
    LedgerEntry,
    Outcome,
    Source,
    Status,
    SubscriptionType,
    TypeKind,
)
from consentry.domain.roles import Permission
from consentry.services import (
    Provenance,
    StatusChange,
    TypeStatus,
    contacts,
    get_settings,
    get_type,
    history,
    list_types,
    list_units,
    read_statuses,
    record_one_time_basis,
    set_status,
    unsubscribe_all,
)
from consentry.services.contacts import Contact
from consentry.services.preference_links import send_preference_link
from consentry.services.sessions import Session
from consentry.web.admin.auth import current_session, need
from consentry.web.admin.contacts import EDITABLE
from consentry.web.admin.pages import (
    Form,
    actor_labeller,
    config,
    engine,
    legal_basis,
    number,
    redirect,
    render,
    text,
)

router = APIRouter()
LABELS = {
    "email": "Email",
    "firstname": "First name",
    "lastname": "Last name",
    "company": "Company",
    "phone": "Phone",
    "lifecyclestage": "Lifecycle stage",
    "city": "City",
    "createdate": "Create date",
    "lastmodifieddate": "Last modified date",
    "hs_object_id": "Record ID",
    "hs_email_optout": "Unsubscribed from all email",
}


def _contact(request: Request, contact_id: int, type_ids: list[int]) -> Contact:
    names = [*EDITABLE, "createdate", "lastmodifieddate", "hs_object_id", "hs_email_optout"]
    names += [f"hs_email_optout_{type_id}" for type_id in type_ids]
    return contacts.get(engine(request), str(contact_id), properties=names)


def _actor(session: Session) -> Actor:
    return Actor(ActorKind.USER, str(session.user.id))


def _provenance(session: Session, form: FormData, contact_id: int) -> Provenance:
    """A change by the signed-in user on this record, with the dialog's basis and explanation
    (forms without a legal-basis field give none)."""
    return Provenance(
        Source.USER,
        _actor(session),
        legal_basis=legal_basis(text(form, "legal_basis")),
        explanation=text(form, "explanation") or None,
        contact_id=contact_id,
    )


def _all_properties(
    contact: Contact, type_names: dict[int, str], q: str
) -> list[tuple[str, str, str]]:
    rows = []
    for name, value in contact.properties.items():
        if name.startswith("hs_email_optout_"):
            type_id = int(name.removeprefix("hs_email_optout_"))
            label = f"Opted out of email: {type_names.get(type_id, type_id)}"
            shown = "Yes" if value == "true" else ""
        elif name == "hs_email_optout":
            label, shown = LABELS[name], "true" if value == "true" else "false"
        else:
            label, shown = LABELS.get(name, name), value or ""
        rows.append((label, name, shown))
    needle = q.lower()
    rows = [r for r in rows if not needle or needle in r[0].lower() or needle in r[1].lower()]
    order = {f"hs_email_optout_{type_id}": at for at, type_id in enumerate(type_names)}
    # The contact's own properties by label, then one "Opted out of email" per type in the
    # types' display order.
    return sorted(rows, key=lambda r: (r[1] in order, order.get(r[1], 0), r[0].lower()))


def _view(params: Mapping[str, str]) -> dict[str, Any]:
    """What of the record the query string opens: the panel and its tab, a dialog, an edit."""
    dialog_type = params.get("type", "")
    return {
        "edit": params.get("edit") == "1",
        "panel": params.get("panel", ""),
        "dialog": params.get("dialog", ""),
        "dialog_type": number(dialog_type),
        "dialog_status": params.get("status", "SUBSCRIBED"),
        "unit": params.get("unit", ""),
        "q": params.get("q", ""),
    }


def _addresses(contact: Contact, types: list[SubscriptionType]) -> list[tuple[Channel, str]]:
    """The contact's subscribers: its email, and its phone on each phone channel with types."""
    p = contact.properties
    found = [(Channel.EMAIL, p["email"])] if p.get("email") else []
    phone = p.get("phone") or p.get("mobilephone")
    channels = {t.channel for t in types}
    for channel in (Channel.SMS, Channel.WHATSAPP):
        if phone and channel in channels:
            found.append((channel, phone))
    return [(channel, str(address)) for channel, address in found]


def _statuses(
    request: Request, addresses: list[tuple[Channel, str]], unit_id: int | None
) -> list[TypeStatus]:
    statuses: list[TypeStatus] = []
    for channel, address in addresses:
        try:
            statuses += read_statuses(engine(request), address, channel, unit_id).statuses
        except ConsentryError:  # a phone number that cannot be a subscriber: nothing stored
            continue
    return statuses


def _history(request: Request, addresses: list[tuple[Channel, str]]) -> list[LedgerEntry]:
    """Every channel's ledger entries of the contact's addresses, newest first."""
    entries: list[LedgerEntry] = []
    for channel, address in addresses:
        try:
            entries += history(engine(request), address, channel).entries
        except ConsentryError:
            continue
    return sorted(entries, key=lambda entry: entry.id, reverse=True)


@router.get("/admin/contacts/{contact_id}")
def record(
    request: Request, contact_id: int, session: Session = Depends(current_session)
) -> HTMLResponse:
    view = _view(request.query_params)
    settings = get_settings(engine(request))
    all_types = list_types(engine(request))
    email_types = [t for t in all_types if t.channel is Channel.EMAIL]
    contact = _contact(request, contact_id, [t.id for t in email_types])
    addresses = _addresses(contact, all_types)
    units_on = settings.business_units_enabled
    unit_id = number(view["unit"]) if units_on else None
    statuses = _statuses(request, addresses, unit_id)
    type_names = {t.id: t.name for t in all_types}
    return render(
        request,
        "record.html",
        {
            **view,
            "contact": contact,
            "p": contact.properties,
            "labels": LABELS,
            "editable": EDITABLE,
            "units": list_units(engine(request)) if units_on else [],
            "settings": settings,
            "statuses": statuses,
            "channels": [channel for channel, _ in addresses],
            "subscribed": sum(s.status is Status.SUBSCRIBED for s in statuses),
            "unsubscribed": sum(s.status is Status.UNSUBSCRIBED for s in statuses),
            "entries": _history(request, addresses) if view["panel"] == "history" else [],
            "type_names": type_names,
            "all_properties": _all_properties(contact, type_names, view["q"]),
            "one_to_one": [t for t in email_types if t.kind is TypeKind.ONE_TO_ONE],
            "actor_label": actor_labeller(request),
        },
    )


def _back(contact_id: int, form: Any, panel: str = "subscriptions") -> str:
    unit = text(form, "unit")
    return f"/admin/contacts/{contact_id}?panel={panel}" + (f"&unit={unit}" if unit else "")


@router.post("/admin/contacts/{contact_id}/status", response_model=None)
def change_status(
    request: Request, form: Form, contact_id: int, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_STATUSES)
    try:
        status = Status(text(form, "status"))
        type_ = get_type(engine(request), int(text(form, "type_id")))
    except ValueError:
        raise HTTPException(400, "Choose a subscription type and a status.") from None
    contact = contacts.get(engine(request), str(contact_id), properties=list(EDITABLE))
    address = dict(_addresses(contact, [type_])).get(type_.channel)
    if not address:
        raise HTTPException(400, f"This contact has no {type_.channel.value.lower()} address.")
    provenance = _provenance(session, form, contact_id)
    try:
        result = set_status(
            engine(request), StatusChange(address, type_.channel, type_.id, status, provenance)
        )
    except ConsentryError as problem:
        return redirect(_back(contact_id, form), f"Not changed: {problem.message}")
    decision = result.decision
    if decision.outcome is Outcome.REFUSED:
        message = f"Refused: {decision.message}"
    elif decision.outcome is Outcome.NO_CHANGE:
        message = f"No change: {result.subscription_type.name} was already {_said(result.status)}."
    else:
        message = f"{result.subscription_type.name}: {_said(result.status)}."
    return redirect(_back(contact_id, form), message)


def _said(status: Status) -> str:
    return {
        Status.SUBSCRIBED: "subscribed",
        Status.UNSUBSCRIBED: "unsubscribed",
        Status.NOT_SPECIFIED: "not specified",
    }[status]


def _email_of(request: Request, contact_id: int) -> str:
    """The contact's email address; actions that need one refuse a contact without it."""
    email = contacts.get(engine(request), str(contact_id), properties=["email"]).properties.get(
        "email"
    )
    if not email:
        raise HTTPException(400, "This contact has no email address.")
    return email


@router.post("/admin/contacts/{contact_id}/unsubscribe-all", response_model=None)
def unsubscribe_from_all(
    request: Request, form: Form, contact_id: int, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_STATUSES)
    email = _email_of(request, contact_id)
    unit = text(form, "business_unit")
    provenance = _provenance(session, form, contact_id)
    try:
        result = unsubscribe_all(engine(request), email, Channel.EMAIL, number(unit), provenance)
    except ConsentryError as problem:
        return redirect(f"/admin/contacts/{contact_id}", f"Not changed: {problem.message}")
    done = "Unsubscribed from all email." if result.opted_out else result.decision.message
    return redirect(f"/admin/contacts/{contact_id}?panel=subscriptions", done)


@router.post("/admin/contacts/{contact_id}/one-time-basis", response_model=None)
def one_time_basis(
    request: Request, form: Form, contact_id: int, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_STATUSES)
    email = _email_of(request, contact_id)
    provenance = _provenance(session, form, contact_id)
    try:
        type_id = int(text(form, "type_id"))
        answer = record_one_time_basis(engine(request), email, type_id, provenance)
    except (ConsentryError, ValueError) as problem:
        message = problem.message if isinstance(problem, ConsentryError) else "Choose a type."
        return redirect(f"/admin/contacts/{contact_id}?dialog=onetime", f"Not recorded: {message}")
    verdict = "may" if answer.answer.allowed else "may not"
    return redirect(
        f"/admin/contacts/{contact_id}?panel=history",
        f"One-time legal basis recorded: you {verdict} make this one communication"
        f" ({answer.answer.reason}).",
    )


@router.post("/admin/contacts/{contact_id}/preference-link", response_model=None)
def send_link(
    request: Request, form: Form, contact_id: int, session: Session = Depends(current_session)
) -> Response:
    need(session, Permission.EDIT_STATUSES)
    email = _email_of(request, contact_id)
    unit = text(form, "business_unit")
    try:
        send_preference_link(
            engine(request),
            config(request),
            email,
            Channel.EMAIL,
            number(unit, 0),
            actor=_actor(session),
        )
    except ConsentryError as problem:
        return redirect(f"/admin/contacts/{contact_id}", f"Not sent: {problem.message}")
    return redirect(f"/admin/contacts/{contact_id}", f"Preference link sent to {email}.")
