"""Business units (brands): list, create, read, and edit the name and branding."""

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from consentry import services
from consentry.api.dependencies import EngineDep
from consentry.api.native.shapes import MAX_ID, RequestBody
from consentry.domain import BusinessUnit, InvalidInput
from consentry.domain.business_units import ACCENT_COLOR, LOGO_URL, PRIMARY_COLOR

router = APIRouter(prefix="/business-units", tags=["Business units"])

UnitId = Annotated[
    int, Path(ge=0, le=MAX_ID, description="The business unit's id; 0 is the account.")
]
Name = Annotated[str, Field(min_length=1, max_length=200)]
Colour = Annotated[str | None, Field(default=None, max_length=20, examples=["#1a73e8"])]


class Branding(BaseModel):
    logoUrl: str | None = None
    primaryColor: str | None = None
    accentColor: str | None = None


class BrandingIn(RequestBody):
    """An https logo URL and hex colours; in an edit, null removes a value."""

    logoUrl: str | None = Field(default=None, max_length=2_000, examples=["https://x.com/a.png"])
    primaryColor: Colour
    accentColor: Colour


class UnitOut(BaseModel):
    id: int
    name: str
    branding: Branding


class UnitList(BaseModel):
    results: list[UnitOut]


class UnitCreate(RequestBody):
    name: Name
    branding: BrandingIn | None = None


class UnitUpdate(RequestBody):
    name: Name | None = None
    branding: BrandingIn | None = None


def unit_out(unit: BusinessUnit) -> UnitOut:
    branding = unit.branding
    return UnitOut(
        id=unit.id,
        name=unit.name,
        branding=Branding(
            logoUrl=branding.get(LOGO_URL),
            primaryColor=branding.get(PRIMARY_COLOR),
            accentColor=branding.get(ACCENT_COLOR),
        ),
    )


def _branding_changes(branding: BrandingIn | None) -> dict[str, str | None]:
    """Only the fields the request named: one left out is kept, one set to null is removed."""
    if branding is None:
        return {}
    return {name: getattr(branding, name) for name in branding.model_fields_set}


@router.get("", response_model=UnitList, summary="List business units")
def list_units(engine: EngineDep) -> UnitList:
    return UnitList(results=[unit_out(u) for u in services.list_units(engine)])


@router.post("", response_model=UnitOut, status_code=201, summary="Create a business unit")
def create_unit(body: UnitCreate, engine: EngineDep) -> UnitOut:
    """Refused (400) while business units are off (setting `businessUnitsEnabled`)."""
    try:
        unit = services.create_unit(engine, body.name, _branding_changes(body.branding))
    except InvalidInput as error:
        if error.field != "business_units_enabled":
            raise
        raise InvalidInput(
            "Business units are off; turn them on first: PATCH /api/v1/settings with"
            ' {"businessUnitsEnabled": true}.',
            field="businessUnitsEnabled",
        ) from error
    return unit_out(unit)


@router.get("/{businessUnitId}", response_model=UnitOut, summary="Read a business unit")
def get_unit(businessUnitId: UnitId, engine: EngineDep) -> UnitOut:
    return unit_out(services.get_unit(engine, businessUnitId))


@router.patch("/{businessUnitId}", response_model=UnitOut, summary="Edit a business unit")
def update_unit(businessUnitId: UnitId, body: UnitUpdate, engine: EngineDep) -> UnitOut:
    """Rename, or change the branding; branding fields left out stay as they are."""
    changes = services.UnitChanges(name=body.name, branding=_branding_changes(body.branding))
    return unit_out(services.update_unit(engine, businessUnitId, changes))
