"""Outbound webhooks end to end: subscriptions made over the API of a real server, events made
through the HubSpot-compatible API, and the real `consentry worker` process delivering them to
real receiving servers — signed, in order, retried, never held back by another receiver, and
none lost when the worker is killed — on SQLite and PostgreSQL.

Deadlines below only stop a broken test from hanging; nothing asserts how long anything took.
"""

import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO

import httpx
import pytest
from sqlalchemy import Engine

from consentry.domain.webhooks import verify
from consentry.services import tokens
from tests.e2e.helpers import CONSENTRY, cli_env
from tests.e2e.server import running_server, server_config
from tests.e2e.webhook_receiver import Received, Receiver, receiving

V4 = "/communication-preferences/v4"
STATUS_CHANGED = "subscription.status_changed"
CONTACT_CREATED = "contact.created"
# Retries 50 ms apart at first (doubling), so a recovering receiver is reached again quickly.
QUICK_RETRIES = {"CONSENTRY_WEBHOOK_RETRY_BASE_SECONDS": "0.05"}


@pytest.fixture
def api(engine: Engine, database_url: str) -> Iterator[httpx.Client]:
    """A client of a server that runs no worker of its own: the tests start `consentry worker`."""
    scopes = ["consentry.admin", "crm.objects.contacts.write", "communication_preferences.write"]
    _, plain = tokens.create_token(engine, "webhooks", scopes)
    config = server_config(database_url, in_process_worker=False)
    with (
        running_server(config) as url,
        httpx.Client(
            base_url=url, timeout=30, headers={"Authorization": f"Bearer {plain}"}
        ) as http,
    ):
        yield http


