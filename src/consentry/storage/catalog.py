"""Business units and subscription types (with their translations)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from consentry.domain import (
    BusinessUnit,
    Channel,
    SubscriptionType,
    Translation,
    TypeKind,
)
from consentry.storage.tables import (
    business_units,
    subscription_type_translations,
    subscription_types,
)


def list_units(connection: Connection) -> list[BusinessUnit]:
    rows = connection.execute(select(business_units).order_by(business_units.c.id))
    return [BusinessUnit(row.id, row.name, dict(row.branding or {})) for row in rows]


def get_unit(connection: Connection, unit_id: int) -> BusinessUnit | None:
    row = connection.execute(select(business_units).where(business_units.c.id == unit_id)).first()
    return BusinessUnit(row.id, row.name, dict(row.branding or {})) if row else None


def unit_name_taken(connection: Connection, name: str, *, other_than: int | None = None) -> bool:
    query = select(business_units.c.id).where(func.lower(business_units.c.name) == func.lower(name))
    if other_than is not None:
        query = query.where(business_units.c.id != other_than)
    return connection.execute(query).first() is not None


def update_unit(connection: Connection, unit_id: int, values: dict[str, Any]) -> None:
    connection.execute(update(business_units).where(business_units.c.id == unit_id).values(values))


def insert_unit(connection: Connection, name: str, branding: dict[str, str], now: datetime) -> int:
    result = connection.execute(
        business_units.insert()
        .values(name=name, branding=branding, created_at=now)
        .returning(business_units.c.id)
    )
    return int(result.scalar_one())


def _type(row: Any, translations: Iterable[Translation] = ()) -> SubscriptionType:
    return SubscriptionType(
        id=row.id,
        name=row.name,
        description=row.description,
        purpose=row.purpose,
        communication_method=row.communication_method,
        channel=Channel(row.channel),
        business_unit_id=row.business_unit_id,
        kind=TypeKind(row.kind),
        is_active=row.is_active,
        is_default=row.is_default,
        is_internal=row.is_internal,
        display_order=row.display_order,
        created_at=row.created_at,
        updated_at=row.updated_at,
        translations=tuple(translations),
    )


def list_types(
    connection: Connection,
    *,
    channel: Channel | None = None,
    business_unit_id: int | None = None,
    ids: Iterable[int] | None = None,
    with_translations: bool = False,
    active_only: bool = False,
) -> list[SubscriptionType]:
    table = subscription_types
    query = select(table).order_by(table.c.business_unit_id, table.c.display_order, table.c.id)
    if active_only:
        query = query.where(table.c.is_active.is_(True))
    if channel is not None:
        query = query.where(table.c.channel == channel.value)
    if business_unit_id is not None:
        query = query.where(table.c.business_unit_id == business_unit_id)
    if ids is not None:
        query = query.where(table.c.id.in_(sorted(set(ids))))
    rows = connection.execute(query).all()
    translations = _translations(connection, [row.id for row in rows]) if with_translations else {}
    return [_type(row, translations.get(row.id, ())) for row in rows]


def _translations(connection: Connection, type_ids: list[int]) -> dict[int, list[Translation]]:
    table = subscription_type_translations
    found: dict[int, list[Translation]] = {}
    if not type_ids:
        return found
    rows = connection.execute(
        select(table)
        .where(table.c.subscription_type_id.in_(type_ids))
        .order_by(table.c.language_code)
    )
    for row in rows:
        found.setdefault(row.subscription_type_id, []).append(
            Translation(row.language_code, row.name, row.description)
        )
    return found


def type_name_taken(
    connection: Connection,
    name: str,
    channel: Channel,
    unit_id: int,
    *,
    other_than: int | None = None,
) -> bool:
    table = subscription_types
    query = select(table.c.id).where(
        func.lower(table.c.name) == func.lower(name),
        table.c.channel == channel.value,
        table.c.business_unit_id == unit_id,
    )
    if other_than is not None:
        query = query.where(table.c.id != other_than)
    return connection.execute(query).first() is not None


def insert_type(connection: Connection, values: dict[str, Any], now: datetime) -> int:
    table = subscription_types
    order = connection.execute(select(func.coalesce(func.max(table.c.display_order), 0))).scalar()
    result = connection.execute(
        table.insert()
        .values(**values, display_order=int(order or 0) + 1, created_at=now, updated_at=now)
        .returning(table.c.id)
    )
    return int(result.scalar_one())


def update_type(
    connection: Connection, type_id: int, values: dict[str, Any], now: datetime
) -> None:
    table = subscription_types
    connection.execute(update(table).where(table.c.id == type_id).values(**values, updated_at=now))


def type_ids_in_order(connection: Connection) -> list[int]:
    table = subscription_types
    query = select(table.c.id).order_by(table.c.display_order, table.c.id)
    return [int(type_id) for type_id in connection.execute(query).scalars()]


def set_display_order(connection: Connection, type_ids: list[int], now: datetime) -> None:
    """Number the types 1, 2, 3… in the order given, in one statement."""
    table = subscription_types
    connection.execute(
        update(table)
        .where(table.c.id == bindparam("type_id"))
        .values(display_order=bindparam("position"), updated_at=now),
        [{"type_id": type_id, "position": n} for n, type_id in enumerate(type_ids, start=1)],
    )


def save_translation(
    connection: Connection, type_id: int, value: Translation, now: datetime
) -> None:
    """Insert or replace one language's translation, keeping when it was first made."""
    table = subscription_type_translations
    key = (table.c.subscription_type_id == type_id) & (table.c.language_code == value.language_code)
    changed = connection.execute(
        update(table)
        .where(key)
        .values(name=value.name, description=value.description, updated_at=now)
    )
    if changed.rowcount == 0:
        connection.execute(
            table.insert().values(
                subscription_type_id=type_id,
                language_code=value.language_code,
                name=value.name,
                description=value.description,
                created_at=now,
                updated_at=now,
            )
        )


def delete_translation(connection: Connection, type_id: int, language_code: str) -> bool:
    table = subscription_type_translations
    removed = connection.execute(
        table.delete().where(
            table.c.subscription_type_id == type_id, table.c.language_code == language_code
        )
    )
    return removed.rowcount > 0
