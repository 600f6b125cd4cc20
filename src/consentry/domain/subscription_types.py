"""Subscription types: the kinds of communication a subscriber can opt in to or out of."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from consentry.domain.business_units import ACCOUNT_UNIT_ID
from consentry.domain.channels import Channel


class TypeKind(StrEnum):
    """What eligibility needs to know of a type beyond its statuses.

    MARKETING types obey every opt-out; TRANSACTIONAL types ignore "unsubscribe from all" (but
    not their own status or a hard bounce); ONE_TO_ONE types may reach an address unsubscribed
    from all with a one-time legal basis, in data privacy mode.
    """

    MARKETING = "MARKETING"
    ONE_TO_ONE = "ONE_TO_ONE"
    TRANSACTIONAL = "TRANSACTIONAL"


@dataclass(frozen=True)
class Translation:
    language_code: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class SubscriptionType:
    id: int
    name: str
    description: str = ""
    purpose: str = "Marketing"
    communication_method: str = "Email"
    channel: Channel = Channel.EMAIL
    business_unit_id: int = ACCOUNT_UNIT_ID
    kind: TypeKind = TypeKind.MARKETING
    is_active: bool = True
    is_default: bool = False
    is_internal: bool = False
    display_order: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    translations: tuple[Translation, ...] = field(default_factory=tuple)


COMMUNICATION_METHOD = {Channel.EMAIL: "Email", Channel.SMS: "SMS", Channel.WHATSAPP: "WhatsApp"}
