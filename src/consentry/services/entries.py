"""The fields every ledger entry of a change shares, filled from its request."""

from datetime import datetime
from typing import Any, TypeVar

from consentry.domain import Decision, SubscriberId
from consentry.services.changes import InputError, Provenance

R = TypeVar("R")


def entry_fields(
    subscriber: SubscriberId, subscriber_id: int, provenance: Provenance, occurred_at: datetime
) -> dict[str, Any]:
    return {
        "occurred_at": occurred_at,
        "channel": subscriber.channel.value,
        "subscriber_id": subscriber_id,
        "subscriber_key": subscriber.key,
        "address": subscriber.address,
        "contact_id": provenance.contact_id,
        "actor_kind": provenance.actor.kind.value,
        "actor_id": provenance.actor.id,
        "source": provenance.source.value,
        "evidence": dict(provenance.evidence),
    }


def legal_basis_on_record(decision: Decision, provenance: Provenance) -> str | None:
    """The basis on record: the one given, or the one the rulebook supplied (consent)."""
    basis = decision.legal_basis or provenance.legal_basis
    return basis.value if basis else None


def single(results: list[R | InputError]) -> R:
    (result,) = results
    if isinstance(result, InputError):
        raise result.error
    return result
