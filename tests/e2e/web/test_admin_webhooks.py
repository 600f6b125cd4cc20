"""The webhook pages in Chromium against a real server and a real receiving HTTP server: an
admin adds a webhook with the form (its secret shown once, masked afterwards, rotated), a bad
URL is refused at its field with the input kept, pause and resume, the delivery log shows real
deliveries (status code, latency, error) and "Redeliver" queues a failed one again; marketers
and viewers cannot reach the pages. SQLite and PostgreSQL.

The server runs without its in-process worker: most tests fan events out and deliver them
themselves with the service functions (`fan_out`, `deliver_due`) against the server's
database, so they decide when requests go out and that a failure is given up at once (FAILED)
instead of waiting for a retry. One test runs the real worker loop (`worker.run`, as
`consentry worker` does) beside the server instead.
"""

import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from consentry import worker
from consentry.domain.webhooks import DeliveryState, RetryPolicy, Subscription, masked
from consentry.services import contacts, webhooks
from consentry.services.webhooks import log
from tests.e2e.server import server_config
from tests.e2e.web.admin_site import Site, admin_site, csrf_of
from tests.e2e.web.test_admin_accessibility import problems
from tests.e2e.webhook_receiver import Receiver, receiving

GIVE_UP = RetryPolicy(base=timedelta(0), give_up_after=timedelta(0))


@pytest.fixture
def site(database_url: str, tmp_path: Path) -> Iterator[Site]:
    with admin_site(database_url, tmp_path, in_process_worker=False) as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with receiving() as running:
        yield running


def _deliver(site: Site) -> None:
    """Queue the new events' deliveries and send what is due (bounded)."""
    sender = webhooks.Sender(engine=site.engine, worker="test", timeout=5, policy=GIVE_UP)
    webhooks.fan_out(site.engine)
    for _ in range(20):
        if webhooks.deliver_due(sender) == 0:
            return


def _wait_for(done: Callable[[], bool], what: str) -> None:
    """Until the worker has done its part (a wait, not a timing assert)."""
    deadline = time.monotonic() + 30
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"the worker never got there: {what}")
        time.sleep(0.1)


def _accept(dialog: Dialog) -> None:
    dialog.accept()


def _add(site: Site, receiver: Receiver) -> Subscription:
    return webhooks.create_subscription(
        site.engine, url=receiver.url, event_types=["contact.created"], created_by="test"
    )


def test_an_admin_adds_a_webhook_and_sees_its_secret_once(
    site: Site, receiver: Receiver, page: Page
) -> None:
    site.sign_in(page, "admin")
    page.get_by_role("link", name="Webhooks").click()
    expect(page.get_by_text("No webhooks yet.")).to_be_visible()
    page.get_by_role("link", name="New webhook").click()
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Description (optional)").fill("CRM sync")
    page.get_by_label("A contact was created").check()
    page.get_by_label("A subscription status changed").check()
    page.get_by_role("button", name="Save webhook").click()

    expect(page.get_by_role("heading", name="Webhook created: copy its secret now")).to_be_visible()
    (stored,) = webhooks.list_subscriptions(site.engine)
    expect(page.locator("[data-secret]")).to_have_text(stored.secret)
    assert stored.secret.startswith("whsec_")
    assert [t.value for t in stored.event_types] == [
        "subscription.status_changed",
        "contact.created",
    ]
    assert stored.active and stored.description == "CRM sync"

    page.goto(f"{site.url}/admin/webhooks/{stored.id}")
    expect(page.locator("[data-secret]")).to_have_count(0)
    expect(page.get_by_text(masked(stored.secret), exact=True)).to_be_visible()
    assert stored.secret not in page.content()
    assert problems(page) == []

    page.once("dialog", _accept)
    page.get_by_role("button", name="Rotate secret").click()
    expect(
        page.get_by_role("heading", name="New signing secret: copy its secret now")
    ).to_be_visible()
    rotated = webhooks.get_subscription(site.engine, stored.id).secret
    assert rotated != stored.secret
    expect(page.locator("[data-secret]")).to_have_text(rotated)

    page.get_by_role("link", name="← Webhooks").click()
    row = page.get_by_role("row", name=receiver.url)
    expect(row.get_by_role("cell")).to_have_text(
        [
            f"{receiver.url}CRM sync",
            "subscription.status_changed, contact.created",
            "Active",
            "0",
            "0",
            "0",
        ]
    )
    assert rotated not in page.content()
    assert problems(page) == []


