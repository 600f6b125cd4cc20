"""The channel set-up table: one row per phone channel that is set up."""

from datetime import datetime

from sqlalchemy import Connection, select

from consentry.domain.channel_setup import ChannelSetup, Program
from consentry.domain.channels import Channel
from consentry.storage.phone_tables import channel_setups
from consentry.storage.upsert import upsert


def load(connection: Connection, channel: Channel) -> ChannelSetup | None:
    row = connection.execute(
        select(channel_setups).where(channel_setups.c.channel == channel.value)
    ).first()
    return _setup(row) if row is not None else None


def load_all(connection: Connection) -> list[ChannelSetup]:
    rows = connection.execute(select(channel_setups).order_by(channel_setups.c.channel))
    return [_setup(row) for row in rows]


def save(connection: Connection, setup: ChannelSetup, now: datetime) -> None:
    existing = load(connection, setup.channel)
    created = now if existing is None else _created_at(connection, setup.channel)
    upsert(
        connection,
        channel_setups,
        [
            {
                "channel": setup.channel.value,
                "provider": setup.provider,
                "sender": setup.sender,
                "verify_token": setup.verify_token,
                "secret": setup.secret,
                "program_name": setup.program.name,
                "support_contact": setup.program.support,
                "frequency": setup.program.frequency,
                "created_at": created,
                "updated_at": now,
            }
        ],
        keys=("channel",),
    )


def _created_at(connection: Connection, channel: Channel) -> datetime:
    query = select(channel_setups.c.created_at).where(channel_setups.c.channel == channel.value)
    created: datetime = connection.execute(query).scalar_one()
    return created


def _setup(row: object) -> ChannelSetup:
    values = row._mapping  # type: ignore[attr-defined]
    return ChannelSetup(
        Channel(values["channel"]),
        values["provider"],
        values["sender"],
        values["secret"],
        values["verify_token"],
        Program(values["program_name"], values["support_contact"], values["frequency"]),
    )
