"""The contact's own pages (issue 5): preference page, one-click unsubscribe, confirmations."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)

__all__ = ["router"]
