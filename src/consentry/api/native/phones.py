"""The phone channels' native routes: stop requests that came by phone call, email or ticket;
the review queue of replies that might be a stop; and the quiet-hours check for senders."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel, Field

from consentry.api.auth import TokenDep
from consentry.api.dependencies import EngineDep
from consentry.api.hubspot.mapping import provenance
from consentry.api.native.shapes import MAX_CURSOR, RequestBody, Time, address_field
from consentry.domain import Channel, normalise
from consentry.domain.quiet_hours import quiet_hours
from consentry.domain.review import Resolution, StopRequestVia
from consentry.services import account, review_queue
from consentry.services.writing import utcnow
from consentry.storage.review_queue import ReviewItem

router = APIRouter(tags=["Phone channels"])

PhoneChannel = Literal[Channel.SMS, Channel.WHATSAPP]


class StopRequestIn(RequestBody):
    channel: PhoneChannel
    number: str = Field(min_length=1, max_length=40, examples=["+14155550123"])
    via: StopRequestVia = StopRequestVia.PHONE_CALL
    evidence: str = Field(
        min_length=1, max_length=4_000, description="What the person said or wrote, and where."
    )


class StopRequestOut(BaseModel):
    channel: Channel
    number: str  # E.164
    ledgerIds: list[int]  # every entry the opt-out wrote


class ReviewItemOut(BaseModel):
    id: int
    channel: Channel
    number: str
    body: str
    messageId: str | None
    provider: str
    receivedAt: Time
    resolution: Resolution | None
    resolvedAt: Time | None
    resolvedBy: str | None
    ledgerId: int | None


class ReviewList(BaseModel):
    results: list[ReviewItemOut]


class ResolveIn(RequestBody):
    resolution: Resolution


class QuietHoursOut(BaseModel):
    number: str
    allowed: bool  # may a message be sent now (8:00-21:00 recipient local time)
    timeZones: list[str]
    nextAllowed: Time


def _item(item: ReviewItem) -> ReviewItemOut:
    return ReviewItemOut(
        id=item.id,
        channel=item.channel,
        number=item.address,
        body=item.body,
        messageId=item.message_id,
        provider=item.provider,
        receivedAt=item.received_at,
        resolution=item.resolution,
        resolvedAt=item.resolved_at,
        resolvedBy=item.resolved_by,
        ledgerId=item.ledger_id,
    )


@router.post(
    "/stop-requests", response_model=StopRequestOut, status_code=201, summary="Record a stop"
)
def stop_request(
    body: StopRequestIn, request: Request, engine: EngineDep, token: TokenDep
) -> StopRequestOut:
    """A request to stop texting that came by phone call, email or ticket: the number is
    opted out of every type of that channel (and only that channel), on the record."""
    facts = provenance(request, token)
    with address_field("number"):
        ids = review_queue.record_stop_request(
            engine, body.number, body.channel, body.via, body.evidence, facts.actor, facts.source
        )
    region = account.get_settings(engine).default_phone_region
    number = normalise(body.number, body.channel, region).key
    return StopRequestOut(channel=body.channel, number=number, ledgerIds=list(ids))


@router.get("/review-queue", response_model=ReviewList, summary="List the review queue")
def list_review(
    engine: EngineDep,
    include_resolved: bool = Query(False, alias="includeResolved"),
    after: int = Query(0, ge=0, le=MAX_CURSOR),
    limit: int = Query(100, ge=1, le=review_queue.MAX_PAGE),
) -> ReviewList:
    """Inbound replies that might be a request to stop, oldest first (open ones only unless
    `includeResolved`); page on with `after` = the last id seen."""
    items = review_queue.list_review(
        engine, open_only=not include_resolved, after=after, limit=limit
    )
    return ReviewList(results=[_item(item) for item in items])


@router.post(
    "/review-queue/{itemId}/resolve",
    response_model=ReviewItemOut,
    summary="Resolve a review item",
)
def resolve(
    item_id: Annotated[int, Path(alias="itemId", ge=1, le=MAX_CURSOR)],
    body: ResolveIn,
    request: Request,
    engine: EngineDep,
    token: TokenDep,
) -> ReviewItemOut:
    """OPT_OUT records the reply as a stop (every type of its channel); DISMISSED records
    nothing. An item already resolved answers 409."""
    actor = provenance(request, token).actor
    return _item(review_queue.resolve_review(engine, item_id, body.resolution, actor))


@router.get("/quiet-hours", response_model=QuietHoursOut, summary="Check quiet hours")
def check_quiet_hours(
    engine: EngineDep,
    number: str = Query(min_length=1, max_length=40, examples=["+14155550123"]),
    time_zone: str | None = Query(None, alias="timeZone", max_length=64),
) -> QuietHoursOut:
    """May a text be sent to this number now: 8:00 to 21:00 in its local time, from its
    region's time zone(s), or from `timeZone` (IANA) when given."""
    region = account.get_settings(engine).default_phone_region
    with address_field("number"):
        e164 = normalise(number, Channel.SMS, region).key
    answer = quiet_hours(e164, utcnow(), time_zone)
    return QuietHoursOut(
        number=e164,
        allowed=answer.allowed,
        timeZones=list(answer.zones),
        nextAllowed=answer.next_allowed,
    )
