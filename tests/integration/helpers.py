"""Small builders for service-level tests."""

from datetime import datetime

from consentry import services
from consentry.domain import Actor, ActorKind, Channel, LegalBasis, Source, Status

USER = Actor(ActorKind.USER, "tester")
MARKETING, ONE_TO_ONE, CUSTOMER_SERVICE = 1, 2, 3  # the default types the first migration seeds


def provenance(
    source: Source = Source.USER,
    *,
    basis: LegalBasis | None = None,
    explanation: str | None = None,
    at: datetime | None = None,
    notice: str | None = None,
) -> services.Provenance:
    return services.Provenance(
        source, USER, basis, explanation, at, evidence={"ip": "127.0.0.1"}, notice_text=notice
    )


def change(
    address: str,
    status: Status,
    source: Source = Source.USER,
    type_id: int = MARKETING,
    channel: Channel = Channel.EMAIL,
    **kwargs: object,
) -> services.StatusChange:
    return services.StatusChange(address, channel, type_id, status, provenance(source, **kwargs))  # type: ignore[arg-type]
