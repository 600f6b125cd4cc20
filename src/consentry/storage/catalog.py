"""Business units and subscription types (with their translations)."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

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


def unit_name_taken(connection: Connection, name: str) -> bool:
    query = select(business_units.c.id).where(func.lower(business_units.c.name) == name.lower())
    return connection.execute(query).first() is not None


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
) -> list[SubscriptionType]:
    table = subscription_types
    query = select(table).order_by(table.c.business_unit_id, table.c.display_order, table.c.id)
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


def type_name_taken(connection: Connection, name: str, channel: Channel, unit_id: int) -> bool:
    table = subscription_types
    query = select(table.c.id).where(
        func.lower(table.c.name) == name.lower(),
        table.c.channel == channel.value,
        table.c.business_unit_id == unit_id,
    )
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
