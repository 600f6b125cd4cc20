"""Communication Preferences v4 (`/communication-preferences/v4`), as HubSpot shapes it.

Consentry also takes `SMS` and `WHATSAPP` as `channel`, with E.164 numbers as subscribers.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Query, Request, Response

from consentry import services
from consentry.api.auth import TokenDep, requires
from consentry.api.dependencies import ConfigDep, EngineDep
from consentry.api.errors import correlation_id
from consentry.api.hubspot import mapping
from consentry.api.hubspot.shapes import (
    MAX_ID,
    BatchInput,
    Envelope,
    Links,
    LinksRequest,
    PartialPublicStatusRequest,
    PublicStatus,
    PublicStatusRequest,
    PublicWideStatus,
    StandardError,
    Subscriber,
    SubscriberStatuses,
    SubscriberWideStatuses,
    SubscriptionDefinition,
)
from consentry.domain import Channel, Scope
from consentry.domain.statuses import covers
from consentry.services import InputError, StatusChange, WideChange
from consentry.services import links as services_links

T = TypeVar("T")

router = APIRouter(prefix="/communication-preferences/v4", tags=["Communication preferences v4"])

READ = requires(Scope.PREFERENCES_READ)
WRITE = requires(Scope.PREFERENCES_WRITE)
BATCH_READ = requires(Scope.STATUSES_BATCH_READ)
BATCH_WRITE = requires(Scope.STATUSES_BATCH_WRITE)

ChannelQuery = Annotated[Channel, Query(description="EMAIL, SMS or WHATSAPP.")]
UnitQuery = Annotated[int, Query(ge=0, le=MAX_ID, description="Business unit; 0 is the account.")]
VerboseQuery = Annotated[bool, Query(description="Answer with the statuses that changed.")]


def _partial(model: type) -> dict[int | str, dict[str, Any]]:
    return {
        207: {
            "model": model,
            "description": "Some inputs failed: `errors` names each, the rest applied.",
        }
    }


def _now() -> datetime:
    return datetime.now(UTC)


def _envelope(
    results: Sequence[Any], started: datetime, errors: list[StandardError] | None = None
) -> Response:
    """HubSpot's envelope; with errors it carries them and the answer becomes 207.

    Serialised here, once, straight to JSON: FastAPI's own path would dump the model to a dict,
    validate it again and encode it a third time, which for a batch of 1,000 costs more than
    reading the statuses. The route's `response_model` still documents the shape.
    """
    envelope: Envelope[Any] = Envelope(results=list(results), startedAt=started, completedAt=_now())
    if errors:
        envelope.errors = errors
        envelope.numErrors = len(errors)
    return Response(
        envelope.model_dump_json(by_alias=True, exclude_unset=True),
        status_code=207 if errors else 200,
        media_type="application/json",
    )


@router.get(
    "/definitions",
    dependencies=[READ],
    response_model=Envelope[SubscriptionDefinition],
    response_model_exclude_unset=True,
)
def definitions(
    engine: EngineDep, businessUnitId: UnitQuery = 0, includeTranslations: bool = False
) -> Response:
    """Every subscription type of a business unit."""
    started = _now()
    types = services.list_types(
        engine, business_unit_id=businessUnitId, with_translations=includeTranslations
    )
    results = [mapping.definition(t, translations=includeTranslations) for t in types]
    return _envelope(results, started)


# Batch routes first: "/statuses/batch/…" would otherwise match "/statuses/{subscriberIdString}/…".
@router.post(
    "/statuses/batch/read",
    dependencies=[BATCH_READ],
    response_model=Envelope[SubscriberStatuses],
    response_model_exclude_unset=True,
    responses=_partial(Envelope[SubscriberStatuses]),
)
def batch_read(
    body: BatchInput[Subscriber],
    engine: EngineDep,
    channel: ChannelQuery,
    businessUnitId: UnitQuery = 0,
) -> Response:
    """Statuses of up to 1,000 addresses in one call."""
    started = _now()
    mapping.check_batch_size(body.inputs)
    results, errors = [], []
    for item in services.read_statuses_batch(engine, body.inputs, channel, businessUnitId):
        if isinstance(item, InputError):
            errors.append(mapping.input_error_item(item))
            continue
        key = item.subscriber.key
        results.append(
            SubscriberStatuses(
                subscriberIdString=key,
                statuses=[mapping.read_status(channel, key, s, started) for s in item.statuses],
            )
        )
    return _envelope(results, started, errors)


@router.post(
    "/statuses/batch/write",
    dependencies=[BATCH_WRITE],
    response_model=Envelope[PublicStatus],
    response_model_exclude_unset=True,
    responses=_partial(Envelope[PublicStatus]),
)
def batch_write(
    body: BatchInput[PublicStatusRequest],
    request: Request,
    engine: EngineDep,
    token: TokenDep,
) -> Response:
    """Up to 1,000 status changes in one transaction; refusals and bad inputs answer 207."""
    started = _now()
    mapping.check_batch_size(body.inputs)
    base = mapping.provenance(request, token)
    changes = [
        StatusChange(
            i.subscriberIdString,
            i.channel,
            i.subscriptionId,
            i.statusState,
            mapping.with_basis(base, i.legalBasis, i.legalBasisExplanation),
        )
        for i in body.inputs
    ]
    results, errors = [], []
    for item in services.set_statuses(engine, changes, request_id=correlation_id(request)):
        if isinstance(item, InputError):
            errors.append(mapping.input_error_item(item))
        elif mapping.is_refused(item.decision):
            errors.append(
                mapping.refusal_item(item.decision, item.subscriber.key, item.subscription_type.id)
            )
        else:
            results.append(mapping.written_status(item, started))
    return _envelope(results, started, errors)


@router.post(
    "/statuses/batch/unsubscribe-all",
    dependencies=[BATCH_WRITE],
    response_model=Envelope[SubscriberStatuses],
    response_model_exclude_unset=True,
    responses=_partial(Envelope[SubscriberStatuses]),
)
def batch_unsubscribe_all(
    body: BatchInput[Subscriber],
    request: Request,
    engine: EngineDep,
    token: TokenDep,
    channel: ChannelQuery,
    businessUnitId: UnitQuery = 0,
    verbose: VerboseQuery = False,
) -> Response:
    """Unsubscribe up to 1,000 addresses from all, in one transaction."""
    started = _now()
    mapping.check_batch_size(body.inputs)
    provenance = mapping.provenance(request, token)
    changes = [
        WideChange(address, channel, businessUnitId, True, provenance) for address in body.inputs
    ]
    results, errors = [], []
    for item in services.set_wide_statuses(engine, changes, request_id=correlation_id(request)):
        if isinstance(item, InputError):
            errors.append(mapping.input_error_item(item))
            continue
        entry = SubscriberStatuses(subscriberIdString=item.subscriber.key)
        if verbose:
            entry.statuses = [mapping.written_status(r, started) for r in item.type_results]
        results.append(entry)
    return _envelope(results, started, errors)


@router.post(
    "/statuses/batch/unsubscribe-all/read",
    dependencies=[BATCH_READ],
    response_model=Envelope[SubscriberWideStatuses],
    response_model_exclude_unset=True,
    responses=_partial(Envelope[SubscriberWideStatuses]),
)
def batch_unsubscribe_all_read(
    body: BatchInput[Subscriber],
    engine: EngineDep,
    channel: ChannelQuery,
    businessUnitId: Annotated[
        int | None, Query(ge=0, le=MAX_ID, description="Omitted: all units.")
    ] = None,
) -> Response:
    """The wide opt-outs of up to 1,000 addresses (all units when no unit is named)."""
    started = _now()
    mapping.check_batch_size(body.inputs)
    results, errors = [], []
    for item in services.read_statuses_batch(engine, body.inputs, channel):
        if isinstance(item, InputError):
            errors.append(mapping.input_error_item(item))
            continue
        wide = [
            w
            for w in item.wide_opt_outs
            if businessUnitId is None or covers(w.wide_type, w.business_unit_id, businessUnitId)
        ]
        results.append(
            SubscriberWideStatuses(
                subscriberIdString=item.subscriber.key,
                wideStatuses=[mapping.wide_status(channel, item.subscriber.key, w) for w in wide],
            )
        )
    return _envelope(results, started, errors)


@router.get(
    "/statuses/{subscriberIdString}",
    dependencies=[READ],
    response_model=Envelope[PublicStatus],
    response_model_exclude_unset=True,
)
def get_statuses(
    subscriberIdString: str,
    engine: EngineDep,
    channel: ChannelQuery,
    businessUnitId: UnitQuery = 0,
) -> Response:
    """An address's status for every type of the unit on the channel."""
    started = _now()
    view = services.read_statuses(engine, subscriberIdString, channel, businessUnitId)
    key = view.subscriber.key
    return _envelope(
        [mapping.read_status(channel, key, item, started) for item in view.statuses], started
    )


