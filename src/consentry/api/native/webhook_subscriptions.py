"""Outbound webhook subscriptions and their delivery log (issue 10)."""

from fastapi import APIRouter

router = APIRouter()
