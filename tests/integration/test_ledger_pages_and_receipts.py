"""An address's ledger a page at a time and as of a past moment; the consent receipt; and the
migration that added the one-time legal basis to the ledger."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select, text

from consentry import services
from consentry.domain import Channel, LegalBasis, Source, Status, SuppressionKind, WideType
from consentry.services.recorder import Recorder
from consentry.storage import event_tables, migrate
from consentry.storage.engine import make_engine
from consentry.storage.tables import ledger, metadata
from tests.integration.helpers import MARKETING, ONE_TO_ONE, USER, change, provenance

T0 = datetime(2025, 1, 1, tzinfo=UTC)


def test_pages_follow_the_cursor_to_the_end(engine: Engine) -> None:
    for n in range(5):
        status = Status.SUBSCRIBED if n % 2 == 0 else Status.UNSUBSCRIBED
        services.set_status(engine, change("a@x.com", status, Source.PREFERENCE_CENTER))
    services.set_status(engine, change("other@x.com", Status.SUBSCRIBED))

    ids, after = [], 0
    while True:
        page = services.ledger_page(engine, "A@X.com", Channel.EMAIL, after=after, limit=2)
        ids.append([e.id for e in page.entries])
        if page.next_after is None:
            break
        after = page.next_after
    assert ids == [[1, 2], [3, 4], [5]]
    assert page.subscriber.key == "a@x.com"
    assert page.standing is None


def test_as_of_shows_what_stood_then(engine: Engine) -> None:
    at = [T0 + timedelta(days=n) for n in range(4)]
    services.set_status(engine, change("a@x.com", Status.SUBSCRIBED, at=at[0]))
    services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED, at=at[2]))
    services.unsubscribe_all(
        engine, "a@x.com", Channel.EMAIL, None, provenance(Source.PREFERENCE_CENTER, at=at[3])
    )

    then = services.ledger_page(engine, "a@x.com", Channel.EMAIL, as_of=at[1])
    later = services.ledger_page(engine, "a@x.com", Channel.EMAIL, as_of=at[3], limit=1)

    assert [e.new_status for e in then.entries] == ["SUBSCRIBED"]
    assert then.standing is not None and then.standing.statuses == {MARKETING: Status.SUBSCRIBED}
    assert then.standing.wide == {}
    assert later.standing is not None and later.standing.wide == {(WideType.PORTAL_WIDE, 0): True}
    assert later.standing.statuses[MARKETING] is Status.UNSUBSCRIBED
    assert len(later.entries) == 1 and later.next_after == later.entries[0].id


def test_an_address_never_seen_has_an_empty_ledger(engine: Engine) -> None:
    page = services.ledger_page(engine, "new@x.com", Channel.EMAIL, as_of=T0)
    assert (page.entries, page.next_after) == ((), None)
    assert page.standing is not None and page.standing.statuses == {}


def test_receipt_has_every_entry_with_its_notice_text(engine: Engine) -> None:
    notice = "Yes, send me the monthly newsletter. Unsubscribe at any time."
    services.set_status(
        engine, change("a@x.com", Status.SUBSCRIBED, Source.PREFERENCE_CENTER, notice=notice)
    )
    services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED, type_id=ONE_TO_ONE))
    services.record_one_time_basis(
        engine,
        "a@x.com",
        ONE_TO_ONE,
        provenance(Source.API, basis=LegalBasis.PERFORMANCE_OF_CONTRACT, explanation="Invoice"),
    )

    receipt = services.subscriber_receipt(engine, "A@x.com", Channel.EMAIL)

    assert [(r.entry.action, r.notice_text, r.intact) for r in receipt.entries] == [
        ("SET_STATUS", notice, True),
        ("SET_STATUS", None, True),
        ("ONE_TIME_LEGAL_BASIS", None, True),
    ]
    statuses = {s.subscription_type.id: s.status for s in receipt.profile.statuses.statuses}
    assert statuses[MARKETING] is Status.SUBSCRIBED
    assert statuses[ONE_TO_ONE] is Status.UNSUBSCRIBED


def test_profile_lists_suppressions_with_their_detail(engine: Engine) -> None:
    services.record_suppression(
        engine, "b@x.com", Channel.EMAIL, SuppressionKind.QUARANTINE, USER, detail="held"
    )
    profile = services.subscriber_profile(engine, "b@x.com", Channel.EMAIL)
    assert [(s.kind, s.detail) for s in profile.suppressions] == [
        (SuppressionKind.QUARANTINE, "held")
    ]
    assert profile.statuses.known
    assert not services.subscriber_profile(engine, "new@x.com", Channel.EMAIL).statuses.known


def test_upgrade_from_0002_keeps_the_chain_and_takes_the_new_action(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        migrate.upgrade(engine, "0002")
        # Today's code also appends to the event log (0008); give it the table for this one write
        # and take it away again, so the upgrade below starts from the 0002 schema.
        event_log = [event_tables.events, event_tables.event_cursors]
        metadata.create_all(engine, tables=event_log)
        # And the salt column (0012) for the write, with no salt: an entry as written before 0012.
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE ledger ADD COLUMN personal_salt VARCHAR(32)"))
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(Recorder, "_salt", lambda _self: None)
            services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED))
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE ledger DROP COLUMN personal_salt"))
        metadata.drop_all(engine, tables=event_log)
        with engine.connect() as connection:
            before = connection.execute(select(ledger.c.id, ledger.c.entry_hash)).all()

        migrate.upgrade(engine)

        with engine.connect() as connection:
            assert connection.execute(select(ledger.c.id, ledger.c.entry_hash)).all() == before
        services.record_one_time_basis(
            engine,
            "a@x.com",
            ONE_TO_ONE,
            provenance(Source.API, basis=LegalBasis.NON_GDPR, explanation="Reply"),
        )
        verification = services.verify_ledger(engine)
        assert (verification.ok, verification.checked) == (True, 2)
    finally:
        engine.dispose()  # a failed check must not leave connections for the next test
