"""Erasure (GDPR 17): what is removed, and the keyed hash that keeps an erased address suppressed.

An erasure removes the person: their contact records and every address on them, each address's
statuses, and the personal fields of each address's ledger entries (the chain still verifies:
see `domain.ledger`). What stays is a keyed hash of each address, per channel. When an address
comes back (an import, an API call, a form), its hash is found and the new subscriber is
suppressed (`SuppressionKind.ERASED`) in the same transaction, so marketing to it stays refused
until someone lifts the suppression on purpose.

The hash is keyed (HMAC-SHA256 with a random key the account keeps) so that the list of erased
addresses is not a list of addresses: a plain hash of an email can be reversed by hashing
guesses. Whoever holds the key and the database can still test a guess; that is the least a
suppression that must match the address again can keep.
"""

import hashlib
import hmac
from dataclasses import dataclass

from consentry.domain.channels import Channel
from consentry.domain.errors import InvalidAddress
from consentry.domain.identifiers import SubscriberId, normalise_email, normalise_phone

# Phone numbers are one key on both phone channels (E.164): erasing a number erases both.
PHONE_CHANNELS = (Channel.SMS, Channel.WHATSAPP)

ERASED_MESSAGE = "Erased on request (GDPR Art. 17): personal data removed, address suppressed."
RETURNED_MESSAGE = (
    "This address was erased on request (GDPR Art. 17) and has come back: it is suppressed,"
    " so it receives no marketing until the suppression is lifted."
)


def address_hash(key: bytes, channel: Channel, subscriber_key: str) -> str:
    """The keyed hash an erased (channel, normalised key) is remembered by."""
    message = f"{channel.value}\x00{subscriber_key}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def subscribers_of(address: str, default_region: str = "US") -> list[SubscriberId]:
    """The subscribers an address given for erasure stands for: an email on EMAIL, a phone
    number on every phone channel. Raises InvalidAddress naming the field `address`."""
    given = address.strip()
    if not given:
        raise InvalidAddress("Give the email address or phone number to erase.", field="address")
    if "@" in given:
        try:
            return [normalise_email(given)]
        except InvalidAddress as error:
            raise InvalidAddress(error.message, field="address") from None
    try:
        return [normalise_phone(given, channel, default_region) for channel in PHONE_CHANNELS]
    except InvalidAddress as error:
        raise InvalidAddress(
            f"Neither an email address (no @) nor a phone number: {error.message}",
            field="address",
        ) from None


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure removed, in counts (no personal data: the report is shown and logged)."""

    addresses: int  # (channel, key) pairs now remembered only by their hash
    subscribers: int
    contacts: int
    ledger_entries: int
    statuses: int
    other_rows: int  # mail, review items, workflow rows, webhook payloads, events rewritten
    ledger_id: int | None  # the entry that records the erasure (None when nothing was found)
    already_erased: bool = False

    @property
    def found(self) -> bool:
        return self.subscribers > 0 or self.contacts > 0
