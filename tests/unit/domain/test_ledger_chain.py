"""The ledger's hash chain (COMPLIANCE.md "Consent records"): any edit or deletion is detected and
names the first broken entry; the documented erasure path still verifies."""

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consentry.domain import Action, LedgerEntry, Verification, seal, verify_chain
from consentry.domain import ledger as ledger_module
from consentry.domain.ledger import GENESIS_HASH

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


def entry(n: int) -> LedgerEntry:
    return LedgerEntry(
        id=n,
        recorded_at=T0 + timedelta(minutes=n),
        occurred_at=T0 + timedelta(minutes=n),
        action="SET_STATUS",
        channel="EMAIL",
        subscriber_id=7,
        subscriber_key="jane@example.com",
        address="Jane@Example.com",
        actor_kind="CONTACT" if n % 2 else "USER",
        source="PREFERENCE_CENTER" if n % 2 else "USER",
        outcome="APPLIED",
        message="Applied.",
        actor_id=None if n % 2 else "user-3",
        subscription_type_id=100 + n % 3,
        business_unit_id=0,
        old_status="NOT_SPECIFIED",
        requested_status="SUBSCRIBED",
        new_status="SUBSCRIBED",
        success_reason="REQUESTED_CHANGE_OCCURRED",
        legal_basis="CONSENT_WITH_NOTICE",
        legal_basis_explanation="Ticked the newsletter box on the pricing page.",
        evidence={"ip": "203.0.113.9", "user_agent": "Mozilla/5.0", "form": "pricing"},
    )


def chain(length: int = 5) -> list[LedgerEntry]:
    sealed: list[LedgerEntry] = []
    prev = GENESIS_HASH
    for n in range(1, length + 1):
        sealed.append(seal(entry(n), prev))
        prev = sealed[-1].entry_hash
    return sealed


def verify(entries: list[LedgerEntry], head: LedgerEntry) -> Verification:
    return verify_chain(entries, head.id, head.entry_hash)


def erase(e: LedgerEntry) -> LedgerEntry:
    """The documented erasure path: personal fields blanked, the entry marked erased."""
    erased_at = T0 + timedelta(days=400)
    return replace(e, subscriber_key=None, address=None, evidence={}, erased_at=erased_at)


def test_sealing_fills_in_the_chain() -> None:
    entries = chain(3)
    assert entries[0].prev_hash == GENESIS_HASH
    assert [e.prev_hash for e in entries[1:]] == [e.entry_hash for e in entries[:-1]]
    assert all(len(e.entry_hash) == 64 and e.personal_digest for e in entries)
    assert len({e.entry_hash for e in entries}) == 3


def test_an_untouched_chain_verifies() -> None:
    entries = chain()
    result = verify(entries, entries[-1])
    assert result.ok
    assert result.checked == 5
    assert result.first_broken_id is None


def test_an_empty_ledger_verifies() -> None:
    assert verify_chain([], 0, GENESIS_HASH).ok


def test_sealing_is_deterministic() -> None:
    assert [e.entry_hash for e in chain()] == [e.entry_hash for e in chain()]


EDITS = [
    pytest.param("new_status", "UNSUBSCRIBED", id="status"),
    pytest.param("outcome", "REFUSED", id="outcome"),
    pytest.param("legal_basis", "LEGITIMATE_INTEREST_OTHER", id="legal-basis"),
    pytest.param("legal_basis_explanation", "Something else.", id="explanation"),
    pytest.param("source", "WORKFLOW", id="source"),
    pytest.param("actor_id", "user-9", id="actor"),
    pytest.param("recorded_at", T0 - timedelta(days=1), id="recorded-at"),
    pytest.param("subscription_type_id", 999, id="subscription-type"),
]


@pytest.mark.parametrize(("field", "value"), EDITS)
@pytest.mark.parametrize("position", [1, 3, 5], ids=["first", "middle", "last"])
def test_editing_a_field_names_the_edited_entry(field: str, value: Any, position: int) -> None:
    entries = chain()
    head = entries[-1]
    entries[position - 1] = replace(entries[position - 1], **{field: value})
    result = verify(entries, head)
    assert not result.ok
    assert result.first_broken_id == position
    assert f"entry {position}" in result.problem and "edited" in result.problem


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address", "someone.else@example.com"),
        ("subscriber_key", "someone.else@example.com"),
        ("evidence", {"ip": "198.51.100.1", "user_agent": "curl/8", "form": "pricing"}),
    ],
    ids=["address", "key", "evidence"],
)
def test_editing_address_or_evidence_is_detected(field: str, value: Any) -> None:
    entries = chain()
    entries[1] = replace(entries[1], **{field: value})
    result = verify(entries, entries[-1])
    assert not result.ok
    assert result.first_broken_id == 2
    assert "address or evidence" in result.problem


def test_editing_address_and_its_digest_is_still_detected() -> None:
    entries = chain()
    forged = replace(entries[1], address="someone.else@example.com")
    entries[1] = replace(forged, personal_digest=seal(forged, forged.prev_hash).personal_digest)
    result = verify(entries, entries[-1])
    assert not result.ok and result.first_broken_id == 2