def test_a_bad_url_is_refused_at_its_field_with_the_input_kept(site: Site, page: Page) -> None:
    site.sign_in(page, "admin")
    page.goto(f"{site.url}/admin/webhooks/new")
    page.get_by_label("URL").fill("ftp://example.com/hook")
    page.get_by_label("A contact was changed").check()
    page.get_by_role("button", name="Save webhook").click()

    url = page.get_by_label("URL")
    expect(url).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#err-url")).to_contain_text("is not an http:// or https:// URL")
    expect(page.get_by_role("alert")).to_contain_text("Not saved")
    expect(url).to_have_value("ftp://example.com/hook")
    expect(page.get_by_label("A contact was changed")).to_be_checked()
    assert webhooks.list_subscriptions(site.engine) == []
    assert problems(page) == []

    url.fill("https://example.com/hook")
    page.get_by_label("A contact was changed").uncheck()
    page.get_by_role("button", name="Save webhook").click()
    expect(page.locator("#err-event_types")).to_contain_text("at least one event type")
    expect(url).to_have_value("https://example.com/hook")
    assert webhooks.list_subscriptions(site.engine) == []

    page.get_by_label("An import finished").check()
    page.get_by_role("button", name="Save webhook").click()
    expect(page.get_by_role("heading", name="Webhook created: copy its secret now")).to_be_visible()
    assert [s.url for s in webhooks.list_subscriptions(site.engine)] == ["https://example.com/hook"]


def test_editing_keeps_the_secret_and_a_refusal_keeps_the_input(
    site: Site, receiver: Receiver, page: Page
) -> None:
    sub = _add(site, receiver)
    site.sign_in(page, "admin")
    page.goto(f"{site.url}/admin/webhooks/{sub.id}")
    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("URL")).to_have_value(receiver.url)
    expect(page.get_by_label("A contact was created")).to_be_checked()
    page.get_by_label("URL").fill("https://user:pw@example.com/hook")
    page.get_by_label("An import finished").check()
    page.get_by_role("button", name="Save webhook").click()
    expect(page.locator("#err-url")).to_contain_text("no credentials")
    expect(page.get_by_label("An import finished")).to_be_checked()
    assert webhooks.get_subscription(site.engine, sub.id) == sub

    page.get_by_label("URL").fill(receiver.url + "?v=2")
    page.get_by_role("button", name="Save webhook").click()
    expect(page.get_by_role("status")).to_have_text("Saved the webhook.")
    changed = webhooks.get_subscription(site.engine, sub.id)
    assert changed.url == receiver.url + "?v=2" and changed.secret == sub.secret
    assert [t.value for t in changed.event_types] == ["contact.created", "import.completed"]


def test_pause_and_resume(site: Site, receiver: Receiver, page: Page) -> None:
    sub = _add(site, receiver)
    site.sign_in(page, "admin")
    page.goto(f"{site.url}/admin/webhooks/{sub.id}")
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("status")).to_contain_text("Paused")
    expect(page.locator(".page-head .badge")).to_have_text("Paused")
    assert not webhooks.get_subscription(site.engine, sub.id).active

    contacts.create(site.engine, {"email": "while.paused@example.com"})
    _deliver(site)
    page.reload()
    expect(page.get_by_text("Nothing sent yet")).to_be_visible()
    page.goto(f"{site.url}/admin/webhooks")
    expect(page.get_by_role("row", name=receiver.url)).to_contain_text("Paused")

    page.get_by_role("link", name=receiver.url).click()
    page.get_by_role("button", name="Resume").click()
    expect(page.get_by_role("status")).to_contain_text("Resumed")
    expect(page.locator(".page-head .badge")).to_have_text("Active")
    contacts.create(site.engine, {"email": "after.resume@example.com"})
    _deliver(site)
    page.reload()
    expect(page.locator("tr.delivery")).to_have_count(1)
    expect(page.locator("tr.delivery")).to_contain_text("Delivered")
    assert [r.event["data"]["properties"]["email"] for r in receiver.delivered()] == [
        "after.resume@example.com"
    ]


