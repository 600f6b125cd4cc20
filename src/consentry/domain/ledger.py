"""The ledger's entries and their hash chain (COMPLIANCE.md "Consent records").

Each entry's hash covers its fields and the previous entry's hash, so editing or deleting any
entry breaks the chain from there on. Personal data (the address, the evidence) is covered
through `personal_digest`: the documented erasure path (GDPR 17) may blank those fields and mark
the entry erased, and the chain still verifies, while any other edit does not.

The digest also covers `personal_salt`, random per entry and erased with the rest: without it
the digest of an entry without evidence would be the SHA-256 of little more than the address,
and anyone could confirm a guessed address against an erased entry. Entries written before the
salt existed (salt None) keep their digest over the three fields alone.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import MISSING, dataclass, field, fields
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

GENESIS_HASH = "0" * 64


class Action(StrEnum):
    SET_STATUS = "SET_STATUS"
    SET_WIDE = "SET_WIDE"
    CLEAR_WIDE = "CLEAR_WIDE"
    SUPPRESS = "SUPPRESS"
    UNSUPPRESS = "UNSUPPRESS"
    # A legal basis given for one one-to-one communication (PRODUCT.md §3): it changes no
    # status, but the sending it allows must be on the record.
    ONE_TIME_LEGAL_BASIS = "ONE_TIME_LEGAL_BASIS"


@dataclass(frozen=True)
class LedgerEntry:
    """One answer of the rulebook (or one suppression fact), as recorded.

    `requested_status` is what was asked; `new_status` what stands after the entry (equal to
    `old_status` unless the outcome is APPLIED).
    """

    id: int
    recorded_at: datetime
    occurred_at: datetime
    action: str
    channel: str
    subscriber_id: int
    subscriber_key: str | None
    address: str | None
    actor_kind: str
    source: str
    outcome: str
    message: str
    actor_id: str | None = None
    contact_id: int | None = None
    request_id: str | None = None
    subscription_type_id: int | None = None
    wide_type: str | None = None
    business_unit_id: int | None = None
    old_status: str | None = None
    requested_status: str | None = None
    new_status: str | None = None
    success_reason: str | None = None
    refusal: str | None = None
    suppression: str | None = None
    legal_basis: str | None = None
    legal_basis_explanation: str | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    notice_hash: str | None = None
    personal_digest: str = ""
    prev_hash: str = GENESIS_HASH
    entry_hash: str = ""
    erased_at: datetime | None = None
    personal_salt: str | None = None


_PERSONAL = ("subscriber_key", "address", "evidence", "personal_salt")
_NOT_HASHED = frozenset({"entry_hash", "erased_at", *_PERSONAL})


def format_time(moment: datetime) -> str:
    """ISO-8601 UTC with microseconds: the one spelling of a time inside a hash."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    moment = moment.astimezone(UTC)
    if moment.year < 1000:  # strftime does not pad such years; isoformat would
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    # The same text as the strftime above, several times quicker (two per entry are hashed).
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _hashed_text_of(value: Any) -> str:
    return format_time(value) if isinstance(value, datetime) else str(value)


# One encoder for every entry: json.dumps with options builds a new one per call, which was a
# tenth of a batch write's time.
_ENCODER = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_hashed_text_of
)
# The string encoder `_ENCODER` itself uses (ensure_ascii off).
_encode_text = json.encoder.encode_basestring
_KEYS: dict[str, str] = {}
_TIMES: dict[datetime, str] = {}


