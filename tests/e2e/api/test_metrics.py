"""`GET /metrics` over a real socket, on SQLite and PostgreSQL: who may read it, that
prometheus_client's own parser reads it, and that its numbers move as the test acts (requests,
status writes through the API, a job queued and run, a mail queued, a webhook failing)."""

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine

from consentry.config import Config
from consentry.domain import ACCOUNT_UNIT_ID, Actor, ActorKind, Channel
from consentry.services import contacts, webhooks
from consentry.services.job_pump import make_pump
from consentry.services.preference_links import send_preference_link
from tests.e2e.server import free_port, running_server, server_config

TOKEN = "metrics-token-for-the-tests-0123456789"
V4_STATUS = "/communication-preferences/v4/statuses/{subscriberIdString}"

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Config:
    # No worker thread: the test runs the job itself, so it can see it queued first.
    return server_config(
        database_url, metrics_token=TOKEN, in_process_worker=False, jobs_dir=tmp_path / "jobs"
    )


@pytest.fixture
def base_url(engine: Engine, config: Config) -> Iterator[str]:
    with running_server(config) as url:
        yield url


def scrape(base_url: str) -> Samples:
    """Every sample of one scrape, parsed by prometheus_client, by (name, labels)."""
    answer = httpx.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def requests(samples: Samples, route: str, status: str, method: str = "GET") -> float:
    return value(
        samples, "consentry_http_requests_total", method=method, route=route, status=status
    )


def test_metrics_need_the_configured_token(base_url: str) -> None:
    missing = httpx.get(f"{base_url}/metrics", headers={"Accept": "application/json"})
    wrong = httpx.get(
        f"{base_url}/metrics",
        headers={"Authorization": "Bearer not-the-token", "Accept": "application/json"},
    )
    right = httpx.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})

    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == "Bearer"
    assert "CONSENTRY_METRICS_TOKEN" in missing.json()["message"]
    assert wrong.status_code == 403
    assert right.status_code == 200
    assert TOKEN not in right.text


def test_without_a_configured_token_no_one_reads_metrics(engine: Engine, database_url: str) -> None:
    with running_server(server_config(database_url)) as url:
        answer = httpx.get(
            f"{url}/metrics",
            headers={"Authorization": "Bearer anything-at-all-here", "Accept": "application/json"},
        )

    assert answer.status_code == 403
    assert "set CONSENTRY_METRICS_TOKEN" in answer.json()["message"]


def test_request_counts_and_latency_move_by_route_template(base_url: str) -> None:
    before = scrape(base_url)
    for _ in range(3):
        assert httpx.get(f"{base_url}/healthz").status_code == 200
    assert httpx.get(f"{base_url}/api/v1/no-such-thing/42").status_code == 404

    after = scrape(base_url)

    assert requests(after, "/healthz", "200") - requests(before, "/healthz", "200") == 3
    assert requests(after, "unmatched", "404") - requests(before, "unmatched", "404") == 1
    histogram = "consentry_http_request_duration_seconds_count"
    assert (
        value(after, histogram, method="GET", route="/healthz")
        - value(before, histogram, method="GET", route="/healthz")
        == 3
    )
    # The histogram's buckets are cumulative and end in +Inf, which holds every request.
    inf = value(
        after,
        "consentry_http_request_duration_seconds_bucket",
        method="GET",
        route="/healthz",
        le="+Inf",
    )
    assert inf == value(after, histogram, method="GET", route="/healthz")


def test_status_writes_move_ledger_counts_by_source_and_outcome(
    base_url: str, make_token: Callable[..., str]
) -> None:
    before = scrape(base_url)
    headers = {"Authorization": f"Bearer {make_token()}"}
    body = {"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": 1}
    with httpx.Client(base_url=base_url, headers=headers, timeout=30) as client:
        for address in ("ann@example.com", "bob@example.com", "ann@example.com"):
            answer = client.post(f"/communication-preferences/v4/statuses/{address}", json=body)
            assert answer.status_code == 200, answer.text

    after = scrape(base_url)

    entries = "consentry_ledger_entries_total"
    for outcome, written in (("APPLIED", 2), ("NO_CHANGE", 1)):
        moved = value(after, entries, source="API", outcome=outcome) - value(
            before, entries, source="API", outcome=outcome
        )
        assert moved == written, outcome
    assert (
        requests(after, V4_STATUS, "200", "POST") - requests(before, V4_STATUS, "200", "POST") == 3
    )
    # One series per route, never per address: no label carries the raw path.
    assert not any("example.com" in str(labels) for _, labels in after)


def test_a_job_shows_queued_then_its_entries_once_run(
    base_url: str, engine: Engine, config: Config, make_token: Callable[..., str]
) -> None:
    ids = [contacts.create(engine, {"email": f"job{i}@example.com"}).id for i in range(3)]
    before = scrape(base_url)
    queued = httpx.post(
        f"{base_url}/api/v1/bulk/statuses",
        headers={"Authorization": f"Bearer {make_token()}"},
        json={
            "channel": "EMAIL",
            "status": "UNSUBSCRIBED",
            "subscriptionIds": [1],
            "contactIds": ids,
        },
    )
    assert queued.status_code == 202, queued.text

    waiting = scrape(base_url)
    assert value(waiting, "consentry_jobs", state="QUEUED") == 1
    runner = make_pump(engine, config)
    deadline = time.monotonic() + 60
    while runner.pump():
        assert time.monotonic() < deadline
    after = scrape(base_url)

    assert value(after, "consentry_jobs", state="QUEUED") == 0
    assert value(after, "consentry_jobs", state="RUNNING") == 0
    entries = "consentry_ledger_entries_total"
    moved = value(after, entries, source="BULK", outcome="APPLIED") - value(
        before, entries, source="BULK", outcome="APPLIED"
    )
    assert moved == 3


def test_a_queued_mail_shows_in_the_outbox_depth(
    base_url: str, engine: Engine, config: Config
) -> None:
    before = scrape(base_url)

    send_preference_link(
        engine,
        config,
        "carol@example.com",
        Channel.EMAIL,
        ACCOUNT_UNIT_ID,
        actor=Actor(ActorKind.USER, "1"),
    )

    after = scrape(base_url)
    pending = "consentry_mail_outbox"
    assert value(after, pending, state="PENDING") - value(before, pending, state="PENDING") == 1


def test_a_failing_webhook_receiver_shows_as_pending_and_failed(
    base_url: str, engine: Engine, make_token: Callable[..., str]
) -> None:
    nobody_listens = f"http://127.0.0.1:{free_port()}/hook"
    webhooks.create_subscription(
        engine, url=nobody_listens, event_types=["subscription.status_changed"], created_by="test"
    )
    before = scrape(base_url)
    answer = httpx.post(
        f"{base_url}/communication-preferences/v4/statuses/dana@example.com",
        headers={"Authorization": f"Bearer {make_token()}"},
        json={"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": 1},
    )
    assert answer.status_code == 200, answer.text
    webhooks.fan_out(engine)
    queued = scrape(base_url)
    webhooks.deliver_due(webhooks.make_sender(engine, timeout=5, retry_base_seconds=60))

    after = scrape(base_url)

    pending, failed = "consentry_webhook_outbox_pending", "consentry_webhook_failed_attempts_total"
    assert value(queued, pending) - value(before, pending) == 1
    assert value(after, failed) - value(queued, failed) == 1
    assert value(after, pending) == value(queued, pending)  # waiting for its retry
