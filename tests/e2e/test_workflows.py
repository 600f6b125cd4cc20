"""Workflows end to end: the API on a real server socket, the real `consentry worker` process
(killed and restarted for the delay), and the `consentry workflows` command — on SQLite and
PostgreSQL."""

import json
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from consentry.services import tokens
from tests.e2e.helpers import CONSENTRY, Cli, cli_env, ok, one_line, query
from tests.e2e.server import running_server, server_config

MARKETING = 1
SUBSCRIBE = {
    "type": "MANAGE_SUBSCRIPTION",
    "channel": "EMAIL",
    "status": "SUBSCRIBED",
    "subscriptionId": str(MARKETING),
    "legalBasis": "LEGITIMATE_INTEREST_CLIENT",
    "legalBasisExplanation": "Existing customer",
}


def customers(*actions: dict[str, Any], name: str = "Customers get marketing") -> dict[str, Any]:
    trigger = {"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"}
    return {
        "name": name,
        "enrollmentTrigger": {"filterGroups": [{"filters": [trigger]}]},
        "actions": list(actions or [SUBSCRIBE]),
    }


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[httpx.Client]:
    """A client of a server that runs no worker of its own: the tests start `consentry worker`."""
    _, plain = tokens.create_token(
        engine,
        "workflows",
        [
            "consentry.admin",
            "crm.objects.contacts.write",
            "crm.objects.contacts.read",
            "communication_preferences.read_write",
        ],
    )
    headers = {"Authorization": f"Bearer {plain}"}
    config = server_config(database_url, in_process_worker=False)
    with (
        running_server(config) as url,
        httpx.Client(base_url=url, timeout=30, headers=headers) as http,
    ):
        yield http