@router.post(
    "/statuses/{subscriberIdString}",
    dependencies=[WRITE],
    response_model=Envelope[PublicStatus],
    response_model_exclude_unset=True,
)
def set_status(
    subscriberIdString: str,
    body: PartialPublicStatusRequest,
    request: Request,
    engine: EngineDep,
    token: TokenDep,
) -> Response:
    """Set one type's status; resubscribing needs `legalBasis` and `legalBasisExplanation`."""
    started = _now()
    change = StatusChange(
        subscriberIdString,
        body.channel,
        body.subscriptionId,
        body.statusState,
        mapping.provenance(
            request, token, legal_basis=body.legalBasis, explanation=body.legalBasisExplanation
        ),
    )
    result = services.set_status(engine, change, request_id=correlation_id(request))
    if mapping.is_refused(result.decision):
        raise mapping.refused(result.decision, result.subscriber.key, body.subscriptionId)
    return _envelope([mapping.written_status(result, started)], started)


@router.get(
    "/statuses/{subscriberIdString}/unsubscribe-all",
    dependencies=[READ],
    response_model=Envelope[PublicWideStatus],
    response_model_exclude_unset=True,
)
def get_unsubscribe_all(
    subscriberIdString: str,
    engine: EngineDep,
    channel: ChannelQuery,
    businessUnitId: UnitQuery = 0,
    verbose: VerboseQuery = False,
) -> Response:
    """The address's "unsubscribe from all" in force for the unit (empty when none)."""
    started = _now()
    view = services.read_statuses(engine, subscriberIdString, channel)
    wide = [
        w for w in view.wide_opt_outs if covers(w.wide_type, w.business_unit_id, businessUnitId)
    ]
    return _envelope([mapping.wide_status(channel, view.subscriber.key, w) for w in wide], started)


