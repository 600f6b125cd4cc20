"""`rebuild --check`: the current-status tables equal the fold of the ledger, and any drift
(an edited, missing or extra row) is named."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, delete, insert, update

from consentry import services
from consentry.domain import Channel, LegalBasis, Source, Status
from consentry.storage.tables import subscription_statuses, wide_statuses
from tests.integration.helpers import ONE_TO_ONE, change, provenance


def _write_some(engine: Engine) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    services.set_status(engine, change("a@x.com", Status.SUBSCRIBED))
    services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED, at=start))
    # Stale: older than the opt-out it would replace; recorded, not applied.
    services.set_status(engine, change("a@x.com", Status.SUBSCRIBED, at=start - timedelta(1)))
    services.unsubscribe_all(engine, "b@x.com", Channel.EMAIL, None, provenance())
    # Resubscribing one type clears the wide opt-out (a CLEAR_WIDE entry and row).
    services.set_status(
        engine,
        change(
            "b@x.com",
            Status.SUBSCRIBED,
            Source.API,
            type_id=ONE_TO_ONE,
            basis=LegalBasis.PERFORMANCE_OF_CONTRACT,
            explanation="Signed the contract.",
        ),
    )


def test_the_tables_equal_the_fold_of_the_ledger(engine: Engine) -> None:
    _write_some(engine)
    result = services.check_projection(engine)
    assert result.ok, [str(d) for d in result.differences]
    assert result.subscribers == 2 and result.rows >= 5


def test_an_edited_missing_or_extra_row_is_named(engine: Engine) -> None:
    _write_some(engine)
    with engine.begin() as connection:
        connection.execute(
            update(subscription_statuses)
            .where(subscription_statuses.c.subscription_type_id == ONE_TO_ONE)
            .values(status="UNSUBSCRIBED")
        )
        connection.execute(delete(wide_statuses))
        connection.execute(
            insert(subscription_statuses).values(
                subscriber_id=1,
                subscription_type_id=3,
                status="SUBSCRIBED",
                confirmed=True,
                reason="REQUESTED_CHANGE_OCCURRED",
                source="API",
                occurred_at=datetime.now(UTC),
                ledger_id=1,
            )
        )
    result = services.check_projection(engine)
    assert not result.ok and result.different == 3
    described = [str(d) for d in result.differences]
    assert any("type 2" in text and "status=UNSUBSCRIBED" in text for text in described)
    assert any("wide PORTAL_WIDE/0" in text and "holds absent" in text for text in described)
    assert any("subscriber 1, type 3: ledger says absent" in text for text in described)
