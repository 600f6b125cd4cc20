"""A test request: one signed `webhook.ping` to a subscription's URL, sent at once and
answered to the caller (it is not an event, so it is neither queued nor retried)."""

import uuid

from sqlalchemy import Engine

from consentry.domain.webhooks import ping_payload
from consentry.services.webhooks.delivery import Result, http_client, post
from consentry.services.webhooks.subscriptions import get_subscription
from consentry.services.writing import utcnow


def ping(engine: Engine, subscription_id: int, *, timeout: float) -> Result:
    """Sent paused or not: a receiver can be checked before it is resumed."""
    subscription = get_subscription(engine, subscription_id)
    ping_id = f"ping-{uuid.uuid4().hex}"
    body = ping_payload(ping_id, subscription.id, utcnow())
    with http_client(timeout) as client:
        return post(client, subscription.url, subscription.secret, ping_id, body)
