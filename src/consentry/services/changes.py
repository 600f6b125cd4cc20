"""What a change asks for and what it answers: the inputs and results of every status use case."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from consentry.domain import (
    Actor,
    Channel,
    ConsentryError,
    Decision,
    LegalBasis,
    Source,
    Status,
    SubscriberId,
    SubscriptionType,
    WideType,
)


@dataclass(frozen=True)
class Provenance:
    """Who asked, how, and with what evidence: the part every change request shares."""

    source: Source
    actor: Actor
    legal_basis: LegalBasis | None = None
    explanation: str | None = None
    occurred_at: datetime | None = None  # the client's claim; the server's time when absent
    evidence: Mapping[str, Any] = field(default_factory=dict)
    notice_text: str | None = None  # the exact consent notice the contact was shown
    contact_id: int | None = None


@dataclass(frozen=True)
class StatusChange:
    """Set one subscriber's status for one subscription type."""

    address: str
    channel: Channel
    subscription_type_id: int
    status: Status
    provenance: Provenance


@dataclass(frozen=True)
class WideChange:
    """Set (`opt_out`) or clear "unsubscribe from all" for one subscriber.

    `business_unit_id` None means account-wide; see `domain.statuses.wide_scope`.
    """

    address: str
    channel: Channel
    business_unit_id: int | None
    opt_out: bool
    provenance: Provenance


@dataclass(frozen=True)
class ChangeResult:
    """The rulebook's answer to one change, and the status that stands after it."""

    subscriber: SubscriberId
    subscription_type: SubscriptionType
    decision: Decision
    status: Status
    occurred_at: datetime | None
    source: Source | None
    legal_basis: LegalBasis | None
    legal_basis_explanation: str | None
    ledger_id: int


@dataclass(frozen=True)
class WideResult:
    subscriber: SubscriberId
    wide_type: WideType
    business_unit_id: int
    decision: Decision
    opted_out: bool
    occurred_at: datetime | None
    ledger_id: int
    type_results: tuple[ChangeResult, ...] = ()


@dataclass(frozen=True)
class InputError:
    """One input of a batch that could not be taken at all (bad address, unknown type):
    nothing was written for it."""

    index: int
    address: str
    error: ConsentryError
