"""Workflows (issue 7): define, enable, run; the per-contact log."""

from fastapi import APIRouter

router = APIRouter()
