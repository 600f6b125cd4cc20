"""Deliverability facts, kept apart from consent (PRODUCT.md §1, "suppression")."""

from enum import StrEnum


class SuppressionKind(StrEnum):
    HARD_BOUNCE = "HARD_BOUNCE"
    SPAM_COMPLAINT = "SPAM_COMPLAINT"
    QUARANTINE = "QUARANTINE"
    INVALID_ADDRESS = "INVALID_ADDRESS"
    # The address was erased (GDPR 17) and has come back: marketing stays refused, receipts may
    # still be sent (domain.erasure).
    ERASED = "ERASED"


# A transactional message is still a message: it cannot reach an address that bounces, is
# invalid or is held in quarantine. A spam complaint objects to marketing, not to receipts.
BLOCKS_TRANSACTIONAL = frozenset(
    {SuppressionKind.HARD_BOUNCE, SuppressionKind.INVALID_ADDRESS, SuppressionKind.QUARANTINE}
)
