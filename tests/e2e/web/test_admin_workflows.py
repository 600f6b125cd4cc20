"""The workflow pages in Chromium against a real server whose in-process worker runs the
workflows: build one with the form, turn it on, watch a new customer get subscribed, read the
counts and the log; a form error shows next to its field; a viewer sees no buttons."""

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from consentry import services
from consentry.domain import Channel, Status
from consentry.services import channels, contacts, workflows
from consentry.services.workflows import history
from tests.e2e.web.admin_site import Site, admin_site, csrf_of, sqlite_url
from tests.e2e.web.test_admin_accessibility import problems


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    with admin_site(sqlite_url(tmp_path), tmp_path) as running:
        yield running


def _marketing(site: Site) -> int:
    (found,) = [t for t in services.list_types(site.engine) if t.name == "Marketing Information"]
    return found.id


def _status(site: Site, address: str) -> Status:
    view = services.read_statuses(site.engine, address, Channel.EMAIL)
    return next(s.status for s in view.statuses if s.subscription_type.id == _marketing(site))


def _wait_for(done: Callable[[], bool], what: str) -> None:
    """Until the server's worker has done its part (a wait, not a timing assert)."""
    deadline = time.monotonic() + 30
    while not done():
        if time.monotonic() > deadline:
            raise AssertionError(f"the worker never got there: {what}")
        time.sleep(0.1)


def _definition(site: Site, **overrides: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "name": "Customers get marketing",
        "enrollmentTrigger": {
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"}
                    ]
                }
            ]
        },
        "actions": [
            {
                "type": "MANAGE_SUBSCRIPTION",
                "channel": "EMAIL",
                "status": "SUBSCRIBED",
                "subscriptionId": str(_marketing(site)),
            }
        ],
    }
    raw.update(overrides)
    return raw


def _fill_trigger(page: Page, name: str) -> None:
    page.get_by_label("Name", exact=True).fill(name)
    page.locator("input[name=g0_0_property]").fill("lifecyclestage")
    page.locator("select[name=g0_0_operator]").select_option("EQ")
    page.locator("input[name=g0_0_value]").fill("customer")
    page.locator("select[name=a0_kind]").select_option(
        label="Manage communication subscription status"
    )
    page.locator("select[name=a0_channel]").select_option("EMAIL")
    page.locator("select[name=a0_status]").select_option(label="Subscribed")


def test_an_admin_builds_a_workflow_that_subscribes_new_customers(site: Site, page: Page) -> None:
    site.sign_in(page, "admin")
    page.get_by_role("link", name="Workflows").click()
    page.get_by_role("link", name="New workflow").click()
    _fill_trigger(page, "Customers get marketing")
    page.locator("select[name=a0_type_id]").select_option(label="Marketing Information")
    page.get_by_role("button", name="Save workflow").click()

    expect(page.get_by_role("status")).to_contain_text("Saved the workflow")
    expect(page.get_by_role("heading", name="Customers get marketing")).to_be_visible()
    expect(page.get_by_text("lifecyclestage is equal to “customer”")).to_be_visible()
    expect(
        page.get_by_text("Subscribe to Marketing Information (email)", exact=True)
    ).to_be_visible()
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("status")).to_contain_text("is on")

    page.get_by_role("link", name="Contacts").click()
    page.get_by_role("link", name="Create contact").click()
    page.get_by_label("Email").fill("new.customer@example.com")
    page.get_by_label("Lifecycle stage").fill("customer")
    page.get_by_role("button", name="Create").click()
    _wait_for(lambda: _status(site, "new.customer@example.com") is Status.SUBSCRIBED, "subscribed")
    (workflow,) = workflows.list_workflows(site.engine)
    _wait_for(lambda: history.summary(site.engine, workflow.id).completed == 1, "completed")

    page.goto(f"{site.url}/admin/workflows")
    row = page.get_by_role("row", name="Customers get marketing")
    expect(row).to_contain_text("On")
    expect(row.get_by_role("cell")).to_have_text(
        ["Customers get marketing", "On", "1", "1", "0", "1"]
    )
    row.get_by_role("link", name="Customers get marketing").click()
    expect(page.locator(".summary-grid")).to_contain_text("1enrolled")
    expect(page.get_by_role("row", name="Subscribe to Marketing Information")).to_contain_text(
        "Applied: 1"
    )
    log_row = page.locator("tr.log-line", has_text="new.customer@example.com")
    expect(log_row).to_contain_text("Applied")

    page.get_by_label("Address or contact id").fill("new.customer")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tr.log-line", has_text="new.customer@example.com")).not_to_have_count(0)
    page.get_by_label("Address or contact id").fill("nobody@else.org")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Nothing matches this search.")).to_be_visible()
    page.get_by_label("Address or contact id").fill("")
    page.get_by_label("Outcome").select_option("REFUSED")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tr.log-line")).to_have_count(0)
    page.get_by_label("Outcome").select_option("APPLIED")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("tr.log-line", has_text="new.customer@example.com")).to_have_count(1)
    assert problems(page) == []


