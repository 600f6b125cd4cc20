"""Workflows (issue 7): build one with a form, enable it, see its log."""

from fastapi import APIRouter

router = APIRouter()
