"""A one-click POST that waits for the database (another writer holds the lock) holds up no
other request: the server keeps answering while it waits, and the POST completes once the lock
is released. A route doing its database work inside an `async def` stalls the whole event loop
instead, and every other contact's page with it. On SQLite and PostgreSQL."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import Connection, Engine, text

from consentry.domain import Status
from consentry.storage.engine import WRITE_OPTION
from tests.e2e.public_site import MARKETING, Site, public_site

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def site(engine: Engine, database_url: str) -> Iterator[Site]:
    with public_site(engine, database_url) as running:
        yield running


@contextmanager
def write_lock_held(engine: Engine) -> Iterator[Connection]:
    """Another writer in the middle of a transaction: SQLite's write lock, or on PostgreSQL the
    ledger head every status change locks."""
    with engine.connect().execution_options(**{WRITE_OPTION: True}) as holder:
        holder.begin()
        if engine.dialect.name == "postgresql":
            holder.execute(text("LOCK TABLE ledger_head IN EXCLUSIVE MODE"))
        try:
            yield holder
        finally:
            holder.rollback()


def wait_until_blocked(engine: Engine, post: threading.Thread) -> None:
    """Until the POST waits on the lock. PostgreSQL shows it; SQLite does not, so there the POST
    gets a moment to reach its busy wait (a miss could only let the test pass wrongly)."""
    if engine.dialect.name != "postgresql":
        time.sleep(1)
        return
    deadline = time.monotonic() + 30
    query = text(
        "SELECT count(*) FROM pg_stat_activity"
        " WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with engine.connect() as probe:
        while probe.execute(query).scalar_one() == 0:
            assert post.is_alive(), "the POST finished without waiting for the lock"
            assert time.monotonic() < deadline, "the POST never waited for the lock"
            probe.rollback()
            time.sleep(0.05)


def test_a_post_waiting_for_the_database_holds_up_no_other_request(site: Site) -> None:
    waiting = site.links("waiting@example.com").unsubscribe_all_url
    other = site.links("other@example.com").unsubscribe_all_url
    answers: dict[str, httpx.Response] = {}

    with write_lock_held(site.engine):
        post = threading.Thread(
            target=lambda: answers.update(post=httpx.post(waiting, data=ONE_CLICK, timeout=60))
        )
        post.start()
        wait_until_blocked(site.engine, post)
        # Another contact opens a page, and a monitor asks after the server, meanwhile.
        page = httpx.get(other, timeout=20)
        health = httpx.get(f"{site.base}/healthz", timeout=20)
        still_waiting = post.is_alive()

    post.join(timeout=60)
    assert page.status_code == 200
    assert health.status_code == 200
    assert still_waiting, "the POST did not wait for the lock: the test proved nothing"
    assert answers["post"].status_code == 200, answers["post"].text
    assert site.status("waiting@example.com", MARKETING) is Status.UNSUBSCRIBED
