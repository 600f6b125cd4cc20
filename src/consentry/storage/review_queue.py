"""The review queue: inbound replies that might be a request to stop, until someone decides."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from consentry.domain.channels import Channel
from consentry.domain.review import Resolution
from consentry.storage.phone_tables import review_items


@dataclass(frozen=True)
class ReviewItem:
    id: int
    channel: Channel
    address: str
    body: str
    message_id: str | None
    provider: str
    received_at: datetime
    resolution: Resolution | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    ledger_id: int | None = None


def add(
    connection: Connection,
    channel: Channel,
    address: str,
    body: str,
    message_id: str | None,
    provider: str,
    now: datetime,
) -> int:
    result = connection.execute(
        review_items.insert()
        .values(
            channel=channel.value,
            address=address,
            body=body,
            message_id=message_id,
            provider=provider,
            received_at=now,
        )
        .returning(review_items.c.id)
    )
    return int(result.scalar_one())


def find_message(connection: Connection, provider: str, message_id: str) -> int | None:
    """The item already made from this provider message (a webhook delivered twice)."""
    query = select(review_items.c.id).where(
        review_items.c.provider == provider, review_items.c.message_id == message_id
    )
    found = connection.execute(query.limit(1)).scalar()
    return int(found) if found is not None else None


def get(connection: Connection, item_id: int, *, for_update: bool = False) -> ReviewItem | None:
    query = select(review_items).where(review_items.c.id == item_id)
    if for_update and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    row = connection.execute(query).first()
    return _item(row) if row is not None else None


def list_items(
    connection: Connection, *, open_only: bool = True, after: int = 0, limit: int = 100
) -> list[ReviewItem]:
    query = select(review_items).where(review_items.c.id > after)
    if open_only:
        query = query.where(review_items.c.resolution.is_(None))
    rows = connection.execute(query.order_by(review_items.c.id).limit(limit))
    return [_item(row) for row in rows]


def resolve(
    connection: Connection,
    item_id: int,
    resolution: Resolution,
    by: str,
    now: datetime,
    ledger_id: int | None,
) -> None:
    connection.execute(
        review_items.update()
        .where(review_items.c.id == item_id)
        .values(resolution=resolution.value, resolved_at=now, resolved_by=by, ledger_id=ledger_id)
    )


def _item(row: object) -> ReviewItem:
    values = row._mapping  # type: ignore[attr-defined]
    return ReviewItem(
        id=values["id"],
        channel=Channel(values["channel"]),
        address=values["address"],
        body=values["body"],
        message_id=values["message_id"],
        provider=values["provider"],
        received_at=values["received_at"],
        resolution=Resolution(values["resolution"]) if values["resolution"] else None,
        resolved_at=values["resolved_at"],
        resolved_by=values["resolved_by"],
        ledger_id=values["ledger_id"],
    )
