"""Suppressions recorded, listed a page at a time and lifted, each step in the ledger."""

import pytest
from sqlalchemy import Engine

from consentry import services
from consentry.domain import (
    Channel,
    EligibilityReason,
    InvalidInput,
    NotFound,
    SuppressionKind,
)
from tests.integration.helpers import MARKETING, USER

BOUNCE, COMPLAINT = SuppressionKind.HARD_BOUNCE, SuppressionKind.SPAM_COMPLAINT


def _suppress(
    engine: Engine, address: str, kind: SuppressionKind = BOUNCE, **kwargs: object
) -> services.SuppressionChange:
    return services.record_suppression(engine, address, Channel.EMAIL, kind, USER, **kwargs)  # type: ignore[arg-type]


def test_record_then_repeat_is_applied_once_and_recorded_twice(engine: Engine) -> None:
    first = _suppress(engine, "Ann@X.com", detail="550 no such user")
    again = _suppress(engine, "ann@x.com", detail="550 again")

    assert (first.applied, again.applied) == (True, False)
    assert again.suppression == first.suppression  # the stored one, not overwritten
    assert first.suppression.detail == "550 no such user"
    entries = services.history(engine, "ann@x.com", Channel.EMAIL).entries
    assert [(e.action, e.outcome, e.id) for e in entries] == [
        ("SUPPRESS", "APPLIED", first.ledger_id),
        ("SUPPRESS", "NO_CHANGE", again.ledger_id),
    ]


def test_lift_deletes_the_row_and_records_unsuppress_in_the_ledger(engine: Engine) -> None:
    _suppress(engine, "a@x.com")
    assert services.check_eligibility(engine, "a@x.com", MARKETING).reason is (
        EligibilityReason.SUPPRESSED
    )

    lifted = services.lift_suppression(
        engine, "A@x.com", Channel.EMAIL, BOUNCE, USER, evidence={"ip": "127.0.0.1"}
    )

    assert lifted.applied and lifted.suppression.kind is BOUNCE
    last = services.history(engine, "a@x.com", Channel.EMAIL).entries[-1]
    assert (last.id, last.action, last.outcome, last.suppression, last.message) == (
        lifted.ledger_id,
        "UNSUPPRESS",
        "APPLIED",
        "HARD_BOUNCE",
        "Hard bounce lifted.",
    )
    assert last.evidence == {"ip": "127.0.0.1"}
    assert services.list_suppressions(engine).suppressions == ()
    assert services.check_eligibility(engine, "a@x.com", MARKETING).allowed
    assert services.verify_ledger(engine).ok


def test_lifting_what_is_not_there_is_not_found_and_writes_nothing(engine: Engine) -> None:
    _suppress(engine, "a@x.com", COMPLAINT)
    for address in ("a@x.com", "never@x.com"):
        with pytest.raises(NotFound) as raised:
            services.lift_suppression(engine, address, Channel.EMAIL, BOUNCE, USER)
        assert raised.value.field == "kind"
    assert len(services.history(engine, "a@x.com", Channel.EMAIL).entries) == 1
    assert services.history(engine, "never@x.com", Channel.EMAIL).entries == ()


def test_list_pages_by_keyset_in_recording_order(engine: Engine) -> None:
    for n in range(5):
        _suppress(engine, f"u{n}@x.com", BOUNCE if n % 2 else COMPLAINT)

    seen, after = [], 0
    while True:
        page = services.list_suppressions(engine, after=after, limit=2)
        seen += [s.subscriber.key for s in page.suppressions]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [f"u{n}@x.com" for n in range(5)]

    bounces = services.list_suppressions(engine, kind=BOUNCE)
    assert [s.subscriber.key for s in bounces.suppressions] == ["u1@x.com", "u3@x.com"]
    one = services.list_suppressions(engine, channel=Channel.EMAIL, address="U4@X.COM")
    assert [s.subscriber.key for s in one.suppressions] == ["u4@x.com"]
    assert services.list_suppressions(engine, channel=Channel.SMS).suppressions == ()
    unknown = services.list_suppressions(engine, channel=Channel.EMAIL, address="no@x.com")
    assert unknown.suppressions == ()


def test_list_by_address_needs_the_channel(engine: Engine) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.list_suppressions(engine, address="a@x.com")
    assert raised.value.field == "channel"
