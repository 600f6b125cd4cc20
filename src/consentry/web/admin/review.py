"""The review queue: inbound SMS and WhatsApp replies that may be a request to stop, waiting for
a person to resolve them as an opt-out (recorded with the reviewer as actor) or to dismiss them."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from consentry.domain import Actor, ActorKind, ConsentryError
from consentry.domain.review import Resolution
from consentry.domain.roles import Permission
from consentry.services.review_queue import list_review, resolve_review
from consentry.services.sessions import Session
from consentry.web.admin.auth import current_session, need
from consentry.web.admin.pages import Form, engine, redirect, render, text

router = APIRouter()
PAGE = "/admin/review"


@router.get(PAGE)
def review_page(request: Request, session: Session = Depends(current_session)) -> HTMLResponse:
    show_all = request.query_params.get("all") == "1"
    items = list_review(engine(request), open_only=not show_all, limit=200)
    return render(request, "review.html", {"items": items, "show_all": show_all})


@router.post(f"{PAGE}/{{item_id}}", response_model=None)
def resolve(
    request: Request,
    form: Form,
    item_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    session: Session = Depends(current_session),
) -> Response:
    need(session, Permission.EDIT_STATUSES)
    choice = text(form, "resolution")
    if choice not in Resolution.__members__:
        return redirect(PAGE, "Choose opt out or dismiss.")
    reviewer = Actor(ActorKind.USER, str(session.user.id))
    try:
        item = resolve_review(engine(request), item_id, Resolution(choice), reviewer)
    except ConsentryError as problem:
        return redirect(PAGE, f"Not resolved: {problem.message}")
    if item.resolution is Resolution.OPT_OUT:
        return redirect(PAGE, f"{item.address} is opted out of {item.channel.value}.")
    return redirect(PAGE, f"Dismissed the reply from {item.address}; nothing was changed.")