def test_resealing_an_edited_middle_entry_breaks_the_link_to_the_next() -> None:
    entries = chain()
    entries[2] = seal(replace(entries[2], new_status="UNSUBSCRIBED"), entries[2].prev_hash)
    result = verify(entries, entries[-1])
    assert not result.ok
    assert result.first_broken_id == 4
    assert "previous-hash" in result.problem


def test_deleting_a_middle_entry_names_the_missing_entry() -> None:
    entries = chain()
    head = entries[-1]
    del entries[2]
    result = verify(entries, head)
    assert not result.ok
    assert result.first_broken_id == 3
    assert "entry 3 is missing" in result.problem


def test_deleting_and_renumbering_is_detected_at_the_first_renumbered_entry() -> None:
    entries = chain()
    head = entries[-1]
    renumbered = entries[:2] + [replace(e, id=e.id - 1) for e in entries[3:]]
    result = verify(renumbered, head)
    assert not result.ok
    assert result.first_broken_id == 3


def test_deleting_the_first_entry_is_detected() -> None:
    entries = chain()
    result = verify(entries[1:], entries[-1])
    assert not result.ok and result.first_broken_id == 1


@pytest.mark.parametrize("removed", [1, 2], ids=["last", "last-two"])
def test_deleting_entries_from_the_end_is_caught_by_the_head(removed: int) -> None:
    entries = chain()
    head = entries[-1]
    result = verify(entries[:-removed], head)
    assert not result.ok
    assert result.first_broken_id == 6 - removed
    assert "removed from the end" in result.problem


def test_swapping_two_entries_is_detected() -> None:
    entries = chain()
    entries[1], entries[2] = entries[2], entries[1]
    assert not verify(entries, entries[-1]).ok


@pytest.mark.parametrize("position", [1, 3, 5], ids=["first", "middle", "last"])
def test_an_erased_entry_still_verifies(position: int) -> None:
    entries = chain()
    head = entries[-1]
    entries[position - 1] = erase(entries[position - 1])
    result = verify(entries, head)
    assert result.ok, result.problem
    assert result.checked == 5


def test_erasure_keeps_everything_but_the_personal_fields_protected() -> None:
    entries = chain()
    entries[2] = replace(erase(entries[2]), new_status="UNSUBSCRIBED")
    result = verify(entries, entries[-1])
    assert not result.ok and result.first_broken_id == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("address", "someone.else@example.com"),
        ("evidence", {"ip": "198.51.100.1", "user_agent": "curl/8"}),
    ],
    ids=["address", "evidence"],
)
def test_an_erased_entry_cannot_carry_rewritten_personal_data(field: str, value: Any) -> None:
    entries = chain()
    entries[2] = replace(erase(entries[2]), **{field: value})
    result = verify(entries, entries[-1])
    assert not result.ok
    assert result.first_broken_id == 3


Tamper = Callable[[list[LedgerEntry]], tuple[list[LedgerEntry], LedgerEntry]]


def _reseal_last(entries: list[LedgerEntry]) -> tuple[list[LedgerEntry], LedgerEntry]:
    head = entries[-1]
    edited = seal(replace(head, new_status="UNSUBSCRIBED"), head.prev_hash)
    return [*entries[:-1], edited], head


def _append_past_head(entries: list[LedgerEntry]) -> tuple[list[LedgerEntry], LedgerEntry]:
    return entries, entries[-2]  # entry 5 is in the table but the head says 4 were written


@pytest.mark.parametrize(
    "tamper",
    [_reseal_last, _append_past_head],
    ids=["resealed-last-entry", "entry-written-past-the-head"],
)
def test_a_mismatch_at_the_end_names_the_last_entry(tamper: Tamper) -> None:
    entries, head = tamper(chain())
    result = verify(entries, head)
    assert not result.ok
    assert result.first_broken_id == 5
    assert "removed" not in result.problem


# Hashes must never change for an entry already on the record: the hashed text is exactly what
# the first ledgers were hashed from, for every kind of value an entry holds.
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63),
    st.text(),
    st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-5))])),
    st.sampled_from(list(Action)),
)


# Evidence is a dict of such values, sometimes nested, sometimes with lists or numbers.
_VALUES = st.one_of(
    _SCALARS,
    st.floats(allow_nan=False),
    st.dictionaries(
        st.text(),
        st.one_of(_SCALARS, st.lists(_SCALARS, max_size=3), st.dictionaries(st.text(), _SCALARS)),
        max_size=4,
    ),
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(min_size=1), _VALUES, max_size=12))
def test_the_hashed_text_is_json_with_sorted_keys(fields: dict[str, Any]) -> None:
    expected = json.dumps(
        fields,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=lambda v: ledger_module.format_time(v) if isinstance(v, datetime) else str(v),
    ).encode()
    assert ledger_module._canonical(fields) == expected


def test_nested_values_are_hashed_as_json() -> None:
    nested = {"evidence": {"ip": "127.0.0.1"}, "id": 1}
    assert ledger_module._canonical(nested) == b'{"evidence":{"ip":"127.0.0.1"},"id":1}'
