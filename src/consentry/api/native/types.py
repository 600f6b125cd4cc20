"""Subscription types: list, read, create, edit, archive and unarchive, reorder, translate."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from consentry import services
from consentry.api.dependencies import EngineDep
from consentry.api.native.shapes import MAX_ID, BodyId, RequestBody, Time
from consentry.domain import ACCOUNT_UNIT_ID, Channel, SubscriptionType, TypeKind

router = APIRouter(prefix="/subscription-types", tags=["Subscription types"])

TypeId = Annotated[int, Path(ge=0, le=MAX_ID, description="The subscription type's id.")]
LanguageCode = Annotated[
    str, Path(max_length=20, description='A language, optionally with a region: "de", "pt-br".')
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Description = Annotated[str, Field(max_length=10_000)]
Purpose = Annotated[str, Field(max_length=200)]


class TranslationOut(BaseModel):
    languageCode: str
    name: str
    description: str


class TypeOut(BaseModel):
    id: int
    name: str
    description: str
    purpose: str
    communicationMethod: str
    channel: Channel
    businessUnitId: int
    kind: TypeKind
    archived: bool
    isDefault: bool
    isInternal: bool
    displayOrder: int
    translations: list[TranslationOut]
    createdAt: Time
    updatedAt: Time


class TypeList(BaseModel):
    results: list[TypeOut]


class TypeCreate(RequestBody):
    name: Name
    description: Description = ""
    purpose: Purpose = "Marketing"
    channel: Channel = Channel.EMAIL
    businessUnitId: BodyId = ACCOUNT_UNIT_ID
    kind: TypeKind = TypeKind.MARKETING


class TypeUpdate(RequestBody):
    """Channel and business unit cannot change: a type's statuses were given for them."""

    name: Name | None = None
    description: Description | None = None
    purpose: Purpose | None = None
    kind: TypeKind | None = None


class TypeOrder(RequestBody):
    ids: list[BodyId] = Field(
        min_length=1,
        max_length=10_000,
        description="Type ids in the order wanted; types not named follow in their current order.",
    )


class TranslationIn(RequestBody):
    name: Name
    description: Description = ""


def type_out(type_: SubscriptionType) -> TypeOut:
    assert type_.created_at is not None and type_.updated_at is not None
    return TypeOut(
        id=type_.id,
        name=type_.name,
        description=type_.description,
        purpose=type_.purpose,
        communicationMethod=type_.communication_method,
        channel=type_.channel,
        businessUnitId=type_.business_unit_id,
        kind=type_.kind,
        archived=not type_.is_active,
        isDefault=type_.is_default,
        isInternal=type_.is_internal,
        displayOrder=type_.display_order,
        translations=[
            TranslationOut(languageCode=t.language_code, name=t.name, description=t.description)
            for t in type_.translations
        ],
        createdAt=type_.created_at,
        updatedAt=type_.updated_at,
    )


@router.get("", response_model=TypeList, summary="List subscription types")
def list_types(
    engine: EngineDep,
    channel: Channel | None = None,
    businessUnitId: Annotated[int | None, Query(ge=0, le=MAX_ID)] = None,
    includeArchived: bool = False,
) -> TypeList:
    """Types in display order, with their translations; archived ones only when asked."""
    types = services.list_types(
        engine, channel, businessUnitId, with_translations=True, active_only=not includeArchived
    )
    return TypeList(results=[type_out(t) for t in types])


@router.post("", response_model=TypeOut, status_code=201, summary="Create a subscription type")
def create_type(body: TypeCreate, engine: EngineDep) -> TypeOut:
    new = services.NewType(
        name=body.name,
        description=body.description,
        channel=body.channel,
        business_unit_id=body.businessUnitId,
        kind=body.kind,
        purpose=body.purpose,
    )
    return type_out(services.create_type(engine, new))


# Before "/{subscriptionId}": a literal segment must win over the parameter.
@router.put("/order", response_model=TypeList, summary="Reorder subscription types")
def reorder_types(body: TypeOrder, engine: EngineDep) -> TypeList:
    """Set the display order; answers every type in its new order."""
    return TypeList(results=[type_out(t) for t in services.reorder_types(engine, body.ids)])


@router.get("/{subscriptionId}", response_model=TypeOut, summary="Read a subscription type")
def get_type(subscriptionId: TypeId, engine: EngineDep) -> TypeOut:
    return type_out(services.get_type(engine, subscriptionId))


@router.patch("/{subscriptionId}", response_model=TypeOut, summary="Edit a subscription type")
def update_type(subscriptionId: TypeId, body: TypeUpdate, engine: EngineDep) -> TypeOut:
    """Change the name, description, purpose or kind; fields left out stay as they are."""
    changes = services.TypeChanges(
        name=body.name, description=body.description, purpose=body.purpose, kind=body.kind
    )
    return type_out(services.update_type(engine, subscriptionId, changes))


@router.post(
    "/{subscriptionId}/archive", response_model=TypeOut, summary="Archive a subscription type"
)
def archive_type(subscriptionId: TypeId, engine: EngineDep) -> TypeOut:
    """An archived type takes no new opt-ins and leaves the preference page; opt-outs still
    work and every recorded status is kept."""
    return type_out(services.set_archived(engine, subscriptionId, archived=True))


@router.post(
    "/{subscriptionId}/unarchive", response_model=TypeOut, summary="Unarchive a subscription type"
)
def unarchive_type(subscriptionId: TypeId, engine: EngineDep) -> TypeOut:
    return type_out(services.set_archived(engine, subscriptionId, archived=False))


@router.put(
    "/{subscriptionId}/translations/{languageCode}",
    response_model=TypeOut,
    summary="Add or replace a translation",
)
def put_translation(
    subscriptionId: TypeId, languageCode: LanguageCode, body: TranslationIn, engine: EngineDep
) -> TypeOut:
    return type_out(
        services.set_translation(engine, subscriptionId, languageCode, body.name, body.description)
    )


@router.delete(
    "/{subscriptionId}/translations/{languageCode}",
    response_model=TypeOut,
    summary="Remove a translation",
    responses={404: {"description": "No such type, or no translation in that language."}},
)
def delete_translation(
    subscriptionId: TypeId, languageCode: LanguageCode, engine: EngineDep
) -> TypeOut:
    return type_out(services.delete_translation(engine, subscriptionId, languageCode))
