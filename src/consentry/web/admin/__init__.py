"""The admin app (issue 4): sign-in, contacts, the subscriptions panel, bulk edit, settings."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

__all__ = ["router"]
