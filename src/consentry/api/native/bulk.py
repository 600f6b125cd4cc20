"""`POST /api/v1/bulk/statuses`: one status for many contacts, as a background job with the
same rules as the contacts index's bulk edit (source BULK, one rulebook answer per row)."""

from typing import Annotated

from fastapi import APIRouter, Request
from pydantic import Field

from consentry.api.auth import TokenDep
from consentry.api.dependencies import ConfigDep, EngineDep
from consentry.api.hubspot.mapping import provenance
from consentry.api.native.jobs import JobOut, job_out
from consentry.api.native.shapes import BodyId, RequestBody
from consentry.domain import Channel, LegalBasis, Status
from consentry.domain.filters import parse_groups
from consentry.services.bulk_edit import BulkEdit, submit_bulk_edit

router = APIRouter(prefix="/bulk", tags=["Bulk edits"])


class BulkStatusesIn(RequestBody):
    channel: Channel = Channel.EMAIL
    status: Status
    subscriptionIds: Annotated[list[BodyId], Field(min_length=1, max_length=100)]
    contactIds: list[Annotated[int, Field(ge=1, le=2**63 - 1, strict=True)]] = Field(
        default_factory=list, max_length=100_000, description="The ticked contacts."
    )
    filterGroups: list[dict[str, object]] | None = Field(
        default=None,
        description="Every live contact matching these (the contacts search's filter groups);"
        " with neither contactIds nor filterGroups, every live contact.",
    )
    query: str | None = Field(default=None, max_length=1_000)
    explanation: str | None = Field(default=None, max_length=10_000)
    legalBasis: LegalBasis | None = None


@router.post("/statuses", response_model=JobOut, status_code=202, summary="Set statuses in bulk")
def bulk_statuses(
    body: BulkStatusesIn,
    request: Request,
    engine: EngineDep,
    config: ConfigDep,
    token: TokenDep,
) -> JobOut:
    """Queue the edit; follow it at `/api/v1/jobs/{id}`. WhatsApp rows are refused (and
    recorded) by the rulebook, as in the contacts index."""
    groups = parse_groups(body.filterGroups) if body.filterGroups is not None else None
    edit = BulkEdit(
        channel=body.channel,
        status=body.status,
        subscription_type_ids=tuple(body.subscriptionIds),
        actor=provenance(request, token).actor,
        contact_ids=tuple(body.contactIds),
        filter_groups=groups,
        query=body.query,
        explanation=body.explanation,
        legal_basis=body.legalBasis,
    )
    return job_out(submit_bulk_edit(engine, config, edit))
