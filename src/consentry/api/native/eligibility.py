"""Eligibility: may we send this type of message to this address? For one address, for a batch
of up to 1,000, for an uploaded audience of any size (streamed as NDJSON), and with a one-time
legal basis for one one-to-one email (recorded in the ledger)."""

import json
from collections.abc import Iterator
from itertools import chain
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from starlette.background import BackgroundTask

from consentry import services
from consentry.api.auth import TokenDep
from consentry.api.dependencies import EngineDep
from consentry.api.hubspot.mapping import MAX_BATCH_INPUTS, provenance
from consentry.api.native import uploads
from consentry.api.native.shapes import (
    MAX_ID,
    BodyId,
    Id,
    Reason,
    RequestBody,
    address_field,
)
from consentry.domain import LegalBasis, SuppressionKind
from consentry.services import Answer, AnswerChunk, Verdict

router = APIRouter(prefix="/eligibility", tags=["Eligibility"])

Address = Annotated[str, Field(min_length=1, max_length=400)]


class CheckIn(RequestBody):
    address: Address
    subscriptionId: BodyId


class AnswerOut(BaseModel):
    address: str  # as given
    allowed: bool
    reason: Reason
    suppression: SuppressionKind | None  # which suppression, when the reason is SUPPRESSED
    message: str | None  # why an address is INVALID_ADDRESS


class CheckOut(AnswerOut):
    subscriptionId: Id


class BatchIn(RequestBody):
    subscriptionId: BodyId
    addresses: list[str] = Field(min_length=1, max_length=MAX_BATCH_INPUTS)


class BatchOut(BaseModel):
    subscriptionId: Id
    results: list[AnswerOut]  # one per input, in input order


class OneToOneIn(RequestBody):
    address: Address
    subscriptionId: BodyId = Field(description="A ONE_TO_ONE subscription type.")
    legalBasis: LegalBasis
    explanation: str = Field(min_length=1, max_length=10_000)


class OneToOneOut(CheckOut):
    ledgerId: int  # the entry that records the basis


class AudienceLine(BaseModel):
    """One line of the NDJSON answer; `suppression` and `message` only when they apply."""

    address: str
    allowed: bool
    reason: Reason
    suppression: SuppressionKind | None = None
    message: str | None = None


class AudienceUpload(BaseModel):
    addresses: list[str]


def _answer(answer: Answer) -> dict[str, Any]:
    return {
        "address": answer.address,
        "allowed": answer.allowed,
        "reason": answer.reason,
        "suppression": answer.suppression,
        "message": answer.message,
    }


@router.post("/check", response_model=CheckOut, summary="Check one address")
def check(body: CheckIn, engine: EngineDep) -> CheckOut:
    """The answer and its reason; an invalid address is a 400."""
    with address_field():
        answer = services.check_eligibility(engine, body.address, body.subscriptionId)
    return CheckOut(**_answer(answer), subscriptionId=body.subscriptionId)


@router.post("/batch", response_model=BatchOut, summary="Check up to 1,000 addresses")
def batch(body: BatchIn, engine: EngineDep) -> BatchOut:
    """One answer per address in input order; invalid addresses answer INVALID_ADDRESS."""
    answers = services.check_eligibility_batch(engine, body.addresses, body.subscriptionId)
    return BatchOut(
        subscriptionId=body.subscriptionId, results=[AnswerOut(**_answer(a)) for a in answers]
    )


@router.post(
    "/one-to-one",
    response_model=OneToOneOut,
    summary="Record a one-time legal basis for one one-to-one message",
)
def one_to_one(
    body: OneToOneIn, request: Request, engine: EngineDep, token: TokenDep
) -> OneToOneOut:
    """With data privacy mode on, a one-to-one email to an address without a basis (no
    preference, or unsubscribed from all) may be sent with a legal basis given for that one
    message. The basis is recorded in the ledger; the answer says whether the message may go.
    It never overrides a suppression or the contact's own opt-out of the type."""
    facts = provenance(request, token, legal_basis=body.legalBasis, explanation=body.explanation)
    with address_field():
        result = services.record_one_time_basis(engine, body.address, body.subscriptionId, facts)
    return OneToOneOut(
        **_answer(result.answer), subscriptionId=body.subscriptionId, ledgerId=result.ledger_id
    )


