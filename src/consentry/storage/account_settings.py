"""The account settings table: one text value per key; absent keys take the domain's default."""

from datetime import datetime

from sqlalchemy import Connection, select

from consentry.domain import SETTING_KEYS, AccountSettings
from consentry.domain.account_settings import format_value
from consentry.storage.tables import account_settings
from consentry.storage.upsert import upsert


def load(connection: Connection) -> AccountSettings:
    settings = AccountSettings()
    for row in connection.execute(select(account_settings)):
        if row.key in SETTING_KEYS:
            settings = settings.with_value(row.key, row.value)
    return settings


def save(connection: Connection, settings: AccountSettings, now: datetime) -> None:
    values = settings.as_text()
    upsert(
        connection,
        account_settings,
        [
            {"key": key, "value": format_value(value), "updated_at": now}
            for key, value in values.items()
        ],
        keys=("key",),
    )
