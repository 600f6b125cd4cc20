"""HubSpot's Communication Preferences wire shapes, field for field (HUBSPOT-API.md).

Field names are HubSpot's camelCase on purpose: these classes are the wire, nothing else.
Optional fields a route does not set are left out of the answer (routes use
`response_model_exclude_unset`), while fields HubSpot always sends, like `legalBasis`, are set
to null explicitly.
"""

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Generic, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer

from consentry.domain import Channel, LegalBasis, Status, SuccessReason, WideType


def hubspot_time(moment: datetime) -> str:
    """ISO-8601 UTC with milliseconds: 2024-06-05T13:39:29.495Z."""
    # isoformat is several times quicker than strftime, and batches format thousands of times.
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


Time = Annotated[datetime, PlainSerializer(hubspot_time, return_type=str)]
T = TypeVar("T")
MAX_ID = 2**31 - 1  # ids are 32-bit in the database; larger numbers can name nothing
# Strict: pydantic's lax mode would read `true` as 1 and "7" as 7; the wire says integer.
Id = Annotated[int, Field(ge=0, le=MAX_ID, strict=True)]


def _unicode(value: str) -> str:
    """A lone UTF-16 surrogate (JSON's \\u escapes can spell one) is no text: no database
    stores it and no answer that quotes it back can be written, so the request is refused."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("is not valid Unicode text (a lone surrogate)") from None
    return value


def _storable(value: str) -> str:
    """Free text is stored as given, but PostgreSQL text cannot hold a NUL either."""
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return _unicode(value)


Explanation = Annotated[str, Field(max_length=10_000), AfterValidator(_storable)]
# An address as given; what it may contain is the normaliser's to judge (per input, in batches).
Subscriber = Annotated[str, AfterValidator(_unicode)]


class Wire(BaseModel):
    # Unknown JSON fields are ignored, as HubSpot does.
    model_config = ConfigDict(extra="ignore")


class AlwaysSent(Wire):
    """A shape with fields sent even when left at their default (answers leave out unset
    optional fields). Only these shapes pay for the post-init hook: batches build thousands of
    the others."""

    ALWAYS: ClassVar[frozenset[str]] = frozenset()

    def model_post_init(self, context: Any, /) -> None:
        self.__pydantic_fields_set__.update(self.ALWAYS)


# --- v4 ----------------------------------------------------------------------------------------


class SubscriptionTranslation(Wire):
    subscriptionId: int
    languageCode: str
    name: str
    description: str
    createdAt: int  # epoch milliseconds, as HubSpot sends them here
    updatedAt: int


class SubscriptionDefinition(Wire):
    id: str
    name: str
    description: str
    purpose: str
    communicationMethod: str
    isActive: bool
    isDefault: bool
    isInternal: bool
    createdAt: Time
    updatedAt: Time
    businessUnitId: int
    subscriptionTranslations: list[SubscriptionTranslation] | None = None


class PartialPublicStatusRequest(Wire):
    channel: Channel
    statusState: Status
    subscriptionId: Id
    legalBasis: LegalBasis | None = None
    legalBasisExplanation: Explanation | None = None


class PublicStatusRequest(PartialPublicStatusRequest):
    subscriberIdString: Subscriber = Field(max_length=400)


class PublicStatus(Wire):
    channel: Channel
    subscriberIdString: str
    subscriptionId: int
    subscriptionName: str
    status: Status
    source: str
    timestamp: Time
    businessUnitId: int
    legalBasis: LegalBasis | None = None
    legalBasisExplanation: str | None = None
    setStatusSuccessReason: SuccessReason | None = None


class PublicWideStatus(AlwaysSent):
    ALWAYS = frozenset({"status"})
    channel: Channel
    subscriberIdString: str
    status: Literal["UNSUBSCRIBED"] = "UNSUBSCRIBED"
    wideStatusType: WideType
    businessUnitId: int
    timestamp: Time


class SubscriberStatuses(Wire):
    subscriberIdString: str
    statuses: list[PublicStatus] | None = None


class SubscriberWideStatuses(Wire):
    subscriberIdString: str
    wideStatuses: list[PublicWideStatus]


class ErrorDetail(Wire):
    message: str
    code: str | None = None
    in_: str | None = Field(default=None, alias="in")
    subCategory: str | None = None
    context: dict[str, list[str]] | None = None


class StandardError(AlwaysSent):
    ALWAYS = frozenset({"status", "errors", "context", "links"})
    status: Literal["error"] = "error"
    id: str | None = None
    category: str
    subCategory: str | None = None
    message: str
    errors: list[ErrorDetail] = []
    context: dict[str, list[str]] = {}
    links: dict[str, str] = {}


class Envelope(AlwaysSent, Generic[T]):
    ALWAYS = frozenset({"status"})
    status: Literal["COMPLETE"] = "COMPLETE"
    results: list[T]
    startedAt: Time
    completedAt: Time
    requestedAt: Time | None = None
    links: dict[str, str] | None = None
    errors: list[StandardError] | None = None
    numErrors: int | None = None


class BatchInput(Wire, Generic[T]):
    inputs: list[T]


class LinksRequest(Wire):
    subscriberIdString: Subscriber = Field(max_length=400)
    language: str | None = Field(default=None, max_length=20)
    subscriptionId: Id | None = None


class Links(Wire):
    subscriberIdString: str
    managePreferencesUrl: str
    unsubscribeAllUrl: str
    unsubscribeSingleUrl: str | None = None


# --- v3 ----------------------------------------------------------------------------------------


class V3Definitions(Wire):
    subscriptionDefinitions: list[SubscriptionDefinition]


class V3UpdateRequest(Wire):
    emailAddress: str = Field(max_length=400)
    subscriptionId: str = Field(max_length=20)
    legalBasis: LegalBasis | None = None
    legalBasisExplanation: Explanation | None = None


class V3Status(Wire):
    id: str
    name: str
    description: str
    status: Literal["SUBSCRIBED", "NOT_SUBSCRIBED"]
    sourceOfStatus: Literal["PORTAL_WIDE_STATUS", "BRAND_WIDE_STATUS", "SUBSCRIPTION_STATUS"]
    brandId: int | None = None
    preferenceGroupName: str | None = None
    legalBasis: LegalBasis | None = None
    legalBasisExplanation: str | None = None


class V3Recipient(Wire):
    recipient: str
    subscriptionStatuses: list[V3Status]


def dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True, exclude_unset=True)
