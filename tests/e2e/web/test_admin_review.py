"""The review queue page: an unclear SMS reply is opted out, or dismissed, by a person."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from consentry import services
from consentry.domain import Channel
from consentry.services import channels
from consentry.services.keywords import Inbound, handle_inbound
from consentry.services.review_queue import list_review
from tests.e2e.web.admin_site import Site, admin_site, csrf_of, sqlite_url

NUMBER = "+14155550123"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with admin_site(sqlite_url(tmp_path), tmp_path) as running:
        channels.setup_sms(running.engine, "+14155550100", "twilio-token-123456")
        yield running


def _sms_marketing(site: Site) -> int:
    (type_,) = [t for t in services.list_types(site.engine) if t.name == "SMS Marketing"]
    return type_.id


def _unclear_reply(site: Site, body: str, message_id: str) -> None:
    handled = handle_inbound(site.engine, Inbound(Channel.SMS, NUMBER, body, "twilio", message_id))
    assert handled.review_id is not None


def test_an_unclear_reply_is_opted_out_from_the_review_queue(site: Site, page: Page) -> None:
    _unclear_reply(site, "how do I stop these", "SM1")
    site.sign_in(page)
    page.get_by_role("link", name="Review").click()
    row = page.get_by_role("row", name="how do I stop these")
    expect(row).to_contain_text(NUMBER)

    row.get_by_role("button", name="Opt out").click()

    expect(page.get_by_role("status")).to_have_text(f"{NUMBER} is opted out of SMS.")
    expect(page.get_by_text("Nothing to review")).to_be_visible()
    answer = services.check_eligibility(site.engine, NUMBER, _sms_marketing(site))
    assert not answer.allowed
    page.get_by_role("link", name="Show resolved too").click()
    expect(page.get_by_role("row", name="how do I stop these")).to_contain_text("Opted out")


def test_a_dismissed_reply_changes_nothing(site: Site, page: Page) -> None:
    _unclear_reply(site, "stop by the store later?", "SM2")
    before = services.history(site.engine, NUMBER, Channel.SMS)
    site.sign_in(page)
    page.goto(f"{site.url}/admin/review")
    page.get_by_role("row", name="stop by the store later?").get_by_role(
        "button", name="Dismiss"
    ).click()
    expect(page.get_by_role("status")).to_contain_text("nothing was changed")
    assert services.history(site.engine, NUMBER, Channel.SMS) == before
    assert list_review(site.engine) == []


def test_a_viewer_cannot_resolve(site: Site) -> None:
    _unclear_reply(site, "how do I stop these", "SM3")
    (item,) = list_review(site.engine)
    with site.client("viewer") as client:
        token = csrf_of(client.get("/admin/review").text)
        answer = client.post(
            f"/admin/review/{item.id}", data={"resolution": "OPT_OUT", "csrf_token": token}
        )
    assert answer.status_code == 403
    assert [i.resolution for i in list_review(site.engine)] == [None]
