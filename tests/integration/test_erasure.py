"""Erasure (GDPR 17) on SQLite and PostgreSQL: the person's data goes, the chain still verifies,
the projection still equals the fold of the ledger, and the address coming back is suppressed."""

import json

import pytest
from sqlalchemy import Engine, func, select, text

from consentry import services
from consentry.domain import (
    Channel,
    EligibilityReason,
    InvalidAddress,
    InvalidInput,
    NotFound,
    Source,
    Status,
    SuppressionKind,
)
from consentry.domain.events import EventType
from consentry.services import contacts
from consentry.services.erasure import erase
from consentry.services.webhooks.fanout import fan_out
from consentry.services.webhooks.subscriptions import create_subscription
from consentry.storage import subscribers as subscriber_rows
from consentry.storage.tables import ledger, subscribers
from tests.integration.helpers import MARKETING, USER, change


def _dump(engine: Engine) -> str:
    """Every row of every table, as text: what a search of the database for an address sees."""
    lines: list[str] = []
    with engine.connect() as connection:
        names = (
            connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))
            if engine.dialect.name == "sqlite"
            else connection.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            )
        )
        for (name,) in list(names):
            for row in connection.execute(text(f'SELECT * FROM "{name}"')):
                lines.append(f"{name}: {json.dumps([str(v) for v in row])}")
    return "\n".join(lines)


def _person(engine: Engine) -> int:
    """Ann: a contact with an email and a phone number, statuses, a suppression, and webhook
    deliveries queued about her; and Bob, who must not be touched."""
    create_subscription(
        engine,
        url="https://receiver.example/hook",
        event_types=[EventType.STATUS_CHANGED.value, EventType.CONTACT_CREATED.value],
        created_by="tester",
    )
    contact = contacts.create(
        engine, {"email": "Ann.Lee@Example.com", "firstname": "Ann", "phone": "+1 415 555 0134"}
    )
    services.set_statuses(
        engine,
        [
            change("ann.lee@example.com", Status.SUBSCRIBED),
            change("ann.lee@example.com", Status.UNSUBSCRIBED, Source.PREFERENCE_CENTER),
        ],
    )
    services.record_suppression(
        engine, "ann.lee@example.com", Channel.EMAIL, SuppressionKind.HARD_BOUNCE, USER
    )
    services.set_statuses(engine, [change("bob@example.com", Status.SUBSCRIBED)])
    while fan_out(engine):
        pass
    return contact.id


def test_erasure_removes_the_person_and_keeps_the_chain_verifiable(engine: Engine) -> None:
    contact_id = _person(engine)
    before = services.verify_ledger(engine)
    person_before = _dump(engine).lower()

    report = erase(engine, " ANN.LEE@example.com ", USER, Source.USER)

    assert (report.subscribers, report.contacts) == (1, 1)
    assert report.addresses == 3  # the email, and the contact's phone on SMS and WhatsApp
    assert report.ledger_entries == 3 and report.statuses == 2
    dump = _dump(engine).lower()
    assert "ann.lee@example.com" in person_before  # the check below can fail
    assert person_before.count("webhook_deliveries: ") >= 4  # her events were queued to send
    for personal in ("lee@example.com", "firstname", "14155550134", "555 0134"):
        assert personal not in dump
    assert "bob@example.com" in dump  # nobody else's data goes
    with pytest.raises(NotFound):
        contacts.get(engine, str(contact_id))

    verified = services.verify_ledger(engine)
    assert verified.ok, verified.problem
    assert verified.checked == before.checked + 3  # one entry per erased address
    projection = services.check_projection(engine)
    assert projection.ok, projection.differences
    with engine.connect() as connection:
        erased = connection.execute(
            select(func.count()).select_from(ledger).where(ledger.c.erased_at.is_not(None))
        ).scalar_one()
    assert erased == 6


