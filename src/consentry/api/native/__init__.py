"""The native API (`/api/v1`): what HubSpot offers only in its UI — subscription types,
business units, settings, suppressions, a subscriber's statuses, ledger and receipt,
eligibility; and workflows and outbound webhooks. Every route needs the `consentry.admin` scope
(a webhook's secret and the receiver URL are an administrator's to see)."""

from fastapi import APIRouter

from consentry.api.auth import requires
from consentry.api.native import (
    bulk,
    eligibility,
    erasures,
    imports,
    jobs,
    ledger,
    phones,
    settings,
    subscribers,
    suppressions,
    types,
    units,
    webhooks,
    workflows,
)
from consentry.domain import Scope

router = APIRouter(prefix="/api/v1", dependencies=[requires(Scope.ADMIN)])
for module in (
    types,
    units,
    settings,
    suppressions,
    subscribers,
    ledger,
    eligibility,
    jobs,
    bulk,
    imports,
    phones,
    workflows,
    webhooks,
    erasures,
):
    router.include_router(module.router)

__all__ = ["router"]
