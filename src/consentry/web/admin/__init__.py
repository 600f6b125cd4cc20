"""The admin app (issue 4): sign-in, contacts, the subscriptions panel, bulk edit, settings,
audit, workflows, webhooks. Every page but sign-in needs a session; every POST its CSRF token
(see `auth.guard`)."""

from fastapi import APIRouter, Depends
from fastapi.responses import RedirectResponse

from consentry.web.admin import (
    audit,
    auth,
    bulk,
    contacts,
    people,
    record,
    review,
    settings,
    types,
    units,
    webhooks,
    workflows,
)

router = APIRouter(include_in_schema=False)
router.include_router(auth.router)

_signed_in = APIRouter(dependencies=[Depends(auth.guard)])
# bulk first: /admin/contacts/bulk is not a contact id.
for module in (
    bulk,
    contacts,
    record,
    settings,
    types,
    units,
    people,
    audit,
    review,
    workflows,
    webhooks,
):
    _signed_in.include_router(module.router)
router.include_router(_signed_in)


@router.get("/admin")
def home() -> RedirectResponse:
    return RedirectResponse("/admin/contacts", status_code=303)


__all__ = ["router"]