def test_the_address_coming_back_is_suppressed_and_refused_marketing(engine: Engine) -> None:
    _person(engine)
    erase(engine, "ann.lee@example.com", USER, Source.USER)

    # An old list imported again, and an API opt-in: the address is back, suppressed.
    services.set_statuses(engine, [change("Ann.Lee@example.com", Status.SUBSCRIBED, Source.IMPORT)])
    answer = services.check_eligibility(engine, "ann.lee@example.com", MARKETING)
    assert (answer.allowed, answer.reason) == (False, EligibilityReason.SUPPRESSED)
    suppressions = services.list_suppressions(engine, kind=SuppressionKind.ERASED).suppressions
    assert [s.subscriber.key for s in suppressions] == ["ann.lee@example.com"]
    entries = services.history(engine, "ann.lee@example.com", Channel.EMAIL).entries
    # A new subscriber: none of the erased person's entries reads as its history.
    assert [(e.action, e.suppression or e.new_status, e.source) for e in entries] == [
        ("SUPPRESS", "ERASED", "SYSTEM"),
        ("SET_STATUS", "SUBSCRIBED", "IMPORT"),
    ]
    # The phone number the contact held is remembered too.
    services.record_suppression(
        engine, "+1 (415) 555-0134", Channel.SMS, SuppressionKind.HARD_BOUNCE, USER
    )
    kinds = {s.kind for s in services.list_suppressions(engine, channel=Channel.SMS).suppressions}
    assert kinds == {SuppressionKind.ERASED, SuppressionKind.HARD_BOUNCE}
    assert services.verify_ledger(engine).ok and services.check_projection(engine).ok


def test_the_last_subscriber_erased_leaves_its_id_unused(engine: Engine) -> None:
    services.set_statuses(engine, [change("dan@example.com", Status.UNSUBSCRIBED)])
    erase(engine, "dan@example.com", USER, Source.USER)
    services.set_statuses(engine, [change("eve@example.com", Status.SUBSCRIBED)])
    entries = services.history(engine, "eve@example.com", Channel.EMAIL).entries
    assert [(e.new_status, e.subscriber_id) for e in entries] == [("SUBSCRIBED", 2)]
    with engine.connect() as connection:
        assert subscriber_rows.by_id(connection, 1) is None  # Dan's old links open nothing


def test_other_addresses_are_not_suppressed(engine: Engine) -> None:
    _person(engine)
    erase(engine, "ann.lee@example.com", USER, Source.USER)
    services.set_statuses(engine, [change("carol@example.com", Status.SUBSCRIBED, Source.IMPORT)])
    assert services.check_eligibility(engine, "carol@example.com", MARKETING).allowed
    assert services.list_suppressions(engine, kind=SuppressionKind.ERASED).suppressions == ()


def test_a_dry_run_counts_and_changes_nothing(engine: Engine) -> None:
    _person(engine)
    before = _dump(engine)
    report = erase(engine, "ann.lee@example.com", USER, Source.USER, commit=False)
    assert report.subscribers == 1 and report.ledger_entries == 3
    assert _dump(engine) == before


def test_erasing_by_phone_erases_both_phone_channels(engine: Engine) -> None:
    services.record_suppression(
        engine, "+1 415 555 0199", Channel.SMS, SuppressionKind.QUARANTINE, USER
    )
    report = erase(engine, "(415) 555-0199", USER, Source.USER)
    assert report.addresses == 2 and report.subscribers == 1
    with engine.connect() as connection:
        keys = connection.execute(select(subscribers.c.key, subscribers.c.address)).all()
    assert [tuple(row) for row in keys] == [("erased:1", "")]  # the id is never handed out again
    assert services.verify_ledger(engine).ok


def test_unknown_and_twice_erased_addresses_are_not_found(engine: Engine) -> None:
    with pytest.raises(NotFound, match="Nothing is held about nobody@"):
        erase(engine, "nobody@example.com", USER, Source.USER)
    _person(engine)
    erase(engine, "ann.lee@example.com", USER, Source.USER)
    with pytest.raises(NotFound, match="was erased before"):
        erase(engine, "ann.lee@example.com", USER, Source.USER)


def test_bad_addresses_name_the_field(engine: Engine) -> None:
    for bad in ("", "not an address", "ann@"):
        with pytest.raises(InvalidAddress) as raised:
            erase(engine, bad, USER, Source.USER)
        assert raised.value.field == "address"


def test_erased_suppressions_cannot_be_recorded_by_hand(engine: Engine) -> None:
    with pytest.raises(InvalidInput, match="made by erasure"):
        services.record_suppression(
            engine, "a@example.com", Channel.EMAIL, SuppressionKind.ERASED, USER
        )
