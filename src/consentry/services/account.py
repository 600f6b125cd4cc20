"""Use cases for the account's settings."""

from collections.abc import Mapping

from sqlalchemy import Engine

from consentry.domain import AccountSettings
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import account_settings


def get_settings(engine: Engine) -> AccountSettings:
    with UnitOfWork(engine) as uow:
        return account_settings.load(uow.connection)


def set_setting(engine: Engine, key: str, value: str) -> AccountSettings:
    """Change one setting, parsed and checked by the domain; returns the settings after."""
    with UnitOfWork(engine, write=True) as uow:
        settings = account_settings.load(uow.connection).with_value(key, value)
        account_settings.save(uow.connection, settings, utcnow())
        uow.commit()
    return settings


def update_settings(engine: Engine, changes: Mapping[str, str]) -> AccountSettings:
    """Change several settings at once, all or none; each value is parsed by the domain."""
    with UnitOfWork(engine, write=True) as uow:
        settings = account_settings.load(uow.connection)
        for key, value in changes.items():
            settings = settings.with_value(key, value)
        account_settings.save(uow.connection, settings, utcnow())
        uow.commit()
    return settings
