"""The wire shapes of `/crm/v3/objects/contacts`, as HubSpot's own (field for field), for
request parsing and a truthful OpenAPI. Unknown fields in a body are ignored, as HubSpot does.

Filter operators and sort directions are documented as enums but checked by the domain's filter
language, whose messages name the filter at fault.
"""

from typing import Any, Literal

from pydantic import BaseModel, Field, StrictInt
from pydantic.config import JsonDict

from consentry.domain.filters import MAX_FILTERS_PER_GROUP, MAX_GROUPS, Operator
from consentry.services.contacts import MAX_BATCH

# HubSpot's values are strings; numbers and booleans are taken and stored as their text.
PropertyValue = str | int | float | bool | None
FilterValue = str | int | float | bool

_BATCH: JsonDict = {"maxItems": MAX_BATCH}


class ContactInput(BaseModel):
    """SimplePublicObjectInputForCreate (associations are accepted and ignored)."""

    properties: dict[str, PropertyValue]
    associations: list[dict[str, Any]] | None = None


class ContactPatch(BaseModel):
    """SimplePublicObjectInput: the properties to change; null or "" clears one."""

    properties: dict[str, PropertyValue]


class ObjectId(BaseModel):
    id: str


class BatchCreate(BaseModel):
    inputs: list[ContactInput] = Field(json_schema_extra=_BATCH)


class BatchRead(BaseModel):
    inputs: list[ObjectId] = Field(json_schema_extra=_BATCH)
    properties: list[str] = []
    propertiesWithHistory: list[str] = []  # accepted; Consentry keeps no property history
    idProperty: str | None = None


class BatchUpdateInput(BaseModel):
    id: str
    properties: dict[str, PropertyValue]
    idProperty: str | None = None


class BatchUpdate(BaseModel):
    inputs: list[BatchUpdateInput] = Field(json_schema_extra=_BATCH)


class BatchArchive(BaseModel):
    inputs: list[ObjectId] = Field(json_schema_extra=_BATCH)


class SearchFilter(BaseModel):
    propertyName: str
    operator: str = Field(json_schema_extra={"enum": [operator.value for operator in Operator]})
    value: FilterValue | None = None
    values: list[FilterValue] | None = None
    highValue: FilterValue | None = None


class SearchFilterGroup(BaseModel):
    filters: list[SearchFilter] = Field(json_schema_extra={"maxItems": MAX_FILTERS_PER_GROUP})


class SearchSort(BaseModel):
    propertyName: str
    direction: str = Field("ASCENDING", json_schema_extra={"enum": ["ASCENDING", "DESCENDING"]})


class SearchBody(BaseModel):
    """PublicObjectSearchRequest. `sorts` items are a property name (`-name` descending) or
    an object."""

    filterGroups: list[SearchFilterGroup] = Field(
        default_factory=list, json_schema_extra={"maxItems": MAX_GROUPS}
    )
    sorts: list[str | SearchSort] = []
    query: str | None = None
    properties: list[str] = []
    limit: StrictInt = 10
    after: str | StrictInt | None = None


class Contact(BaseModel):
    """SimplePublicObject. `archivedAt` only on archived contacts."""

    id: str
    properties: dict[str, str | None]
    createdAt: str = Field(examples=["2024-06-05T13:39:29.495Z"])
    updatedAt: str = Field(examples=["2024-06-05T13:39:29.495Z"])
    archived: bool
    archivedAt: str | None = None


class NextPage(BaseModel):
    after: str
    link: str | None = None


class Paging(BaseModel):
    next: NextPage | None = None


class ContactPage(BaseModel):
    results: list[Contact]
    paging: Paging | None = None


class SearchAnswer(BaseModel):
    total: int
    results: list[Contact]
    paging: Paging | None = None


class StandardError(BaseModel):
    """One failed input of a batch."""

    status: Literal["error"] = "error"
    id: str | None = None
    category: str
    subCategory: str | None = None
    message: str
    errors: list[dict[str, Any]] = []
    context: dict[str, list[str]] = {}
    links: dict[str, str] = {}


class BatchAnswer(BaseModel):
    """BatchResponseSimplePublicObject, or ...WithErrors (207) when some inputs failed."""

    status: Literal["PENDING", "PROCESSING", "CANCELED", "COMPLETE"] = "COMPLETE"
    results: list[Contact]
    requestedAt: str | None = None
    startedAt: str
    completedAt: str
    links: dict[str, str] | None = None
    errors: list[StandardError] | None = None
    numErrors: int | None = None
