"""Rotating a webhook's signing secret: a new one replaces the old at once.

Requests already sent keep the signature they had; every request from now on is signed with
the new secret only, so the receiver must switch to it (checking against both secrets while
it does). The answer carries the new secret; it is shown once, as at creation.
"""

from sqlalchemy import Engine

from consentry.domain import NotFound
from consentry.domain.webhooks import Subscription
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.webhooks.subscriptions import new_secret
from consentry.services.writing import utcnow
from consentry.storage import webhooks as stored


def rotate_secret(engine: Engine, subscription_id: int) -> Subscription:
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        if stored.get(uow.connection, subscription_id) is None:
            raise NotFound(f"No webhook subscription {subscription_id}.", field="id")
        stored.change(uow.connection, subscription_id, utcnow(), secret=new_secret())
        rotated = stored.get(uow.connection, subscription_id)
        uow.commit()
    assert rotated is not None
    return rotated