def test_the_delivery_log_shows_real_deliveries_and_redeliver_sends_a_failed_one_again(
    site: Site, page: Page
) -> None:
    # The second request fails (given up at once); every other one is answered 200.
    with receiving(lambda n: 500 if n == 1 else 200) as receiver:
        sub = _add(site, receiver)
        contacts.create(site.engine, {"email": "first@example.com"})
        _deliver(site)
        contacts.create(site.engine, {"email": "second@example.com"})
        _deliver(site)
        site.sign_in(page, "admin")
        page.get_by_role("link", name="Webhooks").click()
        expect(page.get_by_role("row", name=receiver.url).get_by_role("cell")).to_have_text(
            [receiver.url, "contact.created", "Active", "0", "1", "1"]
        )
        page.get_by_role("link", name=receiver.url).click()

        delivered, failed = webhooks.list_deliveries(site.engine, sub.id).deliveries[::-1]
        failed_row = page.locator(f"tr[data-delivery='{failed.id}']")
        delivered_row = page.locator(f"tr[data-delivery='{delivered.id}']")
        expect(delivered_row.get_by_role("cell").nth(0)).to_contain_text(delivered.event_id)
        expect(delivered_row.get_by_role("cell").nth(1)).to_have_text("Delivered")
        expect(delivered_row.get_by_role("cell").nth(3)).to_have_text("200")
        expect(delivered_row.get_by_role("cell").nth(4)).to_contain_text(" ms")
        expect(failed_row.get_by_role("cell").nth(1)).to_have_text("Failed")
        expect(failed_row.get_by_role("cell").nth(2)).to_have_text("1")
        expect(failed_row.get_by_role("cell").nth(3)).to_have_text("500")
        expect(failed_row.get_by_role("cell").nth(5)).to_have_text("HTTP 500: ok")
        expect(page.locator(".summary-grid")).to_contain_text("1failed")
        assert problems(page) == []

        page.get_by_label("State").select_option("FAILED")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("tr.delivery")).to_have_count(1)
        page.once("dialog", _accept)
        failed_row.get_by_role("button", name=f"Redeliver {failed.event_id}").click()
        expect(page.get_by_role("status")).to_have_text(
            f"Event {failed.event_id} is queued to be sent again."
        )
        expect(page.get_by_label("State")).to_have_value("FAILED")  # the filter is kept
        expect(page.get_by_text("No delivery in this state.")).to_be_visible()
        page.get_by_label("State").select_option("PENDING")
        page.get_by_role("button", name="Show").click()
        expect(failed_row.get_by_role("cell").nth(1)).to_have_text("Pending")
        expect(failed_row.get_by_role("cell").nth(6)).not_to_have_text("—")

        _deliver(site)
        page.get_by_role("link", name="Clear").click()
        expect(failed_row.get_by_role("cell").nth(1)).to_have_text("Delivered")
        expect(failed_row.get_by_role("cell").nth(2)).to_have_text("2")
        failed_row.get_by_text("All 2 attempts").click()
        expect(failed_row.locator("details li")).to_have_count(2)
        expect(failed_row.locator("details li").first).to_contain_text("500")
        sent = [r.event["id"] for r in receiver.all()]
    assert sent == [delivered.event_id, failed.event_id, failed.event_id]
    assert webhooks.get_subscription(site.engine, sub.id).active
    assert [d.state for d in webhooks.list_deliveries(site.engine, sub.id).deliveries] == [
        DeliveryState.DELIVERED
    ] * 2


def test_the_worker_retries_a_failed_request_and_the_log_shows_both_attempts(
    site: Site, database_url: str, tmp_path: Path, page: Page
) -> None:
    with receiving(lambda n: 503 if n == 0 else 200) as receiver:
        site.sign_in(page, "admin")
        page.goto(f"{site.url}/admin/webhooks/new")
        page.get_by_label("URL").fill(receiver.url)
        page.get_by_label("A contact was created").check()
        page.get_by_role("button", name="Save webhook").click()
        expect(page.locator("[data-secret]")).to_be_visible()
        (sub,) = webhooks.list_subscriptions(site.engine)

        config = server_config(
            database_url,
            jobs_dir=tmp_path / "jobs",
            outbox_dir=tmp_path / "outbox",
            webhook_retry_base_seconds=0.05,
        )
        thread, stop = worker.start_in_thread(site.engine, config)
        try:
            contacts.create(site.engine, {"email": "worker@example.com"})
            _wait_for(lambda: len(receiver.delivered()) == 1, "delivered after a retry")
            _wait_for(
                lambda: log.counts_of(site.engine, sub.id).delivered == 1, "recorded as delivered"
            )
        finally:
            stop.set()
            thread.join(timeout=30)
    page.goto(f"{site.url}/admin/webhooks/{sub.id}")
    row = page.locator("tr.delivery")
    expect(row.get_by_role("cell").nth(1)).to_have_text("Delivered")
    expect(row.get_by_role("cell").nth(2)).to_have_text("2")
    expect(row.get_by_role("cell").nth(3)).to_have_text("200")
    row.get_by_text("All 2 attempts").click()
    expect(row.locator("details li").first).to_contain_text("503")
    expect(row.locator("details li").first).to_contain_text("HTTP 503")


