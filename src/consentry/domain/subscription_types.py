"""Subscription types: the kinds of communication a subscriber can opt in to or out of, their
translations and their display order."""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from consentry.domain.business_units import ACCOUNT_UNIT_ID
from consentry.domain.channels import Channel
from consentry.domain.errors import InvalidInput


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


# A language, optionally with a region or a script: "de", "pt-br", "zh-tw", "es-419", "zh-hant".
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-(?:[a-z]{2}|[0-9]{3}|[a-z]{4}))?")


def language_code(raw: str) -> str:
    """A translation's language code, lowercase with a hyphen (HubSpot writes "pt-br")."""
    code = raw.strip().lower().replace("_", "-")
    if not _LANGUAGE_CODE.fullmatch(code):
        raise InvalidInput(
            f'{raw[:40]!r} is not a language code; use a language such as "de", optionally'
            ' with a region or script: "pt-br", "zh-tw", "es-419", "zh-hant".',
            field="languageCode",
        )
    return code


def reorder(current: Sequence[int], requested: Sequence[int]) -> list[int]:
    """The display order after a reorder: the requested ids first, in the order given, then
    every other type in its current order. Each id may be named once, and must exist."""
    known = set(current)
    unknown = [type_id for type_id in requested if type_id not in known]
    if unknown:
        raise InvalidInput(
            f"Unknown subscription type id(s): {', '.join(map(str, unknown))}.", field="ids"
        )
    repeated = sorted(type_id for type_id, times in Counter(requested).items() if times > 1)
    if repeated:
        raise InvalidInput(
            f"Subscription type id(s) named more than once: {', '.join(map(str, repeated))}.",
            field="ids",
        )
    named = set(requested)
    return [*requested, *(type_id for type_id in current if type_id not in named)]
