"""The event log: status changes, contact changes and imports appear once each, in commit order,
and a consumer's handling and its cursor commit together."""

import pytest
from sqlalchemy import Connection, Engine

from consentry import services
from consentry.domain import Channel, Status
from consentry.domain.events import Event, EventType, Position
from consentry.services import contacts, events
from tests.integration.helpers import MARKETING, change, provenance


def _all(engine: Engine, consumer: str = "test") -> list[Event]:
    seen: list[Event] = []

    def keep(_: Connection, found: list[Event]) -> None:
        seen.extend(found)

    while events.consume(engine, consumer, keep, limit=3):
        pass
    return seen


def test_status_and_contact_changes_become_events_in_order(engine: Engine) -> None:
    contact = contacts.create(engine, {"email": "ada@example.com", "firstname": "Ada"})
    services.set_statuses(
        engine,
        [
            change("ada@example.com", Status.SUBSCRIBED),
            change("bob@example.com", Status.UNSUBSCRIBED),
            change("bob@example.com", Status.UNSUBSCRIBED),  # no change: no event
        ],
    )
    services.unsubscribe_all(engine, "cy@example.com", Channel.EMAIL, None, provenance())
    contacts.update(engine, str(contact.id), {"firstname": "Augusta"})
    contacts.update(engine, str(contact.id), {"firstname": "Augusta"})  # the same value: no event
    contacts.archive(engine, str(contact.id))
    contacts.archive(engine, str(contact.id))  # already archived: no event

    seen = _all(engine)

    assert [(e.type, e.data.get("address")) for e in seen] == [
        (EventType.CONTACT_CREATED, None),
        (EventType.STATUS_CHANGED, "ada@example.com"),
        (EventType.STATUS_CHANGED, "bob@example.com"),
        (EventType.UNSUBSCRIBED_ALL, "cy@example.com"),
        # the wide opt-out records each covered type too (PRODUCT.md)
        *[(EventType.STATUS_CHANGED, "cy@example.com")] * (len(seen) - 6),
        (EventType.CONTACT_UPDATED, None),
        (EventType.CONTACT_ARCHIVED, None),
    ]
    assert len({e.id for e in seen}) == len(seen)
    first_status = seen[1]
    assert first_status.data["status"] == Status.SUBSCRIBED
    assert first_status.data["subscriptionTypeId"] == MARKETING
    assert seen[3].data["unsubscribedFromAll"] is True
    assert seen[-2].data["properties"] == {"firstname": "Augusta"}
    assert seen[0].contact_id == int(contact.id)
    assert _all(engine) == []  # the cursor moved past everything


def test_a_failed_handler_moves_no_cursor(engine: Engine) -> None:
    contacts.create(engine, {"email": "ada@example.com"})

    def broken(_: Connection, found: list[Event]) -> None:
        raise RuntimeError("receiver down")

    with pytest.raises(RuntimeError):
        events.consume(engine, "test", broken)
    assert [e.type for e in _all(engine)] == [EventType.CONTACT_CREATED]


def test_a_large_ledger_range_is_read_in_parts(engine: Engine) -> None:
    addresses = [f"p{n}@example.com" for n in range(10)]
    services.set_statuses(engine, [change(a, Status.UNSUBSCRIBED) for a in addresses])
    with engine.connect() as connection:
        part, position = events.read(connection, Position(), limit=4)
        assert [e.data["address"] for e in part] == addresses[:4]
        rest, end = events.read(connection, position, limit=100)
        assert [e.data["address"] for e in rest] == addresses[4:]
        assert end == events.end_position(connection)
        assert events.read(connection, end, limit=100) == ([], end)