def _self_contained(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its `$defs` written in place: a "#/$defs/…" reference
    would otherwise point into the OpenAPI document's root, where nothing is."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return inline(defs[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    result: dict[str, Any] = inline(schema)
    return result


class NDJSONResponse(StreamingResponse):
    media_type = "application/x-ndjson"


_TEXT_BODY = {
    "schema": {
        "type": "string",
        "description": "One address per line (CSV: a column"
        " headed email, phone or address, else the first column).",
    }
}


@router.post(
    "/audience",
    response_class=NDJSONResponse,
    summary="Check an uploaded audience (streamed NDJSON)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": _TEXT_BODY,
                "text/plain": _TEXT_BODY,
                "application/json": {"schema": AudienceUpload.model_json_schema()},
            },
        }
    },
    responses={
        200: {
            "description": "One JSON object per line, one line per address, in upload order.",
            "content": {"application/x-ndjson": {"schema": _self_contained(AudienceLine)}},
        },
        413: {"description": "The upload is too large."},
        415: {"description": "Not CSV, plain text or JSON."},
    },
)
async def audience(
    request: Request,
    engine: EngineDep,
    subscriptionId: Annotated[
        int, Query(ge=0, le=MAX_ID, description="The subscription type to check.")
    ],
) -> NDJSONResponse:
    """Answers for every address of the upload, computed a chunk at a time with set-based
    queries and streamed as they are ready. Invalid addresses get a line with reason
    INVALID_ADDRESS."""
    prepared = await run_in_threadpool(services.open_audience, engine, subscriptionId)
    body = await uploads.spool(request)
    try:
        addresses = await run_in_threadpool(uploads.addresses, body, uploads.media_type(request))
    except Exception:
        body.close()
        raise
    chunks = services.audience_answers(engine, prepared, addresses)
    return NDJSONResponse(_lines(chunks), background=BackgroundTask(body.close))


class ContactAudience(BaseModel):
    """Contacts to check, in the contact-search filter language (HubSpot's filterGroups)."""

    filterGroups: list[dict[str, Any]] = Field(
        max_length=5, description="Groups are ORed, filters in a group ANDed; [] = all contacts."
    )


@router.post(
    "/audience/contacts",
    response_class=NDJSONResponse,
    summary="Check every contact matching a filter (streamed NDJSON)",
    responses={
        200: {
            "description": "One JSON object per line, one line per matching contact's email.",
            "content": {"application/x-ndjson": {"schema": _self_contained(AudienceLine)}},
        }
    },
)
def contact_audience(
    body: ContactAudience,
    engine: EngineDep,
    subscriptionId: Annotated[
        int, Query(ge=0, le=MAX_ID, description="The subscription type to check.")
    ],
) -> NDJSONResponse:
    """May we send this type to each live contact matching the filter? Contacts are read in
    keyset pages and answered a chunk at a time, so memory stays flat."""
    prepared = services.open_audience(engine, subscriptionId)
    addresses = services.contact_audience(engine, body.filterGroups)
    first = next(addresses, None)  # a bad filter is a 400 before the stream begins
    chunks = services.audience_answers(
        engine, prepared, chain([] if first is None else [first], addresses)
    )
    return NDJSONResponse(_lines(chunks))


def _lines(chunks: Iterator[AnswerChunk]) -> Iterator[bytes]:
    """One NDJSON line per address: `{"address":…,"allowed":…,"reason":…[,"suppression":…]
    [,"message":…]}`. Everything after the address is written once per verdict."""
    ends = _LineEnds()
    for chunk in chunks:
        yield "".join(
            [
                f'{{"address":{_json_string(address)}{ends[verdict]}'
                for address, verdict in zip(chunk.addresses, chunk.verdicts, strict=True)
            ]
        ).encode()


_json_string = json.encoder.encode_basestring  # the encoder json.dumps uses for ensure_ascii=False


class _LineEnds(dict[Verdict, str]):
    """The end of a line for each verdict seen. A verdict with a message (an invalid address:
    the message quotes it) is written but not kept, so memory stays flat."""

    def __missing__(self, verdict: Verdict) -> str:
        rest: dict[str, Any] = {"allowed": verdict.allowed, "reason": verdict.reason}
        if verdict.suppression is not None:
            rest["suppression"] = verdict.suppression
        if verdict.message is not None:
            rest["message"] = verdict.message
        end = "," + json.dumps(rest, ensure_ascii=False, separators=(",", ":"))[1:] + "\n"
        if verdict.message is None:
            self[verdict] = end
        return end