def test_the_log_is_paged(site: Site, receiver: Receiver, page: Page) -> None:
    sub = _add(site, receiver)
    for n in range(52):
        contacts.create(site.engine, {"email": f"c{n}@example.com"})
    _deliver(site)
    site.sign_in(page, "admin")
    page.goto(f"{site.url}/admin/webhooks/{sub.id}")
    expect(page.locator("tr.delivery")).to_have_count(50)
    page.get_by_role("link", name="Older →").click()
    expect(page.locator("tr.delivery")).to_have_count(2)
    expect(page.get_by_role("link", name="Older →")).to_have_count(0)
    page.get_by_role("link", name="← Newest").click()
    expect(page.locator("tr.delivery")).to_have_count(50)


def test_deleting_asks_first(site: Site, receiver: Receiver, page: Page) -> None:
    sub = _add(site, receiver)
    with site.client("admin") as client:
        html = client.get(f"/admin/webhooks/{sub.id}").text
        answer = client.post(f"/admin/webhooks/{sub.id}/delete", data={"csrf_token": csrf_of(html)})
    assert answer.status_code == 303
    assert webhooks.list_subscriptions(site.engine) == [sub]

    site.sign_in(page, "admin")
    page.goto(f"{site.url}/admin/webhooks/{sub.id}")
    page.get_by_label("Delete this webhook and its delivery log").check()
    page.get_by_role("button", name="Delete webhook").click()
    expect(page.get_by_role("status")).to_have_text("Deleted the webhook to 127.0.0.1.")
    expect(page.get_by_text("No webhooks yet.")).to_be_visible()
    assert webhooks.list_subscriptions(site.engine) == []


@pytest.mark.parametrize("role", ["marketer", "viewer"])
def test_only_admins_reach_the_pages(site: Site, receiver: Receiver, page: Page, role: str) -> None:
    sub = _add(site, receiver)
    contacts.create(site.engine, {"email": "a@example.com"})
    _deliver(site)
    (delivery,) = webhooks.list_deliveries(site.engine, sub.id).deliveries
    site.sign_in(page, role)
    expect(page.get_by_role("link", name="Webhooks")).to_have_count(0)

    base = f"/admin/webhooks/{sub.id}"
    with site.client(role) as client:
        token = csrf_of(client.get("/admin/contacts").text)
        pages = {
            path: client.get(path).status_code
            for path in ("/admin/webhooks", "/admin/webhooks/new", base, f"{base}/edit")
        }
        posts = {
            path: client.post(path, data={"csrf_token": token, **data}).status_code
            for path, data in {
                "/admin/webhooks/new": {
                    "url": "https://evil.example/",
                    "event_types": "contact.created",
                },
                f"{base}/edit": {"url": "https://evil.example/", "event_types": "contact.created"},
                f"{base}/pause": {},
                f"{base}/rotate-secret": {},
                f"{base}/delete": {"confirm": "yes"},
                f"{base}/deliveries/{delivery.id}/redeliver": {},
            }.items()
        }
    assert pages == dict.fromkeys(pages, 403)
    assert posts == dict.fromkeys(posts, 403)
    assert webhooks.list_subscriptions(site.engine) == [sub]
    assert (
        webhooks.list_deliveries(site.engine, sub.id).deliveries[0].state is DeliveryState.DELIVERED
    )


def test_the_pages_fit_a_phone(site: Site, browser: Browser) -> None:
    with receiving(lambda n: 500) as receiver:
        sub = webhooks.create_subscription(
            site.engine,
            url=receiver.url + "/a-rather-long-path/that/keeps/going?and=a-query-string-too",
            event_types=["contact.created", "contact.updated", "subscription.status_changed"],
            created_by="test",
        )
        contacts.create(site.engine, {"email": "a@example.com"})
        _deliver(site)
    phone = browser.new_context(viewport={"width": 390, "height": 844})
    page = phone.new_page()
    site.sign_in(page, "admin")
    too_wide = {}
    for path in (
        "/admin/webhooks",
        "/admin/webhooks/new",
        f"/admin/webhooks/{sub.id}",
        f"/admin/webhooks/{sub.id}/edit",
    ):
        page.goto(site.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            too_wide[path] = width
    phone.close()
    assert too_wide == {}
