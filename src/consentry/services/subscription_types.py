"""Use cases that edit subscription types after creation: rename and describe, archive and
unarchive, reorder, and translate.

Archiving keeps a type and every status recorded for it; the rulebook refuses new opt-ins to an
archived type (`type_active`), while opt-outs still work.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from consentry.domain import Conflict, NotFound, SubscriptionType, Translation, TypeKind
from consentry.domain.subscription_types import language_code, reorder
from consentry.services.catalog import clean_name, get_type
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import catalog


@dataclass(frozen=True)
class TypeChanges:
    """What to change of a type; None leaves it. Channel and business unit never change: the
    statuses recorded for a type were given for that channel and brand."""

    name: str | None = None
    description: str | None = None
    purpose: str | None = None
    kind: TypeKind | None = None


def update_type(engine: Engine, type_id: int, changes: TypeChanges) -> SubscriptionType:
    with UnitOfWork(engine, write=True) as uow:
        current = _existing(uow.connection, type_id)
        values: dict[str, str] = {}
        if changes.name is not None:
            values["name"] = _free_name(uow.connection, current, changes.name)
        if changes.description is not None:
            values["description"] = changes.description.strip()
        if changes.purpose is not None:
            values["purpose"] = changes.purpose.strip() or current.purpose
        if changes.kind is not None:
            values["kind"] = changes.kind.value
        if values:
            catalog.update_type(uow.connection, type_id, values, utcnow())
            uow.commit()
    return get_type(engine, type_id)


def set_archived(engine: Engine, type_id: int, archived: bool) -> SubscriptionType:
    """Archive (no new opt-ins, hidden from the preference page) or bring back a type."""
    with UnitOfWork(engine, write=True) as uow:
        current = _existing(uow.connection, type_id)
        if current.is_active == archived:
            catalog.update_type(uow.connection, type_id, {"is_active": not archived}, utcnow())
            uow.commit()
    return get_type(engine, type_id)


def reorder_types(engine: Engine, type_ids: list[int]) -> list[SubscriptionType]:
    """Put the named types first, in the order given; the others keep their order after them."""
    with UnitOfWork(engine, write=True) as uow:
        order = reorder(catalog.type_ids_in_order(uow.connection), type_ids)
        catalog.set_display_order(uow.connection, order, utcnow())
        types = catalog.list_types(uow.connection, with_translations=True)
        uow.commit()
    return types


def set_translation(
    engine: Engine, type_id: int, language: str, name: str, description: str = ""
) -> SubscriptionType:
    """Add or replace the type's name and description in one language."""
    translation = Translation(
        language_code(language), clean_name(name, "translation"), description.strip()
    )
    now = utcnow()
    with UnitOfWork(engine, write=True) as uow:
        _existing(uow.connection, type_id)
        catalog.save_translation(uow.connection, type_id, translation, now)
        catalog.update_type(uow.connection, type_id, {}, now)
        uow.commit()
    return get_type(engine, type_id)


def delete_translation(engine: Engine, type_id: int, language: str) -> SubscriptionType:
    code = language_code(language)
    with UnitOfWork(engine, write=True) as uow:
        _existing(uow.connection, type_id)
        if not catalog.delete_translation(uow.connection, type_id, code):
            raise NotFound(
                f"Subscription type {type_id} has no {code!r} translation.", field="languageCode"
            )
        catalog.update_type(uow.connection, type_id, {}, utcnow())
        uow.commit()
    return get_type(engine, type_id)


def _existing(connection: Connection, type_id: int) -> SubscriptionType:
    found = catalog.list_types(connection, ids=[type_id])
    if not found:
        raise NotFound(f"Subscription type {type_id} does not exist.", field="subscriptionId")
    return found[0]


def _free_name(connection: Connection, current: SubscriptionType, raw: str) -> str:
    name = clean_name(raw, "subscription type")
    if catalog.type_name_taken(
        connection, name, current.channel, current.business_unit_id, other_than=current.id
    ):
        raise Conflict(
            f"A subscription type named {name!r} already exists on {current.channel.value}"
            f" in business unit {current.business_unit_id}.",
            field="name",
        )
    return name
