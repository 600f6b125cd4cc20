"""Use cases that mail a contact their personal links: a user sends them (the admin's "send
preference link"), or the contact asks for a fresh one from the public page.

Both only queue the mail (the outbox, in the same transaction as any subscriber row); the worker
sends it. Asking from the public page never reveals whether the address is known: the answer is
the same, and only a known address gets mail — the resubscribe mail when it is unsubscribed from
all, else its preference links.
"""

from datetime import timedelta

from sqlalchemy import Engine

from consentry.config import Config
from consentry.domain import ACCOUNT_UNIT_ID, Actor, Channel, InvalidInput, NotFound, normalise
from consentry.domain.languages import match
from consentry.domain.mail import MailKind
from consentry.domain.statuses import covers
from consentry.services.erased_addresses import ensure_subscribers
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import account_settings, catalog, outbox, statuses, subscribers

# The public form mails at most one link per address in this time: it cannot be used to flood
# someone's inbox.
REQUEST_INTERVAL = timedelta(minutes=10)


def send_preference_link(
    engine: Engine,
    config: Config,
    address: str,
    channel: Channel,
    business_unit_id: int,
    *,
    actor: Actor,
    language: str | None = None,
) -> None:
    """Queue a branded, translated mail with the manage-preferences and unsubscribe-from-all
    links of `address` in `business_unit_id`; InvalidInput / NotFound for a bad address or unit.

    `config` is accepted for symmetry with the mail's sending (the links are signed when the
    worker sends the mail, with the secret of that process)."""
    del config
    if channel is not Channel.EMAIL:
        raise InvalidInput(
            f"Preference links are sent by email; {channel.value} subscribers cannot get one.",
            field="channel",
        )
    now = utcnow()
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        connection = uow.connection
        settings = account_settings.load(connection)
        subscriber = normalise(address, channel, settings.default_phone_region)
        if catalog.get_unit(connection, business_unit_id) is None:
            raise NotFound(
                f"Business unit {business_unit_id} does not exist.", field="businessUnitId"
            )
        ids, _ = ensure_subscribers(connection, [subscriber], now)
        outbox.enqueue(
            connection,
            MailKind.PREFERENCE_LINK,
            subscriber.address,
            ids[(channel, subscriber.key)],
            business_unit_id,
            now,
            language=match(language),
            requested_by=str(actor),
        )
        uow.commit()


def request_fresh_link(
    engine: Engine,
    address: str,
    *,
    business_unit_id: int = ACCOUNT_UNIT_ID,
    language: str | None = None,
) -> None:
    """The contact asked (from a public page) for their links by email. Raises InvalidInput only
    for something that is not an email address; says nothing about whether it is known."""
    now = utcnow()
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        connection = uow.connection
        settings = account_settings.load(connection)
        subscriber = normalise(address, Channel.EMAIL, settings.default_phone_region)
        found = subscribers.find_ids(connection, [(Channel.EMAIL, subscriber.key)])
        subscriber_id = found.get((Channel.EMAIL, subscriber.key))
        unit = catalog.get_unit(connection, business_unit_id)
        if subscriber_id is None or unit is None:
            return
        if outbox.queued_since(connection, subscriber_id, now - REQUEST_INTERVAL):
            return
        opted_out = any(
            row.opted_out and covers(row.wide_type, row.business_unit_id, unit.id)
            for row in statuses.load_wide(connection, [subscriber_id])
        )
        stored = subscribers.by_id(connection, subscriber_id)
        outbox.enqueue(
            connection,
            MailKind.RESUBSCRIBE if opted_out else MailKind.PREFERENCE_LINK,
            stored.address if stored else subscriber.address,
            subscriber_id,
            unit.id,
            now,
            language=match(language),
            requested_by="contact",
        )
        uow.commit()
