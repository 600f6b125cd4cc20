"""Use cases for setting up the phone channels (issue 8).

Setting a channel up stores its sender and webhook secret, turns the channel on (its types then
take opt-ins) and, the first time, creates its default types — all in one transaction.
"""

from sqlalchemy import Connection, Engine

from consentry.domain import ACCOUNT_UNIT_ID, Channel, TypeKind
from consentry.domain.channel_setup import (
    DEFAULT_TYPES,
    ChannelSetup,
    Program,
    sms_setup,
    whatsapp_setup,
)
from consentry.domain.subscription_types import COMMUNICATION_METHOD
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import account_settings, catalog
from consentry.storage import channels as setups


def setup_sms(
    engine: Engine,
    sender: str,
    webhook_secret: str,
    provider: str = "twilio",
    details: Program | None = None,
) -> ChannelSetup:
    return _save(engine, sms_setup(sender, webhook_secret, provider, details))


def setup_whatsapp(
    engine: Engine,
    phone_number_id: str,
    verify_token: str,
    app_secret: str,
    details: Program | None = None,
) -> ChannelSetup:
    return _save(engine, whatsapp_setup(phone_number_id, verify_token, app_secret, details))


def get_setup(engine: Engine, channel: Channel) -> ChannelSetup | None:
    with UnitOfWork(engine) as uow:
        return setups.load(uow.connection, channel)


def list_setups(engine: Engine) -> list[ChannelSetup]:
    with UnitOfWork(engine) as uow:
        return setups.load_all(uow.connection)


def _save(engine: Engine, setup: ChannelSetup) -> ChannelSetup:
    now = utcnow()
    with UnitOfWork(engine, write=True, ledger=False) as uow:
        connection = uow.connection
        setups.save(connection, setup, now)
        settings = account_settings.load(connection)
        key = "sms_enabled" if setup.channel is Channel.SMS else "whatsapp_enabled"
        account_settings.save(connection, settings.with_value(key, "true"), now)
        _create_default_types(connection, setup.channel)
        uow.commit()
    return setup


def _create_default_types(connection: Connection, channel: Channel) -> None:
    """The channel's default types, each unless one of that name is already there."""
    for name, kind, description in DEFAULT_TYPES[channel]:
        if catalog.type_name_taken(connection, name, channel, ACCOUNT_UNIT_ID):
            continue
        catalog.insert_type(
            connection,
            {
                "name": name,
                "description": description,
                "purpose": "Transactional" if kind is TypeKind.TRANSACTIONAL else "Marketing",
                "communication_method": COMMUNICATION_METHOD[channel],
                "channel": channel.value,
                "business_unit_id": ACCOUNT_UNIT_ID,
                "kind": kind.value,
                "is_active": True,
                "is_default": True,
                "is_internal": False,
            },
            utcnow(),
        )
