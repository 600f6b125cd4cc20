"""The ledger's chain: intact after real writes, broken by any hand edit, named precisely."""

import threading

from sqlalchemy import Engine, delete, update

from consentry import services
from consentry.domain import Channel, Source, Status
from consentry.storage.tables import ledger
from tests.integration.helpers import change, provenance


def _write_some(engine: Engine) -> None:
    services.set_status(engine, change("a@x.com", Status.UNSUBSCRIBED))
    services.set_status(engine, change("a@x.com", Status.SUBSCRIBED, Source.WORKFLOW))
    services.unsubscribe_all(engine, "b@x.com", Channel.EMAIL, None, provenance())
    services.set_status(engine, change("c@x.com", Status.SUBSCRIBED))


def test_chain_verifies_after_writes(engine: Engine) -> None:
    _write_some(engine)
    result = services.verify_ledger(engine)
    assert result.ok and result.checked == 7


def test_edited_entry_is_named(engine: Engine) -> None:
    _write_some(engine)
    with engine.begin() as connection:
        connection.execute(update(ledger).where(ledger.c.id == 3).values(outcome="NO_CHANGE"))
    result = services.verify_ledger(engine)
    assert not result.ok and result.first_broken_id == 3


def test_edited_address_is_named(engine: Engine) -> None:
    _write_some(engine)
    with engine.begin() as connection:
        connection.execute(update(ledger).where(ledger.c.id == 2).values(address="z@x.com"))
    result = services.verify_ledger(engine)
    assert not result.ok and result.first_broken_id == 2


def test_deleted_entry_is_named(engine: Engine) -> None:
    _write_some(engine)
    with engine.begin() as connection:
        connection.execute(delete(ledger).where(ledger.c.id == 4))
    result = services.verify_ledger(engine)
    assert not result.ok and result.first_broken_id == 4 and "missing" in result.problem


def test_removed_tail_is_detected(engine: Engine) -> None:
    _write_some(engine)
    with engine.begin() as connection:
        connection.execute(delete(ledger).where(ledger.c.id == 7))
    result = services.verify_ledger(engine)
    assert not result.ok and result.first_broken_id == 7


def test_concurrent_writers_extend_one_unbroken_chain(engine: Engine) -> None:
    """Writers queue on the ledger head: no forked chain, no lost update, no skipped id."""
    failures: list[BaseException] = []

    def writer(number: int) -> None:
        try:
            for round_ in range(10):
                status = Status.SUBSCRIBED if round_ % 2 else Status.UNSUBSCRIBED
                services.set_status(engine, change("shared@x.com", status))
                services.set_status(engine, change(f"own{number}@x.com", status))
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not failures
    result = services.verify_ledger(engine)
    assert result.ok and result.checked == 80
    shared = services.history(engine, "shared@x.com", Channel.EMAIL).entries
    applied = [e for e in shared if e.outcome == "APPLIED"]
    view = services.read_statuses(engine, "shared@x.com", Channel.EMAIL)
    # The stored status is the one the ledger's last applied entry set.
    assert view.statuses[0].status == applied[-1].new_status


def test_every_entry_of_a_large_batch_has_a_salt_of_its_own(engine: Engine) -> None:
    """Salts are drawn from the random source a few hundred at a time: a batch longer than one
    draw still gives each entry its own 16 random bytes."""
    changes = [change(f"salt{n}@x.com", Status.SUBSCRIBED) for n in range(700)]
    services.set_statuses(engine, changes)
    with engine.connect() as connection:
        salts = list(connection.scalars(ledger.select().with_only_columns(ledger.c.personal_salt)))
    assert len(salts) == 700 and len(set(salts)) == 700
    assert all(len(salt) == 32 and int(salt, 16) >= 0 for salt in salts)
    assert services.verify_ledger(engine).ok
