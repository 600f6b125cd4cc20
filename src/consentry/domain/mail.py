"""Mail the service sends to contacts, and the outbox's retry rule.

Mail is queued in the database in the transaction that causes it (a transactional outbox), and
a worker sends it: nothing is lost if the process dies. A failed send is retried with a growing
delay, and given up after `MAX_ATTEMPTS` (the row stays, marked FAILED, with the last error).
"""

from datetime import datetime, timedelta
from enum import StrEnum


class MailKind(StrEnum):
    PREFERENCE_LINK = "PREFERENCE_LINK"  # the contact's personal links, on request
    DOUBLE_OPT_IN = "DOUBLE_OPT_IN"  # confirm a new email opt-in
    RESUBSCRIBE = "RESUBSCRIBE"  # an opted-out address asked to come back


class MailState(StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


MAX_ATTEMPTS = 8
_FIRST_DELAY = timedelta(seconds=30)
_LONGEST_DELAY = timedelta(hours=2)


def retry_at(attempts: int, now: datetime) -> datetime | None:
    """When to try again after `attempts` failed sends; None when it is time to give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    delay: timedelta = _FIRST_DELAY * (2 ** max(attempts - 1, 0))
    return now + min(delay, _LONGEST_DELAY)
