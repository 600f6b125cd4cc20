"""Suppressions: record a hard bounce, complaint, quarantine or invalid address; list them a
page at a time; lift one. Each record and each lift is written to the ledger."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from consentry import services
from consentry.api.auth import TokenDep
from consentry.api.dependencies import EngineDep
from consentry.api.hubspot.mapping import provenance
from consentry.api.native.shapes import (
    MAX_CURSOR,
    Paging,
    RequestBody,
    SuppressionOut,
    address_field,
    paging,
    suppression,
)
from consentry.domain import Channel, SuppressionKind
from consentry.services import SuppressionChange

router = APIRouter(prefix="/suppressions", tags=["Suppressions"])


class SuppressionIn(RequestBody):
    address: str = Field(min_length=1, max_length=400)
    channel: Channel = Channel.EMAIL
    kind: SuppressionKind
    detail: str = Field(default="", max_length=2_000, description="e.g. the bounce message.")


class SuppressionChangeOut(BaseModel):
    suppression: SuppressionOut
    applied: bool  # false: the address was already suppressed for that kind
    ledgerId: int  # the entry that records this request


class SuppressionList(BaseModel):
    results: list[SuppressionOut]
    paging: Paging | None


def _change(change: SuppressionChange) -> SuppressionChangeOut:
    return SuppressionChangeOut(
        suppression=suppression(change.suppression),
        applied=change.applied,
        ledgerId=change.ledger_id,
    )


@router.post(
    "",
    response_model=SuppressionChangeOut,
    status_code=201,
    summary="Record a suppression",
    responses={200: {"model": SuppressionChangeOut, "description": "Already suppressed."}},
)
def record(
    body: SuppressionIn, request: Request, engine: EngineDep, token: TokenDep, response: Response
) -> SuppressionChangeOut:
    """201 when the suppression is new; 200 (and `applied` false) when it was already there.
    Either way the request is in the ledger."""
    facts = provenance(request, token)
    with address_field():
        change = services.record_suppression(
            engine,
            body.address,
            body.channel,
            body.kind,
            facts.actor,
            detail=body.detail.strip(),
            source=facts.source,
            evidence=facts.evidence,
        )
    if not change.applied:
        response.status_code = 200
    return _change(change)


@router.get("", response_model=SuppressionList, summary="List suppressions")
def list_suppressions(
    engine: EngineDep,
    channel: Channel | None = None,
    kind: SuppressionKind | None = None,
    address: Annotated[str | None, Query(max_length=400, description="Needs channel.")] = None,
    after: Annotated[
        int, Query(ge=0, le=MAX_CURSOR, description="paging.next.after of the last page.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=1_000)] = 100,
) -> SuppressionList:
    """In the order they were recorded; follow `paging.next.after` for the next page."""
    with address_field():
        page = services.list_suppressions(
            engine, channel=channel, kind=kind, address=address, after=after, limit=limit
        )
    return SuppressionList(
        results=[suppression(s) for s in page.suppressions], paging=paging(page.next_after)
    )


@router.delete(
    "/{channel}/{address}/{kind}",
    response_model=SuppressionChangeOut,
    summary="Lift a suppression",
)
def lift(
    channel: Channel,
    address: Annotated[str, Path(max_length=400)],
    kind: SuppressionKind,
    request: Request,
    engine: EngineDep,
    token: TokenDep,
) -> SuppressionChangeOut:
    """Remove the suppression; an UNSUPPRESS entry records who lifted it. 404 when the address
    is not suppressed for that kind."""
    facts = provenance(request, token)
    with address_field():
        change = services.lift_suppression(
            engine,
            address,
            channel,
            kind,
            facts.actor,
            source=facts.source,
            evidence=facts.evidence,
        )
    return _change(change)