@pytest.fixture
def start_worker(
    database_url: str, tmp_path: Path
) -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start the real `consentry worker` (with extra environment); each is stopped at the end."""
    started: list[subprocess.Popen[str]] = []
    logs: list[TextIO] = []

    def start(**env: str) -> subprocess.Popen[str]:
        log = (tmp_path / f"worker-{len(started)}.log").open("w")
        logs.append(log)
        process = subprocess.Popen(
            [CONSENTRY, "worker"],
            env=cli_env(database_url) | {"CONSENTRY_JOBS_DIR": str(tmp_path / "jobs")} | env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    for log in logs:
        log.close()


def wait_for(condition: Callable[[], bool], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def subscribe(api: httpx.Client, url: str, *types: str, **extra: Any) -> dict[str, Any]:
    made = api.post("/api/v1/webhooks", json={"url": url, "eventTypes": list(types), **extra})
    assert made.status_code == 201, made.text
    webhook: dict[str, Any] = made.json()
    return webhook


def set_status(api: httpx.Client, address: str, state: str) -> None:
    body = {"channel": "EMAIL", "statusState": state, "subscriptionId": 1}
    answer = api.post(f"{V4}/statuses/{address}", json=body)
    assert answer.status_code == 200, answer.text


def add_contact(api: httpx.Client, email: str) -> None:
    made = api.post("/crm/v3/objects/contacts", json={"properties": {"email": email}})
    assert made.status_code == 201, made.text


def deliveries(api: httpx.Client, webhook_id: int, **params: Any) -> list[dict[str, Any]]:
    page = api.get(f"/api/v1/webhooks/{webhook_id}/deliveries", params={"limit": 200, **params})
    assert page.status_code == 200, page.text
    found: list[dict[str, Any]] = page.json()["results"]
    return found


def ids(requests: list[Received]) -> list[str]:
    return [request.event["id"] for request in requests]


def answered_ok(receiver: Receiver) -> list[str]:
    return ids(receiver.delivered())


def is_signed(request: Received, secret: str) -> bool:
    return verify(
        secret,
        request.headers["consentry-timestamp"],
        request.body,
        request.headers["consentry-signature"],
        now=int(time.time()),
    )


def test_events_arrive_signed_and_in_order_for_each_subscriber(
    api: httpx.Client, start_worker: Callable[..., subprocess.Popen[str]]
) -> None:
    with receiving() as statuses, receiving() as everything:
        only_statuses = subscribe(api, statuses.url, STATUS_CHANGED)
        both = subscribe(api, everything.url, CONTACT_CREATED, STATUS_CHANGED)
        start_worker()
        for n in range(4):
            add_contact(api, f"c{n}@example.com")
            set_status(api, f"c{n}@example.com", "UNSUBSCRIBED" if n % 2 else "SUBSCRIBED")
        wait_for(lambda: len(everything.delivered()) == 8, "every event at the second receiver")
        wait_for(lambda: len(statuses.delivered()) == 4, "the status changes")
        got_statuses, got_everything = statuses.all(), everything.all()

    # The order the changes were made in, for each subscriber; nothing twice, nothing else.
    assert [(r.event["type"], r.event["data"]["address"]) for r in got_statuses] == [
        (STATUS_CHANGED, f"c{n}@example.com") for n in range(4)
    ]
    made = []
    for n in range(4):
        made += [(CONTACT_CREATED, f"c{n}@example.com"), (STATUS_CHANGED, f"c{n}@example.com")]
    assert [
        (r.event["type"], r.event["data"].get("address") or r.event["data"]["properties"]["email"])
        for r in got_everything
    ] == made
    assert [r.event["data"]["status"] for r in got_statuses] == [
        "SUBSCRIBED",
        "UNSUBSCRIBED",
        "SUBSCRIBED",
        "UNSUBSCRIBED",
    ]
    # Signed under each subscription's own secret, the event id in its header; a changed body
    # or the other subscription's secret does not verify.
    for request in got_statuses:
        assert is_signed(request, only_statuses["secret"])
        assert not is_signed(request, both["secret"])
        assert request.headers["consentry-event-id"] == request.event["id"]
        assert request.headers["content-type"] == "application/json"
    for request in got_everything:
        assert is_signed(request, both["secret"])
    tampered = Received(
        got_statuses[0].path,
        got_statuses[0].headers,
        got_statuses[0].body.replace(b"SUBSCRIBED", b"UNSUBSCRIBED"),
    )
    assert not is_signed(tampered, only_statuses["secret"])
    # The two subscribers were sent the same status events, under the same ids.
    assert ids(got_statuses) == [
        r.event["id"] for r in got_everything if r.event["type"] == STATUS_CHANGED
    ]


def test_a_receiver_that_fails_for_a_while_then_recovers_gets_every_event_exactly_once(
    api: httpx.Client, start_worker: Callable[..., subprocess.Popen[str]]
) -> None:
    failures = 4
    with receiving(lambda n: 500 if n < failures else 200) as receiver:
        webhook = subscribe(api, receiver.url, STATUS_CHANGED)
        start_worker(**QUICK_RETRIES)
        for n in range(6):
            set_status(api, f"r{n}@example.com", "UNSUBSCRIBED")
        wait_for(lambda: len(receiver.delivered()) == 6, "all six events answered 200")
        every = receiver.all()

    delivered = answered_ok(receiver)
    assert len(delivered) == len(set(delivered)) == 6  # each event once (by id)
    assert [r.event["data"]["address"] for r in receiver.delivered()] == [
        f"r{n}@example.com" for n in range(6)
    ]
    # The first event was retried until it went through; nothing newer went ahead of it.
    assert ids(every)[: failures + 1] == [delivered[0]] * (failures + 1)
    # The receiver hears a request before the worker commits its attempt: wait for the log.
    wait_for(
        lambda: [d["state"] for d in deliveries(api, webhook["id"])] == ["DELIVERED"] * 6,
        "all six attempts recorded",
    )
    log = deliveries(api, webhook["id"])
    first = log[-1]  # newest first
    assert first["eventId"] == delivered[0] and first["attempts"] == failures + 1
    assert [a["statusCode"] for a in first["attemptLog"]] == [500] * failures + [200]
    assert first["lastStatusCode"] == 200 and first["lastLatencyMs"] >= 0


def test_a_failing_or_hanging_receiver_does_not_hold_back_another(
    api: httpx.Client, start_worker: Callable[..., subprocess.Popen[str]]
) -> None:
    gate = threading.Event()
    with (
        receiving(gate=gate) as hanging,
        receiving(lambda _: 503) as failing,
        receiving() as healthy,
    ):
        stuck = subscribe(api, hanging.url, STATUS_CHANGED)
        down = subscribe(api, failing.url, STATUS_CHANGED)
        subscribe(api, healthy.url, STATUS_CHANGED)
        # A timeout longer than the test: the hanging receiver's first request stays open.
        start_worker(CONSENTRY_WEBHOOK_TIMEOUT_SECONDS="60", **QUICK_RETRIES)
        try:
            set_status(api, "first@example.com", "UNSUBSCRIBED")
            wait_for(lambda: len(hanging.all()) == 1, "the hanging receiver to be asked")
            wait_for(lambda: len(failing.all()) >= 2, "the failing receiver's first retry")
            for n in range(5):  # while one receiver hangs and the other keeps failing
                set_status(api, f"later{n}@example.com", "UNSUBSCRIBED")
            wait_for(lambda: len(healthy.delivered()) == 6, "every event at the healthy one")

            # The healthy receiver has all six while the hanging one still holds its first
            # request (no attempt is recorded yet) and the failing one has had only its first.
            assert len(hanging.all()) == 1
            assert [(d["state"], d["attempts"]) for d in deliveries(api, stuck["id"])] == [
                ("PENDING", 0)
            ] * 6
            assert set(ids(failing.all())) == {ids(healthy.all())[0]}
            assert {d["state"] for d in deliveries(api, down["id"])} == {"PENDING"}
        finally:
            gate.set()  # let the held request end before the worker is stopped
    assert ids(healthy.all()) == ids(healthy.delivered())  # sent once each, all answered


def test_killing_the_worker_mid_delivery_loses_no_event(
    api: httpx.Client, start_worker: Callable[..., subprocess.Popen[str]]
) -> None:
    """At least once: an event whose request the receiver got before the kill, but whose
    answer the worker never recorded, is sent again after the restart (same event id). So
    the assertion is: every event arrives; an id arrives twice only if the receiver had it
    before the kill; and de-duplicated by id, the order is the order the events were made."""
    gate = threading.Event()
    held = 3  # the fourth request is held open while the worker is killed
    with receiving(gate=gate, held=lambda n: n == held) as receiver:
        webhook = subscribe(api, receiver.url, STATUS_CHANGED)
        made = [f"k{n}@example.com" for n in range(8)]
        for address in made:
            set_status(api, address, "UNSUBSCRIBED")
        first = start_worker(CONSENTRY_WEBHOOK_TIMEOUT_SECONDS="2", **QUICK_RETRIES)
        wait_for(lambda: len(receiver.all()) == held + 1, "the held request")
        first.send_signal(signal.SIGKILL)
        first.wait()
        before_kill = ids(receiver.all())
        gate.set()  # its answer now goes to a dead socket

        start_worker(CONSENTRY_WEBHOOK_TIMEOUT_SECONDS="2", **QUICK_RETRIES)
        wait_for(
            lambda: [d["state"] for d in deliveries(api, webhook["id"])] == ["DELIVERED"] * 8,
            "every delivery after the restart (once the dead worker's lease runs out)",
        )
        every = receiver.all()

    assert len(before_kill) == held + 1
    after_restart = ids(every)[len(before_kill) :]
    twice = [event_id for event_id in after_restart if event_id in before_kill]
    assert set(twice) <= {before_kill[held]}  # only the one whose answer was lost
    first_seen = list(dict.fromkeys(ids(every)))
    assert len(first_seen) == 8
    by_id = {r.event["id"]: r.event["data"]["address"] for r in every}
    assert [by_id[event_id] for event_id in first_seen] == made


def test_the_webhooks_api_adds_pauses_resumes_lists_deliveries_and_redelivers(
    api: httpx.Client, start_worker: Callable[..., subprocess.Popen[str]]
) -> None:
    with receiving() as receiver:
        made = subscribe(api, receiver.url, STATUS_CHANGED, description="CRM sync")
        # The secret is generated and shown once; afterwards only its first characters.
        assert made["secret"].startswith("whsec_") and len(made["secret"]) > 32
        shown = api.get(f"/api/v1/webhooks/{made['id']}").json()
        assert "secret" not in shown and made["secret"].startswith(shown["secretHint"][:4])
        assert shown["active"] is True and shown["eventTypes"] == [STATUS_CHANGED]
        given = subscribe(api, receiver.url, CONTACT_CREATED, secret="s" * 20, active=False)
        assert given["secret"] == "s" * 20 and given["active"] is False
        listed = api.get("/api/v1/webhooks").json()["results"]
        assert [(w["id"], w["active"]) for w in listed] == [
            (made["id"], True),
            (given["id"], False),
        ]
        start_worker()

        set_status(api, "one@example.com", "UNSUBSCRIBED")
        wait_for(lambda: len(receiver.delivered()) == 1, "the first event")
        paused = api.patch(f"/api/v1/webhooks/{made['id']}", json={"active": False})
        assert paused.status_code == 200 and paused.json()["active"] is False
        set_status(api, "while-paused@example.com", "UNSUBSCRIBED")  # not queued for it
        resumed = api.patch(f"/api/v1/webhooks/{made['id']}", json={"active": True})
        assert resumed.json()["active"] is True
        set_status(api, "two@example.com", "UNSUBSCRIBED")
        wait_for(lambda: len(receiver.delivered()) == 2, "the event after resuming")
        assert [r.event["data"]["address"] for r in receiver.delivered()] == [
            "one@example.com",
            "two@example.com",
        ]

        # The receiver hears a request before the worker commits its attempt: wait for the log.
        wait_for(
            lambda: [d["state"] for d in deliveries(api, made["id"])] == ["DELIVERED"] * 2,
            "both attempts recorded",
        )
        log = deliveries(api, made["id"])
        assert [(d["state"], d["attempts"], d["lastStatusCode"]) for d in log] == [
            ("DELIVERED", 1, 200)
        ] * 2
        assert log[0]["payload"]["data"]["address"] == "two@example.com"
        assert log[0]["attemptLog"][0]["statusCode"] == 200
        assert log[0]["attemptLog"][0]["latencyMs"] >= 0
        page = api.get(f"/api/v1/webhooks/{made['id']}/deliveries", params={"limit": 1}).json()
        assert [d["id"] for d in page["results"]] == [log[0]["id"]]
        older = api.get(
            f"/api/v1/webhooks/{made['id']}/deliveries",
            params={"limit": 1, "before": page["nextBefore"]},
        ).json()
        assert [d["id"] for d in older["results"]] == [log[1]["id"]]
        assert older["nextBefore"] is None
        assert api.get("/api/v1/webhooks").json()["results"][0]["deliveries"] == {
            "pending": 0,
            "failed": 0,
            "delivered": 2,
        }

        again = api.post(f"/api/v1/webhooks/{made['id']}/deliveries/{log[1]['id']}/redeliver")
        assert again.status_code == 202 and again.json()["state"] == "PENDING"
        wait_for(lambda: len(receiver.delivered()) == 3, "the redelivery")
        assert receiver.delivered()[2].event["id"] == log[1]["eventId"]  # same id: de-duplicable
        wait_for(lambda: deliveries(api, made["id"])[1]["attempts"] == 2, "the attempt recorded")

        rotated = api.post(f"/api/v1/webhooks/{made['id']}/rotate-secret").json()
        assert rotated["secret"] != made["secret"]
        set_status(api, "three@example.com", "UNSUBSCRIBED")
        wait_for(lambda: len(receiver.delivered()) == 4, "an event after rotating")
        assert is_signed(receiver.delivered()[3], rotated["secret"])
        assert not is_signed(receiver.delivered()[3], made["secret"])

    assert api.delete(f"/api/v1/webhooks/{given['id']}").status_code == 204
    assert api.get(f"/api/v1/webhooks/{given['id']}").status_code == 404
    missing = api.post(f"/api/v1/webhooks/{made['id']}/deliveries/999999/redeliver")
    assert missing.status_code == 404 and missing.json()["errors"][0]["in"] == "deliveryId"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.com/hook", "eventTypes": [STATUS_CHANGED]}, "url"),
        ({"url": "not a url", "eventTypes": [STATUS_CHANGED]}, "url"),
        ({"url": "https://example.com/hook", "eventTypes": ["contact.exploded"]}, "eventTypes"),
        ({"url": "https://example.com/hook", "eventTypes": []}, "eventTypes"),
        (
            {"url": "https://example.com/hook", "eventTypes": [STATUS_CHANGED], "secret": "short"},
            "secret",
        ),
        ({"eventTypes": [STATUS_CHANGED]}, "url"),
        (
            {"url": "https://example.com/hook", "eventTypes": [STATUS_CHANGED], "colour": 1},
            "colour",
        ),
    ],
)
def test_a_bad_field_answers_400_naming_it_and_adds_nothing(
    api: httpx.Client, body: dict[str, Any], field: str
) -> None:
    refused = api.post("/api/v1/webhooks", json=body)
    assert refused.status_code == 400, refused.text
    assert [error["in"] for error in refused.json()["errors"]] == [field]
    assert api.get("/api/v1/webhooks").json()["results"] == []


def test_a_bad_field_in_a_change_answers_400_and_changes_nothing(api: httpx.Client) -> None:
    made = subscribe(api, "https://example.com/hook", STATUS_CHANGED)
    for body, field in (
        ({"url": "https://user:pw@example.com/hook"}, "url"),
        ({"eventTypes": ["nope"]}, "eventTypes"),
        ({"active": "sometimes"}, "active"),
    ):
        refused = api.patch(f"/api/v1/webhooks/{made['id']}", json={**body, "description": "x"})
        assert refused.status_code == 400, refused.text
        assert [error["in"] for error in refused.json()["errors"]] == [field]
    kept = api.get(f"/api/v1/webhooks/{made['id']}").json()
    assert (kept["url"], kept["eventTypes"], kept["description"]) == (
        "https://example.com/hook",
        [STATUS_CHANGED],
        "",
    )
