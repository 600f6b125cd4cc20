"""Erasure (GDPR Art. 17, issue 11): remove an address's personal data, keep a keyed-hash
suppression."""

from fastapi import APIRouter

router = APIRouter()
