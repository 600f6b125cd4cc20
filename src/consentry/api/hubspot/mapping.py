"""From the services' answers to HubSpot's shapes, and the request facts every write records."""

from datetime import datetime
from typing import Any

from fastapi import Request

from consentry.api.errors import ApiError, domain_error_parts
from consentry.api.hubspot.shapes import (
    PublicStatus,
    PublicWideStatus,
    StandardError,
    SubscriptionDefinition,
    SubscriptionTranslation,
)
from consentry.domain import (
    Actor,
    ActorKind,
    Channel,
    Decision,
    LegalBasis,
    Outcome,
    Source,
    Status,
    SubscriptionType,
)
from consentry.services import ChangeResult, InputError, Provenance, TypeStatus
from consentry.services.reading import WideStatus
from consentry.services.tokens import ApiToken

MAX_BATCH_INPUTS = 1_000
NOT_SET = "Not set"  # the source shown for a status nobody has set yet


def definition(type_: SubscriptionType, *, translations: bool = False) -> SubscriptionDefinition:
    assert type_.created_at is not None and type_.updated_at is not None
    result = SubscriptionDefinition(
        id=str(type_.id),
        name=type_.name,
        description=type_.description,
        purpose=type_.purpose,
        communicationMethod=type_.communication_method,
        isActive=type_.is_active,
        isDefault=type_.is_default,
        isInternal=type_.is_internal,
        createdAt=type_.created_at,
        updatedAt=type_.updated_at,
        businessUnitId=type_.business_unit_id,
    )
    if translations:
        millis = int(type_.updated_at.timestamp() * 1000)
        result.subscriptionTranslations = [
            SubscriptionTranslation(
                subscriptionId=type_.id,
                languageCode=t.language_code,
                name=t.name,
                description=t.description,
                createdAt=millis,
                updatedAt=millis,
            )
            for t in type_.translations
        ]
    return result


def read_status(channel: Channel, subscriber: str, item: TypeStatus, now: datetime) -> PublicStatus:
    return _public_status(channel, subscriber, item.subscription_type, item.status, item, now)


def written_status(result: ChangeResult, now: datetime) -> PublicStatus:
    """The status that stands after a change, with the rulebook's success reason."""
    status = _public_status(
        result.subscriber.channel,
        result.subscriber.key,
        result.subscription_type,
        result.status,
        result,
        now,
    )
    status.setStatusSuccessReason = result.decision.reason
    return status


def _public_status(
    channel: Channel,
    subscriber: str,
    type_: SubscriptionType,
    status: Status,
    stored: TypeStatus | ChangeResult,
    now: datetime,
) -> PublicStatus:
    return PublicStatus(
        channel=channel,
        subscriberIdString=subscriber,
        subscriptionId=type_.id,
        subscriptionName=type_.name,
        status=status,
        source=stored.source.display_text if stored.source else NOT_SET,
        timestamp=stored.occurred_at or now,  # never set: the time of the answer
        businessUnitId=type_.business_unit_id,
        legalBasis=stored.legal_basis,
        legalBasisExplanation=stored.legal_basis_explanation,
    )


def wide_status(channel: Channel, subscriber: str, wide: WideStatus) -> PublicWideStatus:
    return PublicWideStatus(
        channel=channel,
        subscriberIdString=subscriber,
        wideStatusType=wide.wide_type,
        businessUnitId=wide.business_unit_id,
        timestamp=wide.occurred_at,
    )


def refused(decision: Decision, subscriber: str, subscription_id: int | None = None) -> ApiError:
    """A refusal by the rulebook as a 400: it is recorded in the ledger all the same."""
    context = {"subscriberIdString": [subscriber]}
    if subscription_id is not None:
        context["subscriptionId"] = [str(subscription_id)]
    return ApiError(
        400,
        "VALIDATION_ERROR",
        decision.message,
        sub_category=decision.refusal.value if decision.refusal else None,
        context=context,
    )


def refusal_item(
    decision: Decision, subscriber: str, subscription_id: int | None = None
) -> StandardError:
    error = refused(decision, subscriber, subscription_id)
    return StandardError(
        category=error.category,
        subCategory=error.sub_category,
        message=error.message,
        context=error.context or {},
    )


def input_error_item(error: InputError) -> StandardError:
    _, category, details = domain_error_parts(error.error)
    return StandardError.model_validate(
        {
            "category": category,
            "message": error.error.message,
            "errors": details,
            "context": {"subscriberIdString": [error.address]},
        }
    )


def is_refused(decision: Decision) -> bool:
    return decision.outcome is Outcome.REFUSED


def provenance(
    request: Request,
    token: ApiToken,
    *,
    source: Source = Source.API,
    legal_basis: LegalBasis | None = None,
    explanation: str | None = None,
) -> Provenance:
    evidence: dict[str, Any] = {"user_agent": request.headers.get("user-agent", "")[:500]}
    if request.client:
        evidence["ip"] = request.client.host
    return Provenance(
        source,
        Actor(ActorKind.API_TOKEN, str(token.id)),
        legal_basis,
        explanation,
        evidence=evidence,
    )


def with_basis(
    base: Provenance, legal_basis: LegalBasis | None, explanation: str | None
) -> Provenance:
    """The request's provenance with one input's legal basis: the inputs of a batch share the
    request's evidence (read from its headers once)."""
    return Provenance(base.source, base.actor, legal_basis, explanation, evidence=base.evidence)


def check_batch_size(inputs: list[Any]) -> None:
    if not inputs:
        raise ApiError(
            400,
            "VALIDATION_ERROR",
            "inputs: at least one input is required.",
            errors=[{"message": "at least one input is required", "in": "inputs"}],
        )
    if len(inputs) > MAX_BATCH_INPUTS:
        raise ApiError(
            400,
            "VALIDATION_ERROR",
            f"inputs: at most {MAX_BATCH_INPUTS} inputs per call ({len(inputs)}"
            " given); split the batch.",
            errors=[{"message": f"at most {MAX_BATCH_INPUTS} inputs", "in": "inputs"}],
        )
