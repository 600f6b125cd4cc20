"""Communication Preferences v3 (`/communication-preferences/v3`): email only, single types.

v3 shows NOT_SPECIFIED as NOT_SUBSCRIBED, and a wide opt-out as every covered type
NOT_SUBSCRIBED with the wide source. It refuses to resubscribe an opted-out address.
"""

from fastapi import APIRouter, Request

from consentry import services
from consentry.api.auth import TokenDep, requires
from consentry.api.dependencies import EngineDep
from consentry.api.errors import ApiError, correlation_id
from consentry.api.hubspot import mapping
from consentry.api.hubspot.shapes import (
    MAX_ID,
    V3Definitions,
    V3Recipient,
    V3Status,
    V3UpdateRequest,
)
from consentry.domain import Channel, Scope, Source, Status, WideType
from consentry.domain.statuses import covers
from consentry.services import StatusChange, TypeStatus
from consentry.services.reading import SubscriberStatuses

router = APIRouter(prefix="/communication-preferences/v3", tags=["Communication preferences v3"])


@router.get(
    "/definitions",
    dependencies=[requires(Scope.PREFERENCES_READ)],
    response_model=V3Definitions,
    response_model_exclude_unset=True,
)
def definitions(engine: EngineDep) -> V3Definitions:
    """Every email subscription type."""
    types = services.list_types(engine, Channel.EMAIL)
    return V3Definitions(subscriptionDefinitions=[mapping.definition(t) for t in types])


@router.get(
    "/status/email/{emailAddress}",
    dependencies=[requires(Scope.PREFERENCES_READ)],
    response_model=V3Recipient,
    response_model_exclude_unset=True,
)
def status(emailAddress: str, engine: EngineDep) -> V3Recipient:
    """An email address's status for every email type."""
    view = services.read_statuses(engine, emailAddress, Channel.EMAIL)
    return V3Recipient(
        recipient=view.subscriber.key,
        subscriptionStatuses=[_v3_status(view, item) for item in view.statuses],
    )


@router.post(
    "/subscribe",
    dependencies=[requires(Scope.PREFERENCES_WRITE)],
    response_model=V3Status,
    response_model_exclude_unset=True,
)
def subscribe(
    body: V3UpdateRequest, request: Request, engine: EngineDep, token: TokenDep
) -> V3Status:
    """Subscribe an address to one type; an opted-out address cannot be resubscribed here."""
    return _change(body, Status.SUBSCRIBED, request, engine, token)


@router.post(
    "/unsubscribe",
    dependencies=[requires(Scope.PREFERENCES_WRITE)],
    response_model=V3Status,
    response_model_exclude_unset=True,
)
def unsubscribe(
    body: V3UpdateRequest, request: Request, engine: EngineDep, token: TokenDep
) -> V3Status:
    """Unsubscribe an address from one type."""
    return _change(body, Status.UNSUBSCRIBED, request, engine, token)


def _is_id(text: str) -> bool:
    # ASCII digits only: str.isdigit also takes "¹", which int() refuses.
    return text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= MAX_ID


def _change(
    body: V3UpdateRequest, status: Status, request: Request, engine: EngineDep, token: TokenDep
) -> V3Status:
    if not _is_id(body.subscriptionId):
        raise ApiError(
            400,
            "VALIDATION_ERROR",
            f"subscriptionId: {body.subscriptionId!r} is not a subscription id.",
            errors=[{"message": "not a number", "in": "subscriptionId"}],
        )
    type_id = int(body.subscriptionId)
    provenance = mapping.provenance(
        request,
        token,
        source=Source.API_V3,
        legal_basis=body.legalBasis,
        explanation=body.legalBasisExplanation,
    )
    result = services.set_status(
        engine,
        StatusChange(body.emailAddress, Channel.EMAIL, type_id, status, provenance),
        request_id=correlation_id(request),
    )
    if mapping.is_refused(result.decision):
        raise mapping.refused(result.decision, result.subscriber.key, type_id)
    view = services.read_statuses(engine, body.emailAddress, Channel.EMAIL)
    (item,) = [s for s in view.statuses if s.subscription_type.id == type_id]
    return _v3_status(view, item)


def _v3_status(view: SubscriberStatuses, item: TypeStatus) -> V3Status:
    type_ = item.subscription_type
    covering = [
        w
        for w in view.wide_opt_outs
        if covers(w.wide_type, w.business_unit_id, type_.business_unit_id)
    ]
    if covering:
        source = (
            "PORTAL_WIDE_STATUS"
            if any(w.wide_type is WideType.PORTAL_WIDE for w in covering)
            else "BRAND_WIDE_STATUS"
        )
    else:
        source = "SUBSCRIPTION_STATUS"
    subscribed = item.status is Status.SUBSCRIBED and not covering
    return V3Status(
        id=str(type_.id),
        name=type_.name,
        description=type_.description,
        status="SUBSCRIBED" if subscribed else "NOT_SUBSCRIBED",
        sourceOfStatus=source,
        brandId=type_.business_unit_id,
        legalBasis=item.legal_basis,
        legalBasisExplanation=item.legal_basis_explanation,
    )
