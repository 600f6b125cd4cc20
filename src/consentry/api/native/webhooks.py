"""`/api/v1/webhooks`: outbound webhook subscriptions — add, list, read, change (URL, event
types, paused or active), rotate the secret, remove — and each one's delivery log, with a way
to send a delivery again. The secret is in the answer only when it is made (create, rotate).

Checks live in `domain.webhooks`, so a bad URL or an unknown event type answers 400 naming
`url` or `eventTypes`."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, Field, StrictBool

from consentry.api.auth import TokenDep
from consentry.api.dependencies import EngineDep
from consentry.api.native.shapes import RequestBody, Time
from consentry.domain import Actor, ActorKind
from consentry.domain.events import EventType
from consentry.domain.webhooks import (
    MAX_SECRET_LENGTH,
    MIN_SECRET_LENGTH,
    Attempt,
    Delivery,
    DeliveryState,
    Subscription,
    masked,
)
from consentry.services import webhooks
from consentry.services.webhooks import log, rotation

router = APIRouter(prefix="/webhooks", tags=["Webhooks"])

WebhookId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The webhook's id.")]
DeliveryId = Annotated[int, Path(ge=1, le=2**63 - 1, description="The delivery's id.")]
_KNOWN = ", ".join(member.value for member in EventType)
EventTypes = Annotated[
    list[Annotated[str, Field(max_length=100)]],
    Field(max_length=len(EventType) * 2, description=f"One or more of: {_KNOWN}."),
]
Url = Annotated[str, Field(max_length=4000, description="An http:// or https:// URL.")]
Description = Annotated[str, Field(max_length=200)]
MAX_PAGE = 200


class Counts(BaseModel):
    pending: int
    failed: int
    delivered: int


class WebhookOut(BaseModel):
    id: int
    url: str
    eventTypes: list[str]
    active: bool  # false: paused (nothing is sent, and events meanwhile are not queued)
    description: str
    secretHint: str  # the secret's last characters; the whole is shown once, when made
    createdAt: Time
    createdBy: str
    updatedAt: Time
    deliveries: Counts


class WebhookWithSecret(WebhookOut):
    secret: str  # sign-check requests with it; not shown again


class WebhookList(BaseModel):
    results: list[WebhookOut]


# The domain checks the length (its message names the bounds); the schema documents the same
# rule, so that a value it allows is one the domain takes: edges are not whitespace (stripped).
Secret = Annotated[
    str,
    Field(
        max_length=1000,
        json_schema_extra={
            "minLength": MIN_SECRET_LENGTH,
            "maxLength": MAX_SECRET_LENGTH,
            "pattern": r"^\S(.*\S)?$",
        },
    ),
]


class WebhookCreate(RequestBody):
    url: Url
    eventTypes: EventTypes
    secret: Secret | None = Field(
        None, description="16 to 128 characters; one is generated when left out."
    )
    active: StrictBool = True
    description: Description = ""


class WebhookUpdate(RequestBody):
    """Fields left out stay as they are."""

    url: Url | None = None
    eventTypes: EventTypes | None = None
    active: StrictBool | None = None
    description: Description | None = None


class AttemptOut(BaseModel):
    at: Time
    statusCode: int | None  # null: no answer (timeout, refused connection)
    latencyMs: int
    error: str | None


class DeliveryOut(BaseModel):
    id: int
    eventId: str  # the same in every attempt: receivers de-duplicate by it
    eventType: str
    state: DeliveryState
    attempts: int
    createdAt: Time
    nextAttemptAt: Time | None  # when pending
    lastAttemptAt: Time | None
    lastStatusCode: int | None
    lastLatencyMs: int | None
    lastError: str | None
    deliveredAt: Time | None
    payload: dict[str, object]  # the request's JSON body
    attemptLog: list[AttemptOut]  # oldest first


class DeliveryPage(BaseModel):
    results: list[DeliveryOut]
    nextBefore: int | None  # pass as `before` for the next (older) page


def _by(token: TokenDep) -> str:
    return str(Actor(ActorKind.API_TOKEN, str(token.id)))


def _fields(subscription: Subscription, counts: log.DeliveryCounts) -> dict[str, object]:
    return {
        "id": subscription.id,
        "url": subscription.url,
        "eventTypes": [member.value for member in subscription.event_types],
        "active": subscription.active,
        "description": subscription.description,
        "secretHint": masked(subscription.secret),
        "createdAt": subscription.created_at,
        "createdBy": subscription.created_by,
        "updatedAt": subscription.updated_at,
        "deliveries": Counts(
            pending=counts.pending, failed=counts.failed, delivered=counts.delivered
        ),
    }


def _out(engine: EngineDep, subscription: Subscription) -> WebhookOut:
    return WebhookOut.model_validate(_fields(subscription, log.counts_of(engine, subscription.id)))


def _with_secret(subscription: Subscription, counts: log.DeliveryCounts) -> WebhookWithSecret:
    fields = _fields(subscription, counts) | {"secret": subscription.secret}
    return WebhookWithSecret.model_validate(fields)


def delivery_out(delivery: Delivery, attempts: list[Attempt]) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id,
        eventId=delivery.event_id,
        eventType=delivery.event_type,
        state=delivery.state,
        attempts=delivery.attempts,
        createdAt=delivery.created_at,
        nextAttemptAt=delivery.next_attempt_at if delivery.state == DeliveryState.PENDING else None,
        lastAttemptAt=delivery.last_attempt_at,
        lastStatusCode=delivery.last_status_code,
        lastLatencyMs=delivery.last_latency_ms,
        lastError=delivery.last_error,
        deliveredAt=delivery.delivered_at,
        payload=delivery.payload,
        attemptLog=[
            AttemptOut(at=a.at, statusCode=a.status_code, latencyMs=a.latency_ms, error=a.error)
            for a in attempts
        ],
    )


@router.get("", response_model=WebhookList, summary="List webhooks")
def list_webhooks(engine: EngineDep) -> WebhookList:
    """Every webhook, oldest first, with its deliveries counted by state."""
    counts = log.counts(engine)
    return WebhookList(
        results=[
            WebhookOut.model_validate(_fields(s, counts.get(s.id, log.DeliveryCounts())))
            for s in webhooks.list_subscriptions(engine)
        ]
    )


@router.post("", response_model=WebhookWithSecret, status_code=201, summary="Add a webhook")
def create_webhook(body: WebhookCreate, engine: EngineDep, token: TokenDep) -> WebhookWithSecret:
    """It gets the events that happen from now on (not the history). The answer holds the
    secret: keep it, it is not shown again."""
    created = webhooks.create_subscription(
        engine,
        url=body.url,
        event_types=body.eventTypes,
        created_by=_by(token),
        secret=body.secret,
        active=body.active,
        description=body.description,
    )
    return _with_secret(created, log.DeliveryCounts())


@router.get("/{webhookId}", response_model=WebhookOut, summary="Read a webhook")
def get_webhook(webhookId: WebhookId, engine: EngineDep) -> WebhookOut:
    return _out(engine, webhooks.get_subscription(engine, webhookId))


@router.patch("/{webhookId}", response_model=WebhookOut, summary="Change or pause a webhook")
def update_webhook(webhookId: WebhookId, body: WebhookUpdate, engine: EngineDep) -> WebhookOut:
    """`active: false` pauses it: queued deliveries wait and events meanwhile are not queued
    for it; `active: true` resumes sending."""
    changed = webhooks.update_subscription(
        engine,
        webhookId,
        url=body.url,
        event_types=body.eventTypes,
        active=body.active,
        description=body.description,
    )
    return _out(engine, changed)


@router.post(
    "/{webhookId}/rotate-secret", response_model=WebhookWithSecret, summary="Rotate the secret"
)
def rotate_secret(webhookId: WebhookId, engine: EngineDep) -> WebhookWithSecret:
    """A new secret signs every request from now on; the answer holds it, once."""
    rotated = rotation.rotate_secret(engine, webhookId)
    return _with_secret(rotated, log.counts_of(engine, webhookId))


@router.delete("/{webhookId}", status_code=204, summary="Remove a webhook")
def delete_webhook(webhookId: WebhookId, engine: EngineDep) -> Response:
    """With its queued deliveries and their log."""
    webhooks.delete_subscription(engine, webhookId)
    return Response(status_code=204)


@router.get(
    "/{webhookId}/deliveries", response_model=DeliveryPage, summary="A webhook's deliveries"
)
def list_webhook_deliveries(
    webhookId: WebhookId,
    engine: EngineDep,
    state: DeliveryState | None = None,
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
) -> DeliveryPage:
    """Newest first, each with its attempts (status code, latency, error)."""
    found = log.page(engine, webhookId, state=state, before=before, limit=limit)
    return DeliveryPage(
        results=[delivery_out(d, found.attempts[d.id]) for d in found.deliveries],
        nextBefore=found.next_before,
    )


@router.post(
    "/{webhookId}/deliveries/{deliveryId}/redeliver",
    response_model=DeliveryOut,
    status_code=202,
    summary="Send a delivery again",
)
def redeliver(webhookId: WebhookId, deliveryId: DeliveryId, engine: EngineDep) -> DeliveryOut:
    """Queued to be sent now, delivered or given up alike, before the webhook's newer pending
    deliveries; the same event id, so a receiver that has it already can skip it."""
    webhooks.redeliver(engine, webhookId, deliveryId)
    return delivery_out(*webhooks.get_delivery(engine, webhookId, deliveryId))
