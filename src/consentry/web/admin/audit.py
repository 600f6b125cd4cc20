"""The Audit page: the whole ledger with filters, and the chain's verification on request."""

from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from consentry.domain import ActorKind, ConsentryError, LedgerEntry, Source
from consentry.services import list_types, verify_ledger
from consentry.services.audit import AuditQuery, audit_page
from consentry.services.sessions import Session
from consentry.web.admin.auth import current_session
from consentry.web.admin.pages import actor_labeller, engine, number, render

router = APIRouter()
KEYS = ("address", "type", "source", "actor", "since", "until")


def _date(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@router.get("/admin/audit")
def audit(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    params = {key: (request.query_params.get(key) or "").strip() for key in KEYS}
    before = request.query_params.get("before", "")
    query = AuditQuery(
        address=params["address"],
        subscription_type_id=number(params["type"]),
        source=params["source"] if params["source"] in Source.__members__ else "",
        actor=params["actor"],
        since=_date(params["since"]),
        until=_date(params["until"]),
        before=number(before),
    )
    error: str | None = None
    entries: tuple[LedgerEntry, ...] = ()
    next_before: int | None = None
    try:
        found = audit_page(engine(request), query)
        entries, next_before = found.entries, found.next_before
    except ConsentryError as problem:
        error = problem.message
    verification = verify_ledger(engine(request)) if request.query_params.get("verify") else None
    return render(
        request,
        "audit.html",
        {
            "params": params,
            "filter_qs": "&".join(f"{k}={v}" for k, v in params.items() if v),
            "entries": entries,
            "next_before": next_before,
            "error": error,
            "verification": verification,
            "types": list_types(engine(request)),
            "type_names": {t.id: t.name for t in list_types(engine(request))},
            "sources": list(Source),
            "actor_kinds": list(ActorKind),
            "actor_label": actor_labeller(request),
        },
    )
