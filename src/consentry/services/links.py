"""Use case: the personal links of a subscriber (manage preferences, unsubscribe from all,
unsubscribe from one type), signed so they can be neither forged nor read."""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from sqlalchemy import Connection, Engine

from consentry.domain import ACCOUNT_UNIT_ID, Channel, InvalidInput, NotFound, TypeKind, normalise
from consentry.domain.links import LinkClaims, Purpose, seal
from consentry.domain.one_click import headers as list_unsubscribe_headers
from consentry.services.erased_addresses import ensure_subscribers
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import account_settings, catalog


@dataclass(frozen=True)
class PersonalLinks:
    subscriber: str
    manage_preferences_url: str
    unsubscribe_all_url: str
    unsubscribe_single_url: str | None = None


def generate_links(
    engine: Engine,
    address: str,
    channel: Channel,
    *,
    secret: str,
    public_url: str,
    business_unit_id: int = ACCOUNT_UNIT_ID,
    subscription_type_id: int | None = None,
    language: str | None = None,
    issued_at: datetime | None = None,
) -> PersonalLinks:
    """Links for one subscriber; the subscriber is recorded if new (no status changes).

    `issued_at` (default: now) is the time the links carry; tests pass an old one to check
    that a link still works weeks later."""
    now = (issued_at or utcnow()).replace(microsecond=0)
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        connection = uow.connection
        settings = account_settings.load(connection)
        subscriber = normalise(address, channel, settings.default_phone_region)
        if catalog.get_unit(connection, business_unit_id) is None:
            raise NotFound(
                f"Business unit {business_unit_id} does not exist.", field="businessUnitId"
            )
        if subscription_type_id is not None:
            _check_type(connection, subscription_type_id, channel, business_unit_id)
        ids, _ = ensure_subscribers(connection, [subscriber], now)
        uow.commit()
    subscriber_id = ids[(channel, subscriber.key)]

    def url(path: str, purpose: Purpose, type_id: int | None = None) -> str:
        claims = LinkClaims(
            purpose, channel, subscriber_id, business_unit_id, type_id, now.date(), now
        )
        return link_url(public_url, path, seal(claims, secret), language)

    return PersonalLinks(
        subscriber=subscriber.key,
        manage_preferences_url=url("preferences", Purpose.MANAGE_PREFERENCES),
        unsubscribe_all_url=url("unsubscribe", Purpose.UNSUBSCRIBE_ALL),
        unsubscribe_single_url=url("unsubscribe", Purpose.UNSUBSCRIBE_ONE, subscription_type_id)
        if subscription_type_id is not None
        else None,
    )


def link_url(public_url: str, path: str, token: str, language: str | None = None) -> str:
    """The public URL of one token: `<public_url>/<path>/<token>[?lang=...]`."""
    suffix = f"?lang={quote(language)}" if language else ""
    return f"{public_url.rstrip('/')}/{path}/{token}{suffix}"


def _check_type(connection: Connection, type_id: int, channel: Channel, unit_id: int) -> None:
    found = catalog.list_types(connection, ids=[type_id])
    if not found:
        raise InvalidInput(
            f"Unknown subscriptionId {type_id}: no subscription type has that id.",
            field="subscriptionId",
        )
    type_ = found[0]
    if type_.channel is not channel or type_.business_unit_id != unit_id:
        raise InvalidInput(
            f"Subscription type {type_id} is a {type_.channel.value} type of business unit"
            f" {type_.business_unit_id}, not of {channel.value} in unit {unit_id}.",
            field="subscriptionId",
        )


def unsubscribe_headers(
    engine: Engine,
    address: str,
    subscription_type_id: int,
    *,
    secret: str,
    public_url: str,
    mailto: str | None = None,
) -> dict[str, str]:
    """The `List-Unsubscribe` and `List-Unsubscribe-Post` headers (RFC 8058) of one email
    subscriber for one type: the single-type unsubscribe link of the type's business unit.
    Transactional types get none (RFC 8058 is for bulk mail)."""
    with UnitOfWork(engine) as uow:
        found = catalog.list_types(uow.connection, ids=[subscription_type_id])
    if not found:
        raise InvalidInput(
            f"Unknown subscriptionId {subscription_type_id}: no subscription type has that id.",
            field="subscriptionId",
        )
    type_ = found[0]
    if type_.kind is TypeKind.TRANSACTIONAL:
        raise InvalidInput(
            f"{type_.name!r} is a transactional type: its mail carries no List-Unsubscribe"
            " header (RFC 8058 is for bulk mail).",
            field="subscriptionId",
        )
    links = generate_links(
        engine,
        address,
        Channel.EMAIL,
        secret=secret,
        public_url=public_url,
        business_unit_id=type_.business_unit_id,
        subscription_type_id=type_.id,
    )
    assert links.unsubscribe_single_url is not None
    return list_unsubscribe_headers(links.unsubscribe_single_url, mailto)