def test_a_form_error_shows_next_to_its_field_and_keeps_the_input(site: Site, page: Page) -> None:
    site.sign_in(page, "marketer")
    page.goto(f"{site.url}/admin/workflows/new")
    _fill_trigger(page, "No type chosen")
    page.get_by_role("button", name="Save workflow").click()

    type_select = page.locator("select[name=a0_type_id]")
    expect(type_select).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#err-a0_type_id")).to_contain_text("choose the subscription type")
    expect(page.get_by_label("Name", exact=True)).to_have_value("No type chosen")
    expect(page.locator("input[name=g0_0_value]")).to_have_value("customer")
    assert workflows.list_workflows(site.engine) == []
    assert problems(page) == []

    type_select.select_option(label="Marketing Information")
    page.get_by_role("button", name="Save workflow").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the workflow")


def test_editing_makes_a_new_version(site: Site, page: Page) -> None:
    workflow = workflows.create(site.engine, _definition(site), "user:test")
    site.sign_in(page, "marketer")
    page.goto(f"{site.url}/admin/workflows/{workflow.id}")
    page.get_by_role("link", name="Edit").click()
    expect(page.locator("input[name=g0_0_value]")).to_have_value("customer")
    page.locator("input[name=g0_1_property]").fill("country")
    page.locator("input[name=g0_1_value]").fill("Germany")
    page.locator("select[name=a1_kind]").select_option(label="Set contact property")
    page.locator("input[name=a1_property]").fill("city")
    page.locator("input[name=a1_value]").fill("Berlin")
    page.get_by_role("button", name="Save workflow").click()

    expect(page.get_by_role("status")).to_contain_text("Saved version 2")
    expect(page.get_by_text("and country is equal to “Germany”")).to_be_visible()
    expect(page.get_by_text("Set property city to 'Berlin'", exact=True)).to_be_visible()
    assert workflows.get(site.engine, workflow.id).version == 2


def test_a_workflow_bigger_than_the_form_is_not_offered_for_editing(site: Site, page: Page) -> None:
    """Six actions made with the API: the form holds five, so saving it would drop one."""
    property_step = {"type": "SET_PROPERTY", "propertyName": "city", "value": "Berlin"}
    actions = [_definition(site)["actions"][0], *[property_step] * 5]
    workflow = workflows.create(site.engine, _definition(site, actions=actions), "user:test")
    site.sign_in(page, "marketer")
    page.goto(f"{site.url}/admin/workflows/{workflow.id}/edit")
    expect(page).to_have_url(f"{site.url}/admin/workflows/{workflow.id}")
    expect(page.get_by_role("status")).to_contain_text("it has 6 actions; the form holds 5")
    # A post made anyway (an old tab) changes nothing either.
    with site.client("marketer") as client:
        html = client.get(f"/admin/workflows/{workflow.id}").text
        answer = client.post(
            f"/admin/workflows/{workflow.id}/edit",
            data={"csrf_token": csrf_of(html), "name": "Shrunk", "a0_kind": "SET_PROPERTY"},
        )
        assert answer.status_code == 303
    assert workflows.get(site.engine, workflow.id).version == 1


def test_enroll_existing_contacts_runs_as_a_job_with_progress(site: Site, page: Page) -> None:
    for i in range(3):
        contacts.create(site.engine, {"email": f"old{i}@example.com", "lifecyclestage": "customer"})
    workflow = workflows.create(site.engine, _definition(site), "user:test")
    workflows.enable(site.engine, workflow.id)
    site.sign_in(page, "marketer")
    page.goto(f"{site.url}/admin/workflows/{workflow.id}")
    page.get_by_role("button", name="Enroll existing contacts now").click()

    expect(page.get_by_role("heading", name="Enrolling existing contacts finished")).to_be_visible(
        timeout=30_000
    )
    _wait_for(lambda: history.summary(site.engine, workflow.id).completed == 3, "three completed")
    assert all(_status(site, f"old{i}@example.com") is Status.SUBSCRIBED for i in range(3))
    page.get_by_role("link", name="Back to the workflow").click()
    expect(page.locator(".summary-grid")).to_contain_text("3enrolled")


def test_turning_off_with_running_contacts_asks_first(site: Site, page: Page) -> None:
    waits = _definition(site, name="Wait then subscribe")
    waits["actions"] = [{"type": "DELAY", "delay": 1, "unit": "DAYS"}, *waits["actions"]]
    workflow = workflows.create(site.engine, waits, "user:test")
    workflows.enable(site.engine, workflow.id)
    contacts.create(site.engine, {"email": "waiting@example.com", "lifecyclestage": "customer"})
    _wait_for(lambda: history.summary(site.engine, workflow.id).active == 1, "one running")

    with site.client("marketer") as client:
        html = client.get(f"/admin/workflows/{workflow.id}").text
        answer = client.post(
            f"/admin/workflows/{workflow.id}/disable", data={"csrf_token": csrf_of(html)}
        )
        assert answer.status_code == 303
    assert workflows.get(site.engine, workflow.id).enabled

    site.sign_in(page, "marketer")
    page.goto(f"{site.url}/admin/workflows/{workflow.id}")
    expect(page.get_by_text("1 contact is running through this workflow")).to_be_visible()
    page.get_by_label("End the 1 running enrollment").check()
    page.get_by_role("button", name="Turn off").click()
    expect(page.get_by_role("status")).to_contain_text("is off. 1 running enrollments were ended.")
    assert not workflows.get(site.engine, workflow.id).enabled
    assert history.summary(site.engine, workflow.id).ended == 1


