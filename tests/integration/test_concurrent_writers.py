"""Many writers at once, on SQLite and PostgreSQL: the outcome equals a serial run in ledger order.

Each test starts its threads on a barrier so their transactions really overlap, then checks:
replaying the ledger's entries one by one through the rulebook (`decide`, the same code the
services use) gives every recorded outcome, so no writer decided on a state another had already
changed (no lost update); the stored statuses equal the fold of the ledger; the chain verifies.
"""

import random
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from consentry import services
from consentry.domain import (
    AccountSettings,
    ChangeRequest,
    Channel,
    CurrentState,
    LedgerEntry,
    LegalBasis,
    Source,
    Status,
    decide,
)
from consentry.domain.links import LinkClaims, Purpose
from consentry.services import contacts, workflows
from consentry.services import preferences as prefs
from consentry.services.workflows import enrollment, steps
from consentry.storage.tables import ledger
from consentry.storage.workflow_tables import workflow_log
from tests.integration.helpers import CUSTOMER_SERVICE, MARKETING, ONE_TO_ONE, change

SHARED = "shared@example.com"
START = datetime(2026, 6, 1, tzinfo=UTC)


def _together(count: int, work: Callable[[int], None]) -> None:
    """Run `work(0..count-1)` in threads released at once; re-raise the first failure."""
    barrier = threading.Barrier(count)
    failures: list[BaseException] = []

    def run(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            work(number)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not failures, failures


def _entries(engine: Engine) -> list[LedgerEntry]:
    return list(services.history(engine, SHARED, Channel.EMAIL).entries)


def _replay(entries: list[LedgerEntry], *, claimed: bool) -> None:
    """Decide each entry again, in ledger order, on the state the entries before it left;
    the rulebook must answer what was recorded."""
    standing: dict[int, CurrentState] = {}
    for entry in entries:
        assert entry.action == "SET_STATUS" and entry.subscription_type_id is not None
        current = standing.get(entry.subscription_type_id, CurrentState())
        assert entry.old_status == current.status.value, entry
        request = ChangeRequest(
            channel=Channel.EMAIL,
            requested=Status(entry.requested_status),
            source=Source(entry.source),
            legal_basis=LegalBasis(entry.legal_basis) if entry.legal_basis else None,
            explanation=entry.legal_basis_explanation,
            occurred_at=entry.occurred_at if claimed else None,
        )
        decision = decide(request, current, AccountSettings())
        assert decision.outcome.value == entry.outcome, entry
        if decision.applied:
            standing[entry.subscription_type_id] = CurrentState(
                status=Status(entry.new_status), changed_at=entry.occurred_at
            )


def _consistent(engine: Engine, writes: int) -> None:
    assert services.verify_ledger(engine).ok
    check = services.check_projection(engine)
    assert check.ok, [str(difference) for difference in check.differences]
    assert check.entries == writes  # one entry per request: none lost, none doubled


def test_many_clients_changing_one_subscriber_end_as_a_serial_run(engine: Engine) -> None:
    types = (MARKETING, ONE_TO_ONE, CUSTOMER_SERVICE)

    def client(number: int) -> None:
        rng = random.Random(number)
        for _ in range(8):
            status = rng.choice((Status.SUBSCRIBED, Status.UNSUBSCRIBED))
            # A user with a legal basis may resubscribe: every request can apply.
            services.set_status(
                engine,
                change(
                    SHARED,
                    status,
                    type_id=rng.choice(types),
                    basis=LegalBasis.LEGITIMATE_INTEREST_OTHER,
                    explanation="Asked by phone.",
                ),
            )

    _together(6, client)

    entries = _entries(engine)
    _replay(entries, claimed=False)
    _consistent(engine, 48)
    view = services.read_statuses(engine, SHARED, Channel.EMAIL)
    for type_id in types:
        applied = [
            e for e in entries if e.subscription_type_id == type_id and e.outcome == "APPLIED"
        ]
        stored = next(s.status for s in view.statuses if s.subscription_type.id == type_id)
        # The state is the one the ledger's last applied entry for the type set.
        assert stored.value == (applied[-1].new_status if applied else "NOT_SPECIFIED")


def test_out_of_order_client_times_are_judged_by_the_stale_rule(engine: Engine) -> None:
    def client(number: int) -> None:
        rng = random.Random(100 + number)
        for _ in range(8):
            services.set_status(
                engine,
                change(
                    SHARED,
                    rng.choice((Status.SUBSCRIBED, Status.UNSUBSCRIBED)),
                    basis=LegalBasis.LEGITIMATE_INTEREST_OTHER,
                    explanation="Synced from the CRM.",
                    at=START + timedelta(minutes=rng.randrange(0, 30)),
                ),
            )

    _together(6, client)

    entries = _entries(engine)
    _replay(entries, claimed=True)
    _consistent(engine, 48)
    applied = [e for e in entries if e.outcome == "APPLIED"]
    # Applied claims never go back in time: each replaces an older (or, for an opt-out, equal)
    # one; every older claim was recorded STALE instead.
    times = [e.occurred_at for e in applied]
    assert times == sorted(times)


def test_older_claims_racing_a_newer_opt_out_are_all_recorded_stale(engine: Engine) -> None:
    latest = START + timedelta(hours=1)
    first = services.set_status(engine, change(SHARED, Status.UNSUBSCRIBED, at=latest))

    def client(number: int) -> None:
        for minute in range(6):
            services.set_status(
                engine,
                change(
                    SHARED,
                    Status.SUBSCRIBED,
                    basis=LegalBasis.LEGITIMATE_INTEREST_OTHER,
                    explanation="Old form entry.",
                    at=latest - timedelta(minutes=1 + minute + 6 * number),
                ),
            )

    _together(5, client)

    later = _entries(engine)[1:]
    assert len(later) == 30 and {e.outcome for e in later} == {"STALE"}
    view = services.read_statuses(engine, SHARED, Channel.EMAIL)
    marketing = next(s for s in view.statuses if s.subscription_type.id == MARKETING)
    assert marketing.status is Status.UNSUBSCRIBED
    assert services.check_projection(engine).ok
    assert first.ledger_id == 1


def test_two_workers_racing_on_workflow_steps_run_each_step_once(engine: Engine) -> None:
    actions = [
        {"type": "MANAGE_SUBSCRIPTION", "channel": "EMAIL", "status": "SUBSCRIBED"}
        | {"subscriptionId": str(type_id)}
        for type_id in (MARKETING, CUSTOMER_SERVICE)
    ]
    definition = {
        "name": "Customers",
        "enrollmentTrigger": {
            "filterGroups": [
                {"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "c"}]}
            ]
        },
        "actions": actions,
    }
    workflow = workflows.create(engine, definition, "user:tester")
    workflows.enable(engine, workflow.id)
    people = 40
    for n in range(people):
        contacts.create(engine, {"email": f"c{n}@example.com", "lifecyclestage": "c"})
    while enrollment.pump(engine):
        pass

    def worker(_: int) -> None:
        idle = 0
        while idle < 3:  # the other worker may hold the last group for a moment
            idle = idle + 1 if steps.pump(engine, limit=4) == 0 else 0

    _together(2, worker)
    while steps.pump(engine):  # what a raced round left over
        pass

    with engine.connect() as connection:
        lines = connection.execute(
            select(workflow_log.c.enrollment_id, workflow_log.c.step, func.count())
            .where(workflow_log.c.step.is_not(None))
            .group_by(workflow_log.c.enrollment_id, workflow_log.c.step)
        ).all()
        per_address = connection.execute(
            select(ledger.c.address, ledger.c.subscription_type_id, func.count())
            .where(ledger.c.source == Source.WORKFLOW.value)
            .group_by(ledger.c.address, ledger.c.subscription_type_id)
        ).all()
    assert len(lines) == people * 2 and {count for *_, count in lines} == {1}
    assert len(per_address) == people * 2 and {count for *_, count in per_address} == {1}
    assert services.verify_ledger(engine).ok and services.check_projection(engine).ok


@pytest.mark.parametrize("purpose", [Purpose.UNSUBSCRIBE_ALL, Purpose.UNSUBSCRIBE_ONE])
def test_overlapping_one_click_retries_record_the_unsubscribe_once(
    engine: Engine, purpose: Purpose
) -> None:
    """A mailbox provider retrying a one-click POST before the first answered (two server
    processes take them): every retry is answered, and only the first is recorded."""
    for n in range(5):
        address = f"retry{n}@example.com"
        subscribed = services.set_status(engine, change(address, Status.SUBSCRIBED))
        subscriber_id = services.history(engine, address, Channel.EMAIL).entries[0].subscriber_id
        type_id = MARKETING if purpose is Purpose.UNSUBSCRIBE_ONE else None
        claims = LinkClaims(purpose, Channel.EMAIL, subscriber_id, 0, type_id, date.today())
        visit = prefs.Visit("192.0.2.1", "mailbox-provider", "en", "one-click")

        def post(_: int, claims: LinkClaims = claims, visit: prefs.Visit = visit) -> None:
            prefs.unsubscribe_by_link(engine, claims, visit, Source.ONE_CLICK)

        _together(3, post)

        later = services.history(engine, address, Channel.EMAIL).entries[1:]
        assert subscribed.ledger_id and later, address
        first = later[0]
        assert first.outcome == "APPLIED" and first.source == Source.ONE_CLICK.value
        action = "SET_WIDE" if type_id is None else "SET_STATUS"
        assert [e.action for e in later].count(action) == 1, later
        assert all(e.outcome == "APPLIED" for e in later), later
    assert services.check_projection(engine).ok
