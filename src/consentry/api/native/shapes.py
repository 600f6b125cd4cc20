"""The native API's wire shapes shared by several routes: times, paging, subscribers, statuses,
ledger entries and eligibility answers.

Field names are camelCase on purpose: these classes are the wire, nothing else. Requests refuse
unknown fields, so a misspelt field is a 400 naming it rather than a silent no-op.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    field_validator,
)

from consentry.api.hubspot.shapes import MAX_ID as MAX_ID  # re-exported: the same bound
from consentry.api.hubspot.shapes import hubspot_time
from consentry.domain import (
    Channel,
    EligibilityReason,
    InvalidAddress,
    LedgerEntry,
    LegalBasis,
    Source,
    Status,
    SubscriberId,
    SuppressionKind,
    TypeKind,
    WideType,
)
from consentry.services import Suppression, TypeStatus
from consentry.services.reading import WideStatus

# ISO-8601 UTC with milliseconds, as the HubSpot-compatible routes write times.
Time = Annotated[
    datetime,
    PlainSerializer(hubspot_time, return_type=str),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "example": "2026-01-31T09:30:00.000Z"}
    ),
]
Reason = EligibilityReason | Literal["INVALID_ADDRESS"]
# Type and unit ids are 32-bit in the database, ledger ids 64-bit: larger numbers name nothing.
Id = Annotated[int, Field(ge=0, le=MAX_ID)]  # in a path or query: text read as a number
# In a JSON body the wire says integer: strict, since pydantic's lax mode reads `true` as 1.
BodyId = Annotated[int, Field(ge=0, le=MAX_ID, strict=True)]
MAX_CURSOR = 2**63 - 1


@contextmanager
def address_field(name: str = "address") -> Iterator[None]:
    """Name the request's own field in a 400 for an invalid address (the domain says "email"
    or "phone", whichever it was parsing)."""
    try:
        yield
    except InvalidAddress as error:
        raise InvalidAddress(error.message, field=name) from error


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value: Any) -> Any:
        """Text is stored as given, and neither database stores a NUL character or a lone
        UTF-16 surrogate (which JSON's \\u escapes can spell)."""
        if isinstance(value, str):
            if "\x00" in value:
                raise ValueError("must not contain NUL characters")
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("is not valid Unicode text (a lone surrogate)") from None
        return value


class Cursor(BaseModel):
    after: str


class Paging(BaseModel):
    next: Cursor


def paging(next_after: int | None) -> Paging | None:
    return Paging(next=Cursor(after=str(next_after))) if next_after is not None else None


class SubscriberOut(BaseModel):
    channel: Channel
    address: str  # the normalised key statuses are matched on


def subscriber(value: SubscriberId) -> SubscriberOut:
    return SubscriberOut(channel=value.channel, address=value.key)


class EligibilityOut(BaseModel):
    allowed: bool
    reason: Reason
    suppression: SuppressionKind | None


class StatusOut(BaseModel):
    subscriptionId: int
    subscriptionName: str
    businessUnitId: int
    kind: TypeKind
    archived: bool
    status: Status
    confirmed: bool
    source: Source | None
    occurredAt: Time | None
    legalBasis: LegalBasis | None
    legalBasisExplanation: str | None
    eligibility: EligibilityOut


def status(item: TypeStatus) -> StatusOut:
    type_ = item.subscription_type
    return StatusOut(
        subscriptionId=type_.id,
        subscriptionName=type_.name,
        businessUnitId=type_.business_unit_id,
        kind=type_.kind,
        archived=not type_.is_active,
        status=item.status,
        confirmed=item.confirmed,
        source=item.source,
        occurredAt=item.occurred_at,
        legalBasis=item.legal_basis,
        legalBasisExplanation=item.legal_basis_explanation,
        eligibility=EligibilityOut(
            allowed=item.eligibility.allowed,
            reason=item.eligibility.reason,
            suppression=item.eligibility.suppression,
        ),
    )


class WideOptOutOut(BaseModel):
    wideType: WideType
    businessUnitId: int
    source: Source
    occurredAt: Time


def wide_opt_out(item: WideStatus) -> WideOptOutOut:
    return WideOptOutOut(
        wideType=item.wide_type,
        businessUnitId=item.business_unit_id,
        source=item.source,
        occurredAt=item.occurred_at,
    )


class SuppressionOut(BaseModel):
    channel: Channel
    address: str
    kind: SuppressionKind
    detail: str
    createdAt: Time
    ledgerId: int  # the ledger entry that recorded it


def suppression(item: Suppression) -> SuppressionOut:
    return SuppressionOut(
        channel=item.subscriber.channel,
        address=item.subscriber.key,
        kind=item.kind,
        detail=item.detail,
        createdAt=item.created_at,
        ledgerId=item.ledger_id,
    )


class LedgerEntryOut(BaseModel):
    """One ledger entry, every field. Values are the ledger's own strings; personal fields
    (`subscriberKey`, `address`, `evidence`) are null or empty once erased."""

    id: int
    recordedAt: Time
    occurredAt: Time
    action: str
    channel: Channel
    subscriberKey: str | None
    address: str | None
    contactId: int | None
    actorKind: str
    actorId: str | None
    source: str
    subscriptionId: int | None
    wideType: str | None
    businessUnitId: int | None
    oldStatus: str | None
    requestedStatus: str | None
    newStatus: str | None
    outcome: str
    successReason: str | None
    refusal: str | None
    message: str
    suppression: str | None
    legalBasis: str | None
    legalBasisExplanation: str | None
    evidence: dict[str, Any]
    noticeHash: str | None
    requestId: str | None
    prevHash: str
    entryHash: str
    erasedAt: Time | None


def ledger_entry_fields(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "recordedAt": entry.recorded_at,
        "occurredAt": entry.occurred_at,
        "action": entry.action,
        "channel": entry.channel,
        "subscriberKey": entry.subscriber_key,
        "address": entry.address,
        "contactId": entry.contact_id,
        "actorKind": entry.actor_kind,
        "actorId": entry.actor_id,
        "source": entry.source,
        "subscriptionId": entry.subscription_type_id,
        "wideType": entry.wide_type,
        "businessUnitId": entry.business_unit_id,
        "oldStatus": entry.old_status,
        "requestedStatus": entry.requested_status,
        "newStatus": entry.new_status,
        "outcome": entry.outcome,
        "successReason": entry.success_reason,
        "refusal": entry.refusal,
        "message": entry.message,
        "suppression": entry.suppression,
        "legalBasis": entry.legal_basis,
        "legalBasisExplanation": entry.legal_basis_explanation,
        "evidence": dict(entry.evidence or {}),
        "noticeHash": entry.notice_hash,
        "requestId": entry.request_id,
        "prevHash": entry.prev_hash,
        "entryHash": entry.entry_hash,
        "erasedAt": entry.erased_at,
    }
