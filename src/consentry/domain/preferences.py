"""The preference page's rules: which boxes start ticked, what a save changes, and the form's
CSRF token.

A save changes only what the contact changed: each box is compared with how it was shown, so
an untouched box (even one shown ticked for a type with no preference yet) records nothing.
"""

import hashlib
import hmac
from collections.abc import Iterable, Mapping

from consentry.domain.statuses import Status


def ticked(status: Status, opted_out_of_all: bool, data_privacy_mode: bool) -> bool:
    """Whether a type's box starts ticked. With data privacy mode on, only an explicit opt-in
    is ticked (never a pre-ticked box for consent); otherwise a type without a preference is
    sent to, so it shows ticked."""
    if opted_out_of_all or status is Status.UNSUBSCRIBED:
        return False
    if status is Status.SUBSCRIBED:
        return True
    return not data_privacy_mode


def changes(shown: Mapping[int, bool], now_ticked: Iterable[int]) -> dict[int, Status]:
    """The status each changed box asks for: ticked → SUBSCRIBED, unticked → UNSUBSCRIBED.
    Ids that were not shown are ignored."""
    wanted = set(now_ticked)
    return {
        type_id: Status.SUBSCRIBED if type_id in wanted else Status.UNSUBSCRIBED
        for type_id, was in shown.items()
        if (type_id in wanted) != was
    }


def form_token(secret: str, link_token: str, nonce: str) -> str:
    """The CSRF token of one rendered form: bound to the link and to that render's nonce."""
    key = hmac.new(secret.encode(), b"consentry-preference-form", hashlib.sha256).digest()
    message = f"{link_token}\x00{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def form_token_valid(secret: str, link_token: str, nonce: str, token: str) -> bool:
    if not nonce or not token:
        return False
    return hmac.compare_digest(form_token(secret, link_token, nonce), token)