def work(database_url: str, tmp_path: Path) -> None:
    """Run the real worker until nothing is left to do."""
    env = cli_env(database_url) | {"CONSENTRY_JOBS_DIR": str(tmp_path / "jobs")}
    done = subprocess.run(
        [CONSENTRY, "worker", "--until-idle"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def contact(api: httpx.Client, email: str, stage: str) -> str:
    made = api.post(
        "/crm/v3/objects/contacts", json={"properties": {"email": email, "lifecyclestage": stage}}
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def status(api: httpx.Client, address: str, type_id: int = MARKETING) -> str:
    profile = api.get(f"/api/v1/subscribers/EMAIL/{address}").json()
    return next(s["status"] for s in profile["statuses"] if s["subscriptionId"] == type_id)


def opt_out_by_the_contact(api: httpx.Client, address: str) -> None:
    """The contact's own one-click unsubscribe (RFC 8058) from a link the sender generated."""
    links = api.post(
        "/communication-preferences/v4/links/generate",
        params={"channel": "EMAIL"},
        json={"subscriberIdString": address, "subscriptionId": MARKETING},
    )
    assert links.status_code == 200, links.text
    # The link names the configured public URL; the path is what the server answers.
    path = "/" + links.json()["unsubscribeSingleUrl"].split("/", 3)[3]
    clicked = httpx.post(
        f"{api.base_url}".rstrip("/") + path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert clicked.status_code == 200, clicked.text


def test_a_workflow_subscribes_new_and_existing_customers_but_never_an_opted_out_address(
    api: httpx.Client, database_url: str, tmp_path: Path, consentry: Cli
) -> None:
    contact(api, "existing@example.com", "customer")
    contact(api, "self@example.com", "customer")
    contact(api, "user@example.com", "customer")
    opt_out_by_the_contact(api, "self@example.com")
    ok(
        consentry(
            "status", "set", "user@example.com", "--type", str(MARKETING),
            "--status", "UNSUBSCRIBED", "--source", "USER",
        )
    )  # fmt: skip
    # Another workflow opts one address out first: it is a lead, so the customers' workflow
    # reaches it only later, when it becomes a customer.
    only_other = {"propertyName": "email", "operator": "EQ", "value": "other@example.com"}
    opting_out = {
        "name": "Opt other out",
        "enrollmentTrigger": {"filterGroups": [{"filters": [only_other]}]},
        "actions": [{**SUBSCRIBE, "status": "UNSUBSCRIBED"}],
    }
    first = api.post("/api/v1/workflows", json=opting_out).json()
    assert api.post(f"/api/v1/workflows/{first['id']}/enable").status_code == 200
    other = contact(api, "other@example.com", "lead")
    work(database_url, tmp_path)
    assert status(api, "other@example.com") == "UNSUBSCRIBED"

    created = api.post("/api/v1/workflows", json=customers())
    assert created.status_code == 201, created.text
    workflow = created.json()
    assert (workflow["enabled"], workflow["version"]) == (False, 1)
    assert api.post(f"/api/v1/workflows/{workflow['id']}/enable").json()["enabled"] is True

    job = api.post(f"/api/v1/workflows/{workflow['id']}/enroll-existing")
    assert job.status_code == 202 and job.json()["total"] == 3
    lead = contact(api, "new@example.com", "lead")
    for contact_id in (lead, other):
        moved = api.patch(
            f"/crm/v3/objects/contacts/{contact_id}",
            json={"properties": {"lifecyclestage": "customer"}},
        )
        assert moved.status_code == 200
    work(database_url, tmp_path)

    # The job ran after other@ became a customer, and other@ existed when it was asked for: the
    # job enrolled it (and the count grew), its own change event then found it already running.
    finished = api.get(f"/api/v1/jobs/{job.json()['id']}").json()
    assert (finished["summary"]["enrolled"], finished["done"], finished["total"]) == (4, 4, 4)
    assert status(api, "existing@example.com") == "SUBSCRIBED"
    assert status(api, "new@example.com") == "SUBSCRIBED"
    for address in ("self@example.com", "user@example.com", "other@example.com"):
        assert status(api, address) == "UNSUBSCRIBED", address
    history = api.get(f"/api/v1/workflows/{workflow['id']}/history").json()
    assert history["enrolled"] == 5 and history["completed"] == 5
    assert history["steps"][0]["outcomes"] == {"APPLIED": 2, "REFUSED": 3}
    refused = api.get(
        f"/api/v1/workflows/{workflow['id']}/log", params={"outcome": "REFUSED"}
    ).json()["results"]
    assert sorted(line["address"] for line in refused) == [
        "other@example.com",
        "self@example.com",
        "user@example.com",
    ]
    assert all("opted out" in line["message"].lower() for line in refused), refused
    ledger = api.get("/api/v1/subscribers/EMAIL/new@example.com/ledger").json()["results"]
    assert (ledger[0]["actorKind"], ledger[0]["actorId"]) == ("WORKFLOW", f"{workflow['id']}:v1")
    # The refusals are in the ledger too, each naming the workflow that tried.
    tried = api.get("/api/v1/subscribers/EMAIL/self@example.com/ledger").json()["results"]
    assert [(e["outcome"], e["actorId"]) for e in tried if e["actorKind"] == "WORKFLOW"] == [
        ("REFUSED", f"{workflow['id']}:v1")
    ]
    found = api.get(f"/api/v1/workflows/{workflow['id']}/log", params={"search": "new@"}).json()
    assert {line["outcome"] for line in found["results"]} == {"ENROLLED", "APPLIED"}


def test_a_bad_definition_answers_400_naming_the_field(api: httpx.Client) -> None:
    bad = customers({**SUBSCRIBE, "subscriptionId": "999"})
    refused = api.post("/api/v1/workflows", json=bad)
    assert refused.status_code == 400, refused.text
    assert [error["in"] for error in refused.json()["errors"]] == ["actions[0].subscriptionId"]
    assert api.get("/api/v1/workflows").json()["results"] == []
    made = api.post("/api/v1/workflows", json=customers()).json()
    log = api.get(f"/api/v1/workflows/{made['id']}/log", params={"outcome": "MAYBE"})
    assert log.status_code == 400 and log.json()["errors"][0]["in"] == "outcome"


def test_in_data_privacy_mode_a_workflow_without_legal_basis_cannot_be_enabled(
    api: httpx.Client,
) -> None:
    assert api.patch("/api/v1/settings", json={"dataPrivacyMode": True}).status_code == 200
    bare = {key: value for key, value in SUBSCRIBE.items() if not key.startswith("legalBasis")}
    workflow = api.post("/api/v1/workflows", json=customers(bare)).json()
    refused = api.post(f"/api/v1/workflows/{workflow['id']}/enable")
    assert refused.status_code == 400 and "actions[0].legalBasis" in refused.text
    assert api.get(f"/api/v1/workflows/{workflow['id']}").json()["enabled"] is False
    fixed = api.put(f"/api/v1/workflows/{workflow['id']}", json=customers(SUBSCRIBE))
    assert fixed.json()["version"] == 2
    assert api.post(f"/api/v1/workflows/{workflow['id']}/enable").json()["enabled"] is True


def test_sms_and_whatsapp_actions_are_rejected_until_the_channel_is_set_up(
    api: httpx.Client, consentry: Cli
) -> None:
    for channel in ("SMS", "WHATSAPP"):
        action = {
            "type": "MANAGE_SUBSCRIPTION",
            "channel": channel,
            "status": "UNSUBSCRIBED",
            "subscriptionId": "1",
        }
        refused = api.post("/api/v1/workflows", json=customers(action))
        assert refused.status_code == 400 and "not set up" in refused.text, refused.text
    ok(
        consentry(
            "channels", "setup", "sms", "--sender", "+1 415 555 0100", "--webhook-secret", "t" * 32
        )
    )
    types = api.get("/api/v1/subscription-types").json()["results"]
    sms = next(t["id"] for t in types if t["channel"] == "SMS")
    action = {
        "type": "MANAGE_SUBSCRIPTION",
        "channel": "SMS",
        "status": "UNSUBSCRIBED",
        "subscriptionId": str(sms),
    }
    assert api.post("/api/v1/workflows", json=customers(action)).status_code == 201


def _wait(until: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not until():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def test_a_delay_step_resumes_after_the_worker_is_killed(
    api: httpx.Client, database_url: str, tmp_path: Path
) -> None:
    delayed = customers({"type": "DELAY", "delay": 1, "unit": "MINUTES"}, SUBSCRIBE)
    workflow = api.post("/api/v1/workflows", json=delayed).json()
    api.post(f"/api/v1/workflows/{workflow['id']}/enable")
    env = cli_env(database_url) | {"CONSENTRY_JOBS_DIR": str(tmp_path / "jobs")}
    first = subprocess.Popen(
        [CONSENTRY, "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        contact(api, "later@example.com", "customer")
        _wait(
            lambda: bool(
                query(database_url, "SELECT 1 FROM workflow_log WHERE outcome = 'WAITING'")
            ),
            60,
            "the delay to start",
        )
        started = time.monotonic()
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert status(api, "later@example.com") == "NOT_SPECIFIED"

    second = subprocess.Popen(
        [CONSENTRY, "worker"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(
            lambda: status(api, "later@example.com") == "SUBSCRIBED",
            120,
            "the step after the delay",
        )
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert time.monotonic() - started >= 55  # it waited for the delay, not less
    history = api.get(f"/api/v1/workflows/{workflow['id']}/history").json()
    assert history["completed"] == 1
    assert history["steps"][0]["outcomes"] == {"WAITING": 1}
    assert history["steps"][1]["outcomes"] == {"APPLIED": 1}


def test_the_workflows_command(consentry: Cli, tmp_path: Path) -> None:
    path = tmp_path / "wf.json"
    path.write_text(json.dumps(customers()))
    created = ok(consentry("workflows", "create", "--file", str(path)))
    assert "Workflow 1 (version 1, off)" in one_line(created)
    refused = consentry("workflows", "run", "1")
    assert refused.returncode != 0 and "turn it on" in one_line(refused.stderr)
    ok(consentry("workflows", "enable", "1"))
    run = ok(consentry("workflows", "run", "1"))
    assert "0 matching contacts" in one_line(run)
    listed = ok(consentry("workflows", "list"))
    assert "Customers get marketing" in one_line(listed) and "on" in listed
    shown = ok(consentry("workflows", "show", "1"))
    assert "Subscribe to Marketing Information (email)" in one_line(shown)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(customers({**SUBSCRIBE, "channel": "FAX"})))
    refused = consentry("workflows", "create", "--file", str(bad))
    assert refused.returncode != 0 and "actions[0].channel" in one_line(refused.stderr)
    unknown = consentry("workflows", "log", "1", "--outcome", "MAYBE")
    assert unknown.returncode == 2 and "outcome: one of APPLIED" in one_line(unknown.stderr)
    ok(consentry("workflows", "log", "1", "--outcome", "refused"))
    assert "--yes" in one_line(ok(consentry("workflows", "disable", "--help")))
    ok(consentry("workflows", "disable", "1", "--yes"))
