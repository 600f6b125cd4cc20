"""One subscriber (an address on a channel): what stands now, with the sending answer per type,
and the consent receipt, every ledger entry included, as a JSON download."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from consentry import services
from consentry.api.dependencies import EngineDep
from consentry.api.native.shapes import (
    MAX_ID,
    LedgerEntryOut,
    StatusOut,
    SubscriberOut,
    SuppressionOut,
    Time,
    WideOptOutOut,
    address_field,
    ledger_entry_fields,
    status,
    subscriber,
    suppression,
    wide_opt_out,
)
from consentry.domain import Channel
from consentry.services import Profile

router = APIRouter(prefix="/subscribers", tags=["Subscribers and the ledger"])

Address = Annotated[str, Path(max_length=400, description="An email address or phone number.")]


class ProfileOut(BaseModel):
    subscriber: SubscriberOut
    known: bool  # false: never seen, every status is NOT_SPECIFIED
    statuses: list[StatusOut]
    unsubscribedFromAll: bool  # account-wide or in any business unit
    wideOptOuts: list[WideOptOutOut]
    suppressions: list[SuppressionOut]


class ReceiptEntryOut(LedgerEntryOut):
    noticeText: str | None  # the exact consent notice the contact was shown, if any
    intact: bool  # the entry still matches its own hash


class ReceiptOut(ProfileOut):
    receiptVersion: Literal["1"]
    generatedAt: Time
    entries: list[ReceiptEntryOut]


def _profile_fields(found: Profile) -> dict[str, object]:
    view = found.statuses
    return {
        "subscriber": subscriber(view.subscriber),
        "known": view.known,
        "statuses": [status(s) for s in view.statuses],
        "unsubscribedFromAll": view.unsubscribed_from_all,
        "wideOptOuts": [wide_opt_out(w) for w in view.wide_opt_outs],
        "suppressions": [suppression(s) for s in found.suppressions],
    }


@router.get("/{channel}/{address}", response_model=ProfileOut, summary="Read a subscriber")
def get_subscriber(
    channel: Channel,
    address: Address,
    engine: EngineDep,
    businessUnitId: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="Only this unit's types.")
    ] = None,
) -> ProfileOut:
    """Every type's status with the answer to "may we send?" and its reason, the wide
    opt-outs and the suppressions."""
    with address_field():
        found = services.subscriber_profile(engine, address, channel, businessUnitId)
    return ProfileOut.model_validate(_profile_fields(found))


@router.get(
    "/{channel}/{address}/receipt",
    response_model=ReceiptOut,
    summary="Export a subscriber's consent receipt",
)
def get_receipt(
    channel: Channel, address: Address, engine: EngineDep, response: Response
) -> ReceiptOut:
    """Everything on record for the address, as one JSON document: current statuses, and every
    ledger entry with its hashes and the notice text the contact was shown."""
    with address_field():
        found = services.subscriber_receipt(engine, address, channel)
    key = found.profile.statuses.subscriber.key
    response.headers["Content-Disposition"] = (
        f'attachment; filename="consent-receipt-{channel.value.lower()}-{_safe(key)}.json"'
    )
    return ReceiptOut.model_validate(
        {
            **_profile_fields(found.profile),
            "receiptVersion": "1",
            "generatedAt": found.generated_at,
            "entries": [
                {**ledger_entry_fields(e.entry), "noticeText": e.notice_text, "intact": e.intact}
                for e in found.entries
            ],
        }
    )


def _safe(key: str) -> str:
    """The key as a file name: letters, digits, and . _ - + only."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-+") else "_" for c in key)
