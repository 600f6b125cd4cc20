"""Erasure (GDPR 17) over the API: the call behind `consentry erase` (services.erasure)."""

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StrictBool

from consentry.api.auth import TokenDep
from consentry.api.dependencies import EngineDep
from consentry.api.errors import correlation_id
from consentry.api.hubspot.mapping import provenance
from consentry.api.native.shapes import RequestBody, address_field
from consentry.domain.erasure import ErasureReport
from consentry.services.erasure import erase

router = APIRouter(prefix="/erasures", tags=["Erasure"])


class ErasureIn(RequestBody):
    address: str = Field(
        min_length=1, max_length=400, description="The email address or phone number to erase."
    )
    dryRun: StrictBool = Field(
        default=False, description="Count what would be erased; change nothing."
    )


class ErasureOut(BaseModel):
    """Counts only: the answer carries no personal data."""

    addresses: int
    subscribers: int
    contacts: int
    ledgerEntriesBlanked: int
    statusRows: int
    otherRows: int
    ledgerId: int | None  # the first entry recording the erasure (of a dry run: would be)
    dryRun: bool


def _out(report: ErasureReport, dry_run: bool) -> ErasureOut:
    return ErasureOut(
        addresses=report.addresses,
        subscribers=report.subscribers,
        contacts=report.contacts,
        ledgerEntriesBlanked=report.ledger_entries,
        statusRows=report.statuses,
        otherRows=report.other_rows,
        ledgerId=report.ledger_id,
        dryRun=dry_run,
    )


@router.post(
    "",
    response_model=ErasureOut,
    summary="Erase a person (GDPR Art. 17)",
    responses={404: {"description": "Nothing is held about the address (or it was erased)."}},
)
def erase_person(
    body: ErasureIn, request: Request, engine: EngineDep, token: TokenDep
) -> ErasureOut:
    """Remove the contacts holding the address, every address on them, their statuses and the
    personal fields of their ledger entries; the ledger still verifies. Each address is kept as
    a keyed hash, so if it comes back it is suppressed (kind ERASED). Cannot be undone."""
    facts = provenance(request, token)
    with address_field():
        report = erase(
            engine,
            body.address,
            facts.actor,
            facts.source,
            request_id=correlation_id(request),
            commit=not body.dryRun,
        )
    return _out(report, body.dryRun)
