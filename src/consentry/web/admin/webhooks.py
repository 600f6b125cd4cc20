"""Outbound webhooks (issue 10), for admins only (see `Permission.MANAGE_WEBHOOKS`): the list
with each one's delivery counts, the form (new and edit), and each webhook's page — its secret
masked, pause and resume, rotate the secret, delete, and the delivery log (paged, filtered by
state) with "Redeliver". A secret is shown in full once: on the answer that made it."""

from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, Response

from consentry.domain import Actor, ActorKind, InvalidInput
from consentry.domain.roles import Permission
from consentry.domain.webhooks import DeliveryState, Subscription, masked
from consentry.services import webhooks
from consentry.services.sessions import Session
from consentry.services.webhooks import log
from consentry.services.webhooks.rotation import rotate_secret
from consentry.web.admin import webhook_form
from consentry.web.admin.auth import current_session, need
from consentry.web.admin.pages import Form, engine, number, redirect, render, text

router = APIRouter()
PAGE = "/admin/webhooks"
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
LOG_PAGE = 50
STATES = (
    (DeliveryState.PENDING, "Pending"),
    (DeliveryState.FAILED, "Failed"),
    (DeliveryState.DELIVERED, "Delivered"),
)


def _admin(session: Session = Depends(current_session)) -> Session:
    need(session, Permission.MANAGE_WEBHOOKS)
    return session


Admin = Annotated[Session, Depends(_admin)]


@router.get(PAGE)
def list_page(request: Request, session: Admin) -> HTMLResponse:
    counts = log.counts(engine(request))
    rows = [
        (subscription, counts.get(subscription.id, log.DeliveryCounts()))
        for subscription in webhooks.list_subscriptions(engine(request))
    ]
    return render(request, "webhooks.html", {"rows": rows, "labels": webhook_form.EVENT_LABELS})


def _form_page(
    request: Request,
    values: dict[str, Any],
    *,
    subscription: Subscription | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    return render(
        request,
        "webhooks_form.html",
        {
            "subscription": subscription,
            "v": values,
            "errors": errors or {},
            "event_types": list(webhook_form.EVENT_LABELS.items()),
        },
        status=status,
    )


@router.get(f"{PAGE}/new")
def new_page(request: Request, session: Admin) -> HTMLResponse:
    return _form_page(request, webhook_form.blank())


@router.post(f"{PAGE}/new", response_model=None)
def create(request: Request, form: Form, session: Admin) -> Response:
    values = webhook_form.read(form)
    try:
        created = webhooks.create_subscription(
            engine(request), created_by=str(Actor(ActorKind.USER, str(session.user.id))), **values
        )
    except InvalidInput as problem:
        errors = {webhook_form.input_for(problem.field): problem.message}
        return _form_page(request, values, errors=errors, status=400)
    return _subscription_page(request, created, secret="created")


@router.get(f"{PAGE}/{{subscription_id}}/edit")
def edit_page(request: Request, subscription_id: Id, session: Admin) -> HTMLResponse:
    subscription = webhooks.get_subscription(engine(request), subscription_id)
    return _form_page(request, webhook_form.values_of(subscription), subscription=subscription)


@router.post(f"{PAGE}/{{subscription_id}}/edit", response_model=None)
def update(request: Request, form: Form, subscription_id: Id, session: Admin) -> Response:
    values = webhook_form.read(form)
    try:
        webhooks.update_subscription(engine(request), subscription_id, **values)
    except InvalidInput as problem:
        subscription = webhooks.get_subscription(engine(request), subscription_id)
        errors = {webhook_form.input_for(problem.field): problem.message}
        return _form_page(request, values, subscription=subscription, errors=errors, status=400)
    return redirect(f"{PAGE}/{subscription_id}", "Saved the webhook.")


def _state(raw: str) -> DeliveryState | None:
    return DeliveryState(raw) if raw in DeliveryState.__members__ else None


def _subscription_page(
    request: Request, subscription: Subscription, *, secret: str | None = None
) -> HTMLResponse:
    params = request.query_params if request.method == "GET" else {}
    state = _state(params.get("state", ""))
    before = number(params.get("before", ""))
    found = log.page(engine(request), subscription.id, state=state, before=before, limit=LOG_PAGE)
    response = render(
        request,
        "webhooks_page.html",
        {
            "subscription": subscription,
            "masked": masked(subscription.secret),
            "secret": secret,
            "counts": log.counts_of(engine(request), subscription.id),
            "labels": webhook_form.EVENT_LABELS,
            "page": found,
            "state": state.value if state else "",
            "states": STATES,
            "paged": before is not None,
        },
    )
    if secret:
        # The full secret is in this answer only: keep it out of every cache.
        response.headers["Cache-Control"] = "no-store"
    return response


@router.get(f"{PAGE}/{{subscription_id}}")
def subscription_page(request: Request, subscription_id: Id, session: Admin) -> HTMLResponse:
    return _subscription_page(request, webhooks.get_subscription(engine(request), subscription_id))


@router.post(f"{PAGE}/{{subscription_id}}/pause", response_model=None)
def pause(request: Request, subscription_id: Id, session: Admin) -> Response:
    webhooks.update_subscription(engine(request), subscription_id, active=False)
    return redirect(
        f"{PAGE}/{subscription_id}",
        "Paused: nothing is sent, and events until it is resumed are not queued for it.",
    )


@router.post(f"{PAGE}/{{subscription_id}}/resume", response_model=None)
def resume(request: Request, subscription_id: Id, session: Admin) -> Response:
    webhooks.update_subscription(engine(request), subscription_id, active=True)
    return redirect(f"{PAGE}/{subscription_id}", "Resumed: queued deliveries go out again.")


@router.post(f"{PAGE}/{{subscription_id}}/rotate-secret", response_model=None)
def rotate(request: Request, subscription_id: Id, session: Admin) -> Response:
    return _subscription_page(
        request, rotate_secret(engine(request), subscription_id), secret="rotated"
    )


@router.post(f"{PAGE}/{{subscription_id}}/delete", response_model=None)
def delete(request: Request, form: Form, subscription_id: Id, session: Admin) -> Response:
    subscription = webhooks.get_subscription(engine(request), subscription_id)
    if text(form, "confirm") != "yes":
        return redirect(
            f"{PAGE}/{subscription_id}",
            "Not deleted: tick the box to delete the webhook with its delivery log.",
        )
    webhooks.delete_subscription(engine(request), subscription_id)
    # The host only: a URL may carry the receiver's token, and a flash travels in a cookie.
    return redirect(PAGE, f"Deleted the webhook to {urlsplit(subscription.url).hostname}.")


@router.post(
    f"{PAGE}/{{subscription_id}}/deliveries/{{delivery_id}}/redeliver", response_model=None
)
def redeliver(
    request: Request,
    form: Form,
    subscription_id: Id,
    delivery_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    session: Admin,
) -> Response:
    delivery = webhooks.redeliver(engine(request), subscription_id, delivery_id)
    subscription = webhooks.get_subscription(engine(request), subscription_id)
    back = f"{PAGE}/{subscription_id}"
    if state := _state(text(form, "state")):
        back += f"?state={state.value}"
    waits = "" if subscription.active else " It goes out once the webhook is resumed."
    return redirect(back, f"Event {delivery.event_id} is queued to be sent again.{waits}")
