"""Use cases of the review queue: inbound replies that might be a request to stop wait here
until a person resolves them as an opt-out (recorded like the keyword would have been, with
the reviewer as actor) or dismisses them. Also: stop requests that came some other way."""

from sqlalchemy import Connection, Engine

from consentry.domain import Actor, Channel, Conflict, NotFound, Source
from consentry.domain.keywords import keyword_source
from consentry.domain.review import Resolution, StopRequestVia
from consentry.services.changes import Provenance
from consentry.services.keywords import opt_out
from consentry.services.unit_of_work import UnitOfWork
from consentry.services.writing import utcnow
from consentry.storage import review_queue
from consentry.storage.review_queue import ReviewItem

MAX_PAGE = 500


def list_review(
    engine: Engine, *, open_only: bool = True, after: int = 0, limit: int = 100
) -> list[ReviewItem]:
    with UnitOfWork(engine) as uow:
        return review_queue.list_items(
            uow.connection, open_only=open_only, after=after, limit=min(max(limit, 1), MAX_PAGE)
        )


def resolve_review(engine: Engine, item_id: int, resolution: Resolution, by: Actor) -> ReviewItem:
    """Resolve one open item; an unknown item is NotFound, a resolved one a Conflict."""
    item = _open_item(engine, item_id)
    if resolution is Resolution.DISMISSED:
        with UnitOfWork(engine, write=True, ledger=False) as uow:
            _mark(uow.connection, item_id, resolution, by, None)
            uow.commit()
        return _get(engine, item_id)
    provenance = Provenance(
        source=keyword_source(item.channel),
        actor=by,
        explanation="Resolved from the review queue as a request to stop.",
        evidence={
            "body": item.body,
            "provider": item.provider,
            "message_id": item.message_id or "",
            "review_item": str(item.id),
        },
    )

    def mark(connection: Connection, ledger_ids: list[int]) -> None:
        _mark(connection, item_id, resolution, by, ledger_ids[0] if ledger_ids else None)

    opt_out(engine, item.address, item.channel, provenance, before_commit=mark)
    return _get(engine, item_id)


def record_stop_request(
    engine: Engine,
    number: str,
    channel: Channel,
    via: StopRequestVia,
    evidence_text: str,
    actor: Actor,
    source: Source = Source.USER,
) -> tuple[int, ...]:
    """A stop request by phone call, email or ticket: it opts the number out of every type of
    that channel, as a keyword would. Returns the ledger ids written."""
    provenance = Provenance(
        source=source,
        actor=actor,
        explanation=f"Stop request received by {via.value.lower().replace('_', ' ')}.",
        evidence={"via": via.value, "text": evidence_text},
    )
    return opt_out(engine, number, channel, provenance)


def _open_item(engine: Engine, item_id: int) -> ReviewItem:
    item = _get(engine, item_id)
    if item.resolution is not None:
        raise Conflict(
            f"Review item {item_id} is already resolved ({item.resolution.value}).",
            field="itemId",
        )
    return item


def _get(engine: Engine, item_id: int) -> ReviewItem:
    with UnitOfWork(engine) as uow:
        item = review_queue.get(uow.connection, item_id)
    if item is None:
        raise NotFound(f"Review item {item_id} does not exist.", field="itemId")
    return item


def _mark(
    connection: Connection,
    item_id: int,
    resolution: Resolution,
    by: Actor,
    ledger_id: int | None,
) -> None:
    # Re-read inside the writing transaction: two reviewers resolving at once, one wins.
    current = review_queue.get(connection, item_id, for_update=True)
    if current is None or current.resolution is not None:
        raise Conflict(f"Review item {item_id} is already resolved.", field="itemId")
    review_queue.resolve(connection, item_id, resolution, str(by), utcnow(), ledger_id)