def _fragment(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _encode_text(value)
    if value is None:
        return "null"
    if kind is int:
        return int.__repr__(value)
    if kind is datetime:
        text = _TIMES.get(value)
        if text is None:
            if len(_TIMES) > 10_000:  # a batch shares a handful of times; keep the memo small
                _TIMES.clear()
            text = _TIMES[value] = _encode_text(format_time(value))
        return text
    if kind is dict and all(type(name) is str for name in value):
        return _object_text(value, sorted(value))
    return _ENCODER.encode(value)


def _canonical(values: dict[str, Any], names: Iterable[str] | None = None) -> bytes:
    """The hashed text of a dict (or of its `names`, given sorted): JSON with sorted keys,
    compact, UTF-8."""
    return _object_text(values, sorted(values) if names is None else names).encode()


def _object_text(values: dict[str, Any], names: Iterable[str]) -> str:
    """`_ENCODER`'s text of a dict, built field by field: the encoder's general path (a
    `default` call per time) was a third of the cost of recording an entry. Values other than
    text, whole numbers, None, times and dicts keyed by text go through `_ENCODER` itself.
    The commonest kinds are spelled out in the loop: a call per field was a fifth of it."""
    parts: list[str] = []
    append = parts.append
    for name in names:
        key = _KEYS.get(name)
        if key is None:
            if len(_KEYS) > 1_000:  # entries have a few dozen field names; evidence adds some
                _KEYS.clear()
            key = _KEYS[name] = _encode_text(name) + ":"
        value = values[name]
        kind = type(value)
        if kind is str:
            append(key + _encode_text(value))
        elif value is None:
            append(key + "null")
        elif kind is int:
            append(key + int.__repr__(value))
        else:
            append(key + _fragment(value))
    return "{" + ",".join(parts) + "}"


def _personal_digest_of(values: dict[str, Any]) -> str:
    names = _PERSONAL_SORTED if values.get("personal_salt") is not None else _UNSALTED_SORTED
    return hashlib.sha256(_canonical(values, names)).hexdigest()


def personal_digest(entry: LedgerEntry) -> str:
    return _personal_digest_of(entry.__dict__)


def entry_hash(entry: LedgerEntry) -> str:
    return hashlib.sha256(_canonical(entry.__dict__, _HASHED)).hexdigest()


_DEFAULTS = {f.name: f.default for f in fields(LedgerEntry) if f.default is not MISSING}
_HASHED = tuple(sorted(f.name for f in fields(LedgerEntry) if f.name not in _NOT_HASHED))
_PERSONAL_SORTED = tuple(sorted(_PERSONAL))
_UNSALTED_SORTED = tuple(name for name in _PERSONAL_SORTED if name != "personal_salt")
_FIELD_NAMES = frozenset(f.name for f in fields(LedgerEntry))


def sealed(prev_hash: str, /, **values: Any) -> LedgerEntry:
    """A new entry from its fields, with its personal digest, its predecessor's hash and its own
    hash filled in — the hashes `personal_digest` and `entry_hash` compute, from one dict of the
    fields (building a draft entry and then the sealed one was a fifth of recording)."""
    values = {**_DEFAULTS, "evidence": {}, **values}
    values["personal_digest"] = _personal_digest_of(values)
    values["prev_hash"] = prev_hash
    values["entry_hash"] = hashlib.sha256(_canonical(values, _HASHED)).hexdigest()
    return restored(values)


def restored(values: dict[str, Any]) -> LedgerEntry:
    """An entry from every one of its fields (as sealed, or as stored), filled in directly:
    the generated __init__ of a frozen dataclass sets each field through object.__setattr__,
    a sixth of the cost of recording an entry or of reading a range back."""
    if values.keys() != _FIELD_NAMES:
        return LedgerEntry(**values)  # names the missing or unknown field
    entry = object.__new__(LedgerEntry)
    entry.__dict__.update(values)
    return entry


def seal(entry: LedgerEntry, prev_hash: str) -> LedgerEntry:
    """The entry with its personal digest, its predecessor's hash and its own hash filled in."""
    return sealed(prev_hash, **entry.__dict__)


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_broken_id: int | None = None
    problem: str = ""


def _personal_fields_intact(entry: LedgerEntry) -> bool:
    """Unerased: the personal fields still match their digest. Erased: they are all blank, so
    marking an entry erased cannot hide a rewritten address."""
    if entry.erased_at is None:
        return entry.personal_digest == personal_digest(entry)
    return (
        entry.subscriber_key is None
        and entry.address is None
        and not entry.evidence
        and entry.personal_salt is None
    )


def intact(entry: LedgerEntry) -> bool:
    """Whether one entry still matches its own hash (its link to the chain is not checked)."""
    return _personal_fields_intact(entry) and entry.entry_hash == entry_hash(entry)


def verify_chain(entries: Iterable[LedgerEntry], head_id: int, head_hash: str) -> Verification:
    """Check ids run 1, 2, 3… without gaps, every hash, and that the chain ends at the head."""
    expected_id, prev = 1, GENESIS_HASH
    checked = 0
    for entry in entries:
        if entry.id != expected_id:
            return Verification(
                False,
                checked,
                expected_id,
                f"entry {expected_id} is missing (next stored entry is {entry.id})",
            )
        if entry.prev_hash != prev:
            return Verification(
                False,
                checked,
                entry.id,
                f"entry {entry.id} does not follow entry {entry.id - 1} (previous-hash mismatch)",
            )
        if not _personal_fields_intact(entry):
            return Verification(
                False,
                checked,
                entry.id,
                f"entry {entry.id} was edited (address or evidence changed)",
            )
        if entry.entry_hash != entry_hash(entry):
            return Verification(
                False, checked, entry.id, f"entry {entry.id} was edited (hash mismatch)"
            )
        prev, expected_id = entry.entry_hash, expected_id + 1
        checked += 1
    last_id = expected_id - 1
    if last_id < head_id:
        return Verification(
            False,
            checked,
            last_id + 1,
            f"entries {last_id + 1} to {head_id} are missing (removed from the end of the ledger)",
        )
    if last_id > head_id:
        return Verification(
            False,
            checked,
            head_id + 1,
            f"entry {head_id + 1} was written past the ledger's head (entry {head_id})",
        )
    if prev != head_hash:
        return Verification(
            False,
            checked - 1,
            last_id,
            f"entry {last_id} was replaced (it does not match the ledger's head)",
        )
    return Verification(True, checked)
