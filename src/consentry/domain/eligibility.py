"""Who may be sent what (PRODUCT.md §3): one pure function, with the reason for every answer.

The audience query in storage computes the same answer in SQL for millions of rows; its tests
compare it with this function row by row, so this stays the definition.
"""

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from consentry.domain.account_settings import AccountSettings
from consentry.domain.channels import Channel
from consentry.domain.legal_basis import LegalBasis
from consentry.domain.statuses import Status
from consentry.domain.subscription_types import TypeKind
from consentry.domain.suppressions import BLOCKS_TRANSACTIONAL, SuppressionKind


class EligibilityReason(StrEnum):
    # yes
    SUBSCRIBED = "SUBSCRIBED"
    NOT_SPECIFIED_EMAIL = "NOT_SPECIFIED_EMAIL"
    ONE_TIME_LEGAL_BASIS = "ONE_TIME_LEGAL_BASIS"
    # no
    SUPPRESSED = "SUPPRESSED"
    UNSUBSCRIBED_FROM_ALL = "UNSUBSCRIBED_FROM_ALL"
    UNSUBSCRIBED = "UNSUBSCRIBED"
    AWAITING_CONFIRMATION = "AWAITING_CONFIRMATION"
    NEEDS_EXPLICIT_OPT_IN = "NEEDS_EXPLICIT_OPT_IN"
    NEEDS_LEGAL_BASIS = "NEEDS_LEGAL_BASIS"


@dataclass(frozen=True)
class SendingState:
    """Everything eligibility reads of one subscriber for one subscription type.

    `status_from_wide` says the type's UNSUBSCRIBED came from an "unsubscribe from all" rather
    than an opt-out of this type itself: a one-time legal basis may override the former only.
    """

    channel: Channel
    kind: TypeKind
    status: Status = Status.NOT_SPECIFIED
    confirmed: bool = True
    status_from_wide: bool = False
    unsubscribed_from_all: bool = False  # account-wide, or in the type's own business unit
    suppressions: Collection[SuppressionKind] = ()


@dataclass(frozen=True)
class Eligibility:
    allowed: bool
    reason: EligibilityReason
    suppression: SuppressionKind | None = None


def eligibility(
    state: SendingState,
    settings: AccountSettings,
    one_time_legal_basis: LegalBasis | None = None,
) -> Eligibility:
    """May we send this subscriber a message of this type? Checks run in the order of §3.

    A one-time legal basis (one-to-one email, data privacy mode) is the basis for that one
    message: it lifts every "no" that comes from lacking a basis — an "unsubscribe from all",
    a type opt-out recorded by one, no preference, an unconfirmed opt-in — but never a
    suppression or the contact's own opt-out of the type.
    """
    answer = _standing_answer(state, settings)
    one_time = (
        one_time_legal_basis is not None
        and settings.data_privacy_mode
        and state.kind is TypeKind.ONE_TO_ONE
        and state.channel is Channel.EMAIL
    )
    if answer.allowed or not one_time or answer.reason is EligibilityReason.SUPPRESSED:
        return answer
    if state.status is Status.UNSUBSCRIBED and not state.status_from_wide:
        return Eligibility(False, EligibilityReason.UNSUBSCRIBED)
    return Eligibility(True, EligibilityReason.ONE_TIME_LEGAL_BASIS)


def _standing_answer(state: SendingState, settings: AccountSettings) -> Eligibility:
    """The answer without any one-time basis."""
    transactional = state.kind is TypeKind.TRANSACTIONAL
    for kind in sorted(state.suppressions):
        if not transactional or kind in BLOCKS_TRANSACTIONAL:
            return Eligibility(False, EligibilityReason.SUPPRESSED, suppression=kind)
    if state.unsubscribed_from_all and not transactional:
        return Eligibility(False, EligibilityReason.UNSUBSCRIBED_FROM_ALL)
    if state.status is Status.UNSUBSCRIBED:
        return Eligibility(False, EligibilityReason.UNSUBSCRIBED)
    if state.status is Status.SUBSCRIBED:
        if not state.confirmed:
            return Eligibility(False, EligibilityReason.AWAITING_CONFIRMATION)
        return Eligibility(True, EligibilityReason.SUBSCRIBED)
    if state.channel is not Channel.EMAIL:
        return Eligibility(False, EligibilityReason.NEEDS_EXPLICIT_OPT_IN)
    if settings.data_privacy_mode and not transactional:
        return Eligibility(False, EligibilityReason.NEEDS_LEGAL_BASIS)
    return Eligibility(True, EligibilityReason.NOT_SPECIFIED_EMAIL)
