"""Production run: `consentry serve --workers N` on PostgreSQL beside a `consentry worker`
process, with JSON logs and /metrics added up over the server's processes; and the request
log's correlation id, the one error answers carry."""

import json
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from consentry.services import contacts, tokens
from consentry.storage.engine import make_engine
from tests.e2e.api.conftest import ALL_SCOPES
from tests.e2e.helpers import CONSENTRY, Cli, cli_env, one_line
from tests.e2e.server import free_port

METRICS_TOKEN = "metrics-token-for-the-tests-0123456789"
V4 = "/communication-preferences/v4/statuses"
V4_ROUTE = V4 + "/{subscriberIdString}"
WAIT_S = 60


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def _started(args: list[str], env: dict[str, str], log: Path, cwd: Path) -> Iterator[None]:
    with log.open("w") as output:
        process = subprocess.Popen(
            [CONSENTRY, *args], env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT, text=True
        )
    try:
        yield
    finally:
        _stop(process)


@contextmanager
def serving(database_url: str, workdir: Path, *extra: str) -> Iterator[tuple[str, Path]]:
    """`consentry serve` with JSON logs and a metrics token; yields (base URL, its log)."""
    port = free_port()
    env = {
        **cli_env(database_url),
        "CONSENTRY_LOG_FORMAT": "json",
        "CONSENTRY_METRICS_TOKEN": METRICS_TOKEN,
    }
    log = workdir / f"serve-{port}.log"
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), *extra]
    with _started(args, env, log, workdir):
        base_url = f"http://127.0.0.1:{port}"
        _until(lambda: _answers(base_url), f"the server did not answer:\n{log.read_text()}")
        yield base_url, log


def _answers(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/healthz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _until(condition: Any, failure: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(failure)
        time.sleep(0.1)


def json_lines(log: Path) -> list[dict[str, Any]]:
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    return [json.loads(line) for line in lines]


def request_lines(log: Path) -> dict[str, dict[str, Any]]:
    """The request log's lines, by correlation id."""
    return {
        line["correlation_id"]: line
        for line in json_lines(log)
        if line.get("logger") == "consentry.request"
    }


def scrape(base_url: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    answer = httpx.get(
        f"{base_url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.text)
        for sample in family.samples
    }


def test_a_request_log_line_carries_the_correlation_id_of_the_answer(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    with serving(database_url, tmp_path) as (base_url, log):
        missing = httpx.get(
            f"{base_url}/api/v1/jobs/999", headers={"Authorization": "Bearer not-a-token"}
        )
        chosen = httpx.get(f"{base_url}/healthz", headers={"X-Request-Id": "caller-id-42"})
        forged = httpx.get(f"{base_url}/healthz", headers={"X-Request-Id": 'bad id" level=error'})
        ids = [missing.headers["x-request-id"], "caller-id-42", forged.headers["x-request-id"]]
        _until(lambda: set(ids) <= set(request_lines(log)), f"no request lines:\n{log.read_text()}")

    assert missing.status_code == 401
    assert missing.json()["correlationId"] == ids[0]
    assert chosen.headers["x-request-id"] == "caller-id-42"
    assert forged.headers["x-request-id"] != 'bad id" level=error'  # unusable: a new one
    lines = request_lines(log)
    first = lines[ids[0]]
    assert (first["method"], first["route"], first["status"]) == (
        "GET",
        "/api/v1/jobs/{jobId}",
        401,
    )
    assert first["level"] == "info" and isinstance(first["duration_ms"], float)
    assert lines["caller-id-42"]["route"] == "/healthz"


def test_serve_refuses_several_workers_on_sqlite(consentry: Cli, database_url: str) -> None:
    if make_url(database_url).get_backend_name() != "sqlite":
        pytest.skip("PostgreSQL serves several workers")

    refused = consentry("serve", "--port", str(free_port()), "--workers", "2")

    assert refused.returncode == 2
    assert "--workers 2 needs PostgreSQL" in one_line(refused.stderr)


def test_several_server_processes_and_a_worker_on_postgresql(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("several server processes need PostgreSQL")
    engine = make_engine(database_url)
    _, api_token = tokens.create_token(engine, "e2e", ALL_SCOPES)
    headers = {"Authorization": f"Bearer {api_token}"}
    worker_env = {**cli_env(database_url), "CONSENTRY_LOG_FORMAT": "json"}
    worker_log = tmp_path / "worker.log"

    with (
        serving(database_url, tmp_path, "--workers", "2") as (base_url, log),
        _started(["worker"], worker_env, worker_log, tmp_path),
    ):
        before = scrape(base_url)
        written: list[str] = []

        def write(n: int) -> str:
            request_id = f"write-{n}-{uuid.uuid4().hex[:8]}"
            # A new connection each time, so the kernel may hand it to either process.
            answer = httpx.post(
                f"{base_url}{V4}/person{n}@example.com",
                json={"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": 1},
                headers={**headers, "X-Request-Id": request_id},
                timeout=30,
            )
            assert answer.status_code == 200, answer.text
            return request_id

        def processes_seen() -> set[int]:
            lines = request_lines(log)
            return {lines[i]["pid"] for i in written if i in lines}

        with ThreadPoolExecutor(max_workers=6) as pool:
            while len(processes_seen()) < 2 and len(written) < 600:
                written += pool.map(write, range(len(written), len(written) + 30))
        _until(lambda: set(written) <= set(request_lines(log)), "request lines missing")
        assert len(processes_seen()) == 2, "every write was served by one process"

        # Both processes' counts, added up in one scrape (whichever process serves it).
        after = scrape(base_url)
        route = frozenset({"method": "POST", "route": V4_ROUTE, "status": "200"}.items())
        counted = "consentry_http_requests_total", route
        assert after.get(counted, 0) - before.get(counted, 0) == len(written)
        applied = (
            "consentry_ledger_entries_total",
            frozenset({"source": "API", "outcome": "APPLIED"}.items()),
        )
        assert after.get(applied, 0) - before.get(applied, 0) == len(written)

        # The worker process beside them runs a job the servers queued.
        ids = [contacts.create(engine, {"email": f"bulk{i}@example.com"}).id for i in range(4)]
        queued = httpx.post(
            f"{base_url}/api/v1/bulk/statuses",
            headers=headers,
            json={
                "channel": "EMAIL",
                "status": "UNSUBSCRIBED",
                "subscriptionIds": [1],
                "contactIds": ids,
            },
        )
        assert queued.status_code == 202, queued.text
        job_id = queued.json()["id"]

        def finished() -> bool:
            job = httpx.get(f"{base_url}/api/v1/jobs/{job_id}", headers=headers).json()
            return bool(job["state"] == "SUCCEEDED")

        _until(finished, f"the worker did not run the job:\n{worker_log.read_text()}")
        done = scrape(base_url)
        bulk = (
            "consentry_ledger_entries_total",
            frozenset({"source": "BULK", "outcome": "APPLIED"}.items()),
        )
        assert done.get(bulk, 0) - before.get(bulk, 0) == 4
        assert done[("consentry_jobs", frozenset({("state", "QUEUED")}))] == 0
        _until(
            lambda: any(line.get("job_id") == job_id for line in json_lines(worker_log)),
            f"no job line in the worker's log:\n{worker_log.read_text()}",
        )
    engine.dispose()

    ended = [line for line in json_lines(worker_log) if line.get("state") == "SUCCEEDED"]
    assert [(line["job_id"], line["rows"]) for line in ended] == [(job_id, 4)]
