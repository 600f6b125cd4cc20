"""The ledger: one address's entries a page at a time (and what stood at a past moment), and
the verification of the whole hash chain."""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel

from consentry import services
from consentry.api.dependencies import EngineDep
from consentry.api.native.shapes import (
    MAX_CURSOR,
    LedgerEntryOut,
    Paging,
    SubscriberOut,
    Time,
    address_field,
    ledger_entry_fields,
    paging,
    subscriber,
)
from consentry.domain import Channel, Status, WideType
from consentry.domain.projection import Projection

router = APIRouter(tags=["Subscribers and the ledger"])


class StatusAsOf(BaseModel):
    subscriptionId: int
    status: Status


class WideAsOf(BaseModel):
    wideType: WideType
    businessUnitId: int


class AsOfOut(BaseModel):
    """What stood at `time`. Types not listed had no status recorded: NOT_SPECIFIED."""

    time: Time
    statuses: list[StatusAsOf]
    wideOptOuts: list[WideAsOf]


class LedgerPageOut(BaseModel):
    subscriber: SubscriberOut
    results: list[LedgerEntryOut]
    paging: Paging | None
    asOf: AsOfOut | None


class VerificationOut(BaseModel):
    ok: bool
    checked: int
    firstBrokenId: int | None
    problem: str


def _as_of(moment: datetime, standing: Projection) -> AsOfOut:
    return AsOfOut(
        time=moment,
        statuses=[
            StatusAsOf(subscriptionId=type_id, status=value)
            for type_id, value in sorted(standing.statuses.items())
        ],
        wideOptOuts=[
            WideAsOf(wideType=wide_type, businessUnitId=unit_id)
            for (wide_type, unit_id), opted_out in sorted(standing.wide.items())
            if opted_out
        ],
    )


@router.get(
    "/subscribers/{channel}/{address}/ledger",
    response_model=LedgerPageOut,
    summary="Read a subscriber's ledger",
)
def get_ledger(
    channel: Channel,
    address: Annotated[str, Path(max_length=400)],
    engine: EngineDep,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
    after: Annotated[
        int, Query(ge=0, le=MAX_CURSOR, description="paging.next.after of the last page.")
    ] = 0,
    asOf: Annotated[
        datetime | None,
        Query(description="Only entries that occurred by then, and what stood at that time."),
    ] = None,
) -> LedgerPageOut:
    """Entries oldest first, refusals included; follow `paging.next.after` for the next page.
    A time without a zone is read as UTC."""
    moment = asOf.replace(tzinfo=UTC) if asOf and asOf.tzinfo is None else asOf
    with address_field():
        page = services.ledger_page(
            engine, address, channel, after=after, limit=limit, as_of=moment
        )
    return LedgerPageOut(
        subscriber=subscriber(page.subscriber),
        results=[LedgerEntryOut.model_validate(ledger_entry_fields(e)) for e in page.entries],
        paging=paging(page.next_after),
        asOf=_as_of(moment, page.standing) if moment and page.standing is not None else None,
    )


@router.get("/ledger/verify", response_model=VerificationOut, summary="Verify the ledger's chain")
def verify(engine: EngineDep) -> VerificationOut:
    """Walk every entry and name the first one edited, removed or out of place."""
    result = services.verify_ledger(engine)
    return VerificationOut(
        ok=result.ok,
        checked=result.checked,
        firstBrokenId=result.first_broken_id,
        problem=result.problem,
    )
