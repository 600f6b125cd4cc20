"""Use cases for business units (list, create, read, rename and brand) and for creating and
reading subscription types. Editing types after creation is `services.subscription_types`."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import Engine

from consentry.domain import (
    ACCOUNT_UNIT_ID,
    BusinessUnit,
    Channel,
    Conflict,
    InvalidInput,
    NotFound,
    SubscriptionType,
    TypeKind,
)
from consentry.domain.business_units import merge_branding
from consentry.domain.subscription_types import COMMUNICATION_METHOD
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import account_settings, catalog

MAX_NAME_LENGTH = 200


def list_units(engine: Engine) -> list[BusinessUnit]:
    with UnitOfWork(engine) as uow:
        return catalog.list_units(uow.connection)


def create_unit(
    engine: Engine, name: str, branding: Mapping[str, str | None] | None = None
) -> BusinessUnit:
    name = clean_name(name, "business unit")
    checked = merge_branding({}, branding or {})
    with UnitOfWork(engine, write=True) as uow:
        if not account_settings.load(uow.connection).business_units_enabled:
            raise InvalidInput(
                "Business units are off; turn them on first with"
                " `consentry settings set business_units_enabled true`.",
                field="business_units_enabled",
            )
        if catalog.unit_name_taken(uow.connection, name):
            raise Conflict(f"A business unit named {name!r} already exists.", field="name")
        unit_id = catalog.insert_unit(uow.connection, name, checked, utcnow())
        uow.commit()
    return BusinessUnit(unit_id, name, checked)


def get_unit(engine: Engine, unit_id: int) -> BusinessUnit:
    with UnitOfWork(engine) as uow:
        unit = catalog.get_unit(uow.connection, unit_id)
    if unit is None:
        raise NotFound(f"Business unit {unit_id} does not exist.", field="businessUnitId")
    return unit


@dataclass(frozen=True)
class UnitChanges:
    """What to change of a business unit; None leaves it as it is. In `branding`, a value
    replaces the stored one and None removes it (see `domain.business_units.merge_branding`)."""

    name: str | None = None
    branding: Mapping[str, str | None] | None = None


def update_unit(engine: Engine, unit_id: int, changes: UnitChanges) -> BusinessUnit:
    with UnitOfWork(engine, write=True) as uow:
        unit = catalog.get_unit(uow.connection, unit_id)
        if unit is None:
            raise NotFound(f"Business unit {unit_id} does not exist.", field="businessUnitId")
        name = unit.name if changes.name is None else clean_name(changes.name, "business unit")
        if catalog.unit_name_taken(uow.connection, name, other_than=unit_id):
            raise Conflict(f"A business unit named {name!r} already exists.", field="name")
        branding = merge_branding(unit.branding, changes.branding or {})
        catalog.update_unit(uow.connection, unit_id, {"name": name, "branding": branding})
        uow.commit()
    return BusinessUnit(unit_id, name, branding)


@dataclass(frozen=True)
class NewType:
    name: str
    description: str = ""
    channel: Channel = Channel.EMAIL
    business_unit_id: int = ACCOUNT_UNIT_ID
    kind: TypeKind = TypeKind.MARKETING
    purpose: str = "Marketing"


def list_types(
    engine: Engine,
    channel: Channel | None = None,
    business_unit_id: int | None = None,
    *,
    with_translations: bool = False,
    active_only: bool = False,
) -> list[SubscriptionType]:
    with UnitOfWork(engine) as uow:
        return catalog.list_types(
            uow.connection,
            channel=channel,
            business_unit_id=business_unit_id,
            with_translations=with_translations,
            active_only=active_only,
        )


def get_type(engine: Engine, type_id: int) -> SubscriptionType:
    with UnitOfWork(engine) as uow:
        found = catalog.list_types(uow.connection, ids=[type_id], with_translations=True)
    if not found:
        raise NotFound(f"Subscription type {type_id} does not exist.", field="subscriptionId")
    return found[0]


def create_type(engine: Engine, new: NewType) -> SubscriptionType:
    name = clean_name(new.name, "subscription type")
    with UnitOfWork(engine, write=True) as uow:
        connection = uow.connection
        if catalog.get_unit(connection, new.business_unit_id) is None:
            raise NotFound(
                f"Business unit {new.business_unit_id} does not exist.", field="businessUnitId"
            )
        if catalog.type_name_taken(connection, name, new.channel, new.business_unit_id):
            raise Conflict(
                f"A subscription type named {name!r} already exists on {new.channel.value}"
                f" in business unit {new.business_unit_id}.",
                field="name",
            )
        type_id = catalog.insert_type(
            connection,
            {
                "name": name,
                "description": new.description.strip(),
                "purpose": new.purpose.strip() or "Marketing",
                "communication_method": COMMUNICATION_METHOD[new.channel],
                "channel": new.channel.value,
                "business_unit_id": new.business_unit_id,
                "kind": new.kind.value,
                "is_active": True,
                "is_default": False,
                "is_internal": False,
            },
            utcnow(),
        )
        uow.commit()
    return get_type(engine, type_id)


def clean_name(name: str, what: str) -> str:
    """A name with its whitespace collapsed; empty or over-long names are refused."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise InvalidInput(f"A {what} needs a name.", field="name")
    if len(cleaned) > MAX_NAME_LENGTH:
        raise InvalidInput(f"A {what} name is at most {MAX_NAME_LENGTH} characters.", field="name")
    return cleaned
