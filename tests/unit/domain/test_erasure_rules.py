"""Erasure's domain rules as tables: what an address given for erasure stands for, the keyed
hash, and the salted personal digest (an erased entry cannot confirm a guessed address)."""

import hashlib
import json
from dataclasses import replace

import pytest

from consentry.domain import Channel, InvalidAddress, seal, verify_chain
from consentry.domain.erasure import address_hash, subscribers_of
from consentry.domain.ledger import GENESIS_HASH, intact, personal_digest
from tests.unit.domain.test_ledger_chain import T0, entry

STANDS_FOR = [
    ("Ann@Example.COM", [(Channel.EMAIL, "ann@example.com")]),
    (" ann@example.com ", [(Channel.EMAIL, "ann@example.com")]),
    ("+1 415 555 0134", [(Channel.SMS, "+14155550134"), (Channel.WHATSAPP, "+14155550134")]),
    ("(415) 555-0134", [(Channel.SMS, "+14155550134"), (Channel.WHATSAPP, "+14155550134")]),
]


@pytest.mark.parametrize(("given", "expected"), STANDS_FOR)
def test_an_address_stands_for_its_channels(
    given: str, expected: list[tuple[Channel, str]]
) -> None:
    assert [(s.channel, s.key) for s in subscribers_of(given)] == expected


@pytest.mark.parametrize("given", ["", "   ", "ann@", "@example.com", "hello", "12"])
def test_unreadable_addresses_name_the_field(given: str) -> None:
    with pytest.raises(InvalidAddress) as raised:
        subscribers_of(given)
    assert raised.value.field == "address"


def test_the_hash_depends_on_the_key_the_channel_and_the_address() -> None:
    base = address_hash(b"k" * 32, Channel.EMAIL, "ann@example.com")
    assert len(base) == 64
    assert address_hash(b"k" * 32, Channel.EMAIL, "ann@example.com") == base
    others = {
        address_hash(b"j" * 32, Channel.EMAIL, "ann@example.com"),
        address_hash(b"k" * 32, Channel.SMS, "ann@example.com"),
        address_hash(b"k" * 32, Channel.EMAIL, "bob@example.com"),
    }
    assert base not in others and len(others) == 3
    assert base != hashlib.sha256(b"ann@example.com").hexdigest()


def _unsalted_guess(address: str, key: str) -> str:
    """What an attacker computes for a guessed address on an entry without evidence."""
    text = json.dumps(
        {"address": address, "evidence": {}, "subscriber_key": key},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_salted_digest_cannot_be_confirmed_by_a_guess() -> None:
    ann = "ann@example.com"
    plain = replace(entry(1), evidence={}, address=ann, subscriber_key=ann)
    legacy = seal(plain, GENESIS_HASH)  # written before 0012: no salt
    salted = seal(replace(plain, personal_salt="ab" * 16), GENESIS_HASH)
    guess = _unsalted_guess("ann@example.com", "ann@example.com")
    assert legacy.personal_digest == guess  # why the salt exists
    assert salted.personal_digest != guess
    assert personal_digest(salted) == salted.personal_digest


def test_legacy_and_salted_entries_verify_before_and_after_erasure() -> None:
    first = seal(entry(1), GENESIS_HASH)
    second = seal(replace(entry(2), personal_salt="cd" * 16), first.entry_hash)
    erased = [
        replace(e, subscriber_key=None, address=None, evidence={}, personal_salt=None, erased_at=T0)
        for e in (first, second)
    ]
    for entries in ([first, second], erased):
        assert verify_chain(entries, 2, second.entry_hash).ok
    # Marking an entry erased while keeping its salt is not the erasure path.
    assert not intact(replace(erased[1], personal_salt="cd" * 16))
    # Nor is swapping the salt of an unerased entry.
    assert not intact(replace(second, personal_salt="ef" * 16))