def test_a_viewer_reads_the_pages_but_has_no_buttons(site: Site, page: Page) -> None:
    workflow = workflows.create(site.engine, _definition(site), "user:test")
    site.sign_in(page, "viewer")
    page.get_by_role("link", name="Workflows").click()
    expect(page.get_by_role("row", name="Customers get marketing")).to_be_visible()
    expect(page.get_by_role("link", name="New workflow")).to_have_count(0)
    page.get_by_role("link", name="Customers get marketing").click()
    expect(
        page.get_by_text("Subscribe to Marketing Information (email)", exact=True)
    ).to_be_visible()
    expect(page.locator("main form")).to_have_count(1)  # the log's search only
    expect(page.get_by_role("button", name="Turn on")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)

    with site.client("viewer") as client:
        html = client.get(f"/admin/workflows/{workflow.id}").text
        token = csrf_of(html)  # the sign-out form's
        for path in ("enable", "disable", "enroll", "edit"):
            answer = client.post(
                f"/admin/workflows/{workflow.id}/{path}", data={"csrf_token": token}
            )
            assert answer.status_code == 403, path
        assert client.post("/admin/workflows/new", data={"csrf_token": token}).status_code == 403
        assert client.get("/admin/workflows/new").status_code == 403
    assert not workflows.get(site.engine, workflow.id).enabled


def test_in_data_privacy_mode_turning_on_asks_for_the_legal_basis_at_its_field(
    site: Site, page: Page
) -> None:
    services.set_setting(site.engine, "data_privacy_mode", "true")
    workflow = workflows.create(site.engine, _definition(site), "user:test")
    site.sign_in(page, "marketer")
    page.goto(f"{site.url}/admin/workflows/{workflow.id}")
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("alert")).to_contain_text("Not turned on")
    basis = page.locator("select[name=a0_legal_basis]")
    expect(basis).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#err-a0_legal_basis")).to_contain_text("data privacy mode is on")
    expect(page.get_by_text("Legal basis (required to subscribe").first).to_be_visible()
    assert not workflows.get(site.engine, workflow.id).enabled

    basis.select_option("LEGITIMATE_INTEREST_CLIENT")
    page.locator("textarea[name=a0_explanation]").fill("Existing customers")
    page.get_by_role("button", name="Save workflow").click()
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("status")).to_contain_text("is on")
    assert workflows.get(site.engine, workflow.id).enabled


def test_the_channel_choice_lists_only_channels_set_up(site: Site, page: Page) -> None:
    site.sign_in(page, "marketer")
    page.goto(f"{site.url}/admin/workflows/new")
    channel = page.locator("select[name=a0_channel]")
    assert channel.locator("option").evaluate_all("os => os.map(o => o.value)") == ["EMAIL"]

    channels.setup_sms(site.engine, "+14155550100", "twilio-token-123456")
    page.reload()
    assert channel.locator("option").evaluate_all("os => os.map(o => o.value)") == [
        "EMAIL",
        "SMS",
    ]
    channel.select_option("SMS")
    types = page.locator("select[name=a0_type_id]")
    expect(types.locator("optgroup[data-channel=EMAIL]")).to_have_attribute("hidden", "")
    types.select_option(label="SMS Marketing")
    page.get_by_label("Name", exact=True).fill("SMS for customers")
    page.locator("input[name=g0_0_property]").fill("lifecyclestage")
    page.locator("input[name=g0_0_value]").fill("customer")
    page.locator("select[name=a0_kind]").select_option("MANAGE_SUBSCRIPTION")
    page.get_by_role("button", name="Save workflow").click()
    expect(page.get_by_text("Subscribe to SMS Marketing (SMS)", exact=True)).to_be_visible()


def test_the_builder_works_without_javascript_and_fits_a_phone(
    site: Site, browser: Browser
) -> None:
    plain = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = plain.new_page()
    site.sign_in(page, "marketer")
    page.goto(f"{site.url}/admin/workflows/new")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _fill_trigger(page, "Plain form")
    page.locator("select[name=a0_type_id]").select_option(label="Marketing Information")
    page.locator("select[name=a1_kind]").select_option("DELAY")
    page.locator("details[data-kind=DELAY]").nth(1).locator("summary").click()
    page.locator("input[name=a1_delay]").fill("2")
    page.locator("select[name=a1_unit]").select_option("HOURS")
    page.get_by_role("button", name="Save workflow").click()

    expect(page.get_by_text("Delay 2 hours", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("status")).to_contain_text("is on")
    plain.close()
