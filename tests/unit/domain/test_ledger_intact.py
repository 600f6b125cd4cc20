"""One entry checked on its own (the receipt's `intact`): any edit shows, erasure does not."""

from collections.abc import Callable
from dataclasses import replace

import pytest

from consentry.domain import LedgerEntry, seal
from consentry.domain.ledger import GENESIS_HASH, intact
from tests.unit.domain.test_ledger_chain import entry, erase

SEALED = seal(entry(1), GENESIS_HASH)

EDITS: dict[str, Callable[[LedgerEntry], LedgerEntry]] = {
    "message": lambda e: replace(e, message="Edited."),
    "new status": lambda e: replace(e, new_status="UNSUBSCRIBED"),
    "legal basis": lambda e: replace(e, legal_basis="NON_GDPR"),
    "address": lambda e: replace(e, address="someone@else.example"),
    "evidence": lambda e: replace(e, evidence={"ip": "198.51.100.1"}),
    "erased, address rewritten": lambda e: replace(erase(e), address="x@y.example"),
    "own hash": lambda e: replace(e, entry_hash="0" * 64),
}


def test_a_sealed_entry_is_intact() -> None:
    assert intact(SEALED)


def test_an_erased_entry_is_still_intact() -> None:
    assert intact(erase(SEALED))


@pytest.mark.parametrize("edit", EDITS.values(), ids=EDITS.keys())
def test_an_edited_entry_is_not(edit: Callable[[LedgerEntry], LedgerEntry]) -> None:
    assert not intact(edit(SEALED))
