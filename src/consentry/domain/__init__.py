"""The domain: vocabulary, the rulebook, eligibility and the ledger's chain. Pure Python.

Every business rule lives here, once. Nothing here reads or writes storage.
"""

from consentry.domain.account_settings import SETTING_KEYS, AccountSettings
from consentry.domain.actors import SYSTEM_ACTOR, Actor, ActorKind
from consentry.domain.business_units import ACCOUNT_UNIT_ID, BusinessUnit
from consentry.domain.channels import Channel
from consentry.domain.eligibility import (
    Eligibility,
    EligibilityReason,
    SendingState,
    eligibility,
)
from consentry.domain.errors import Conflict, ConsentryError, InvalidAddress, InvalidInput, NotFound
from consentry.domain.identifiers import SubscriberId, normalise, normalise_email, normalise_phone
from consentry.domain.ledger import Action, LedgerEntry, Verification, seal, verify_chain
from consentry.domain.legal_basis import LegalBasis
from consentry.domain.rulebook import (
    ChangeRequest,
    CurrentState,
    Decision,
    Outcome,
    Refusal,
    SuccessReason,
    Transition,
    decide,
)
from consentry.domain.scopes import Scope, parse_scopes
from consentry.domain.sources import Authority, Source
from consentry.domain.statuses import Status, WideType
from consentry.domain.subscription_types import SubscriptionType, Translation, TypeKind
from consentry.domain.suppressions import SuppressionKind

__all__ = [
    "ACCOUNT_UNIT_ID",
    "SETTING_KEYS",
    "SYSTEM_ACTOR",
    "AccountSettings",
    "Action",
    "Actor",
    "ActorKind",
    "Authority",
    "BusinessUnit",
    "ChangeRequest",
    "Channel",
    "Conflict",
    "ConsentryError",
    "CurrentState",
    "Decision",
    "Eligibility",
    "EligibilityReason",
    "InvalidAddress",
    "InvalidInput",
    "LedgerEntry",
    "LegalBasis",
    "NotFound",
    "Outcome",
    "Refusal",
    "Scope",
    "SendingState",
    "Source",
    "Status",
    "SubscriberId",
    "SubscriptionType",
    "SuccessReason",
    "SuppressionKind",
    "Transition",
    "Translation",
    "TypeKind",
    "Verification",
    "WideType",
    "decide",
    "eligibility",
    "normalise",
    "normalise_email",
    "normalise_phone",
    "parse_scopes",
    "seal",
    "verify_chain",
]
