"""Outbound webhooks (issue 10): subscriptions and the delivery log, with redeliver."""

from fastapi import APIRouter

router = APIRouter()