@router.post(
    "/statuses/{subscriberIdString}/unsubscribe-all",
    dependencies=[WRITE],
    response_model=Envelope[PublicStatus],
    response_model_exclude_unset=True,
)
def unsubscribe_all(
    subscriberIdString: str,
    request: Request,
    engine: EngineDep,
    token: TokenDep,
    channel: ChannelQuery,
    businessUnitId: UnitQuery = 0,
    verbose: VerboseQuery = False,
) -> Response:
    """Unsubscribe the address from every type of the unit (or the account)."""
    started = _now()
    result = services.unsubscribe_all(
        engine,
        subscriberIdString,
        channel,
        businessUnitId,
        mapping.provenance(request, token),
        request_id=correlation_id(request),
    )
    if mapping.is_refused(result.decision):
        raise mapping.refused(result.decision, result.subscriber.key)
    statuses = [mapping.written_status(r, started) for r in result.type_results] if verbose else []
    return _envelope(statuses, started)


@router.post(
    "/links/generate", dependencies=[WRITE], response_model=Links, response_model_exclude_unset=True
)
def generate_links(
    body: LinksRequest,
    engine: EngineDep,
    config: ConfigDep,
    channel: ChannelQuery,
    businessUnitId: UnitQuery = 0,
) -> Links:
    """Signed personal links: manage preferences, unsubscribe from all, and (with
    `subscriptionId`) unsubscribe from one type. Valid for 180 days."""
    links = services_links.generate_links(
        engine,
        body.subscriberIdString,
        channel,
        secret=config.secret(),
        public_url=config.public_url,
        business_unit_id=businessUnitId,
        subscription_type_id=body.subscriptionId,
        language=body.language,
    )
    answer = Links(
        subscriberIdString=links.subscriber,
        managePreferencesUrl=links.manage_preferences_url,
        unsubscribeAllUrl=links.unsubscribe_all_url,
    )
    if links.unsubscribe_single_url is not None:
        answer.unsubscribeSingleUrl = links.unsubscribe_single_url
    return answer
