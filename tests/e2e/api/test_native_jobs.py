"""`POST /api/v1/bulk/statuses` and `/api/v1/jobs`: a bulk edit as a job, followed to its end
over a real socket. On SQLite the server's own worker thread runs it; on PostgreSQL a worker
(here: the job runner in the test process) does."""

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine

from consentry import services
from consentry.config import Config
from consentry.domain import Channel
from consentry.services import contacts
from consentry.services.job_pump import make_pump
from tests.e2e.server import running_server, server_config

FINISHED = ("SUCCEEDED", "FAILED", "CANCELLED")


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> Config:
    return server_config(database_url, jobs_dir=tmp_path / "jobs")


@pytest.fixture
def base_url(engine: Engine, config: Config) -> Iterator[str]:
    """The server, with its result files under the test's own directory."""
    with running_server(config) as url:
        yield url


def _finish(client: httpx.Client, engine: Engine, config: Config, job_id: int) -> dict[str, Any]:
    runner = None if engine.dialect.name == "sqlite" else make_pump(engine, config)
    deadline = time.monotonic() + 60
    while True:
        job: dict[str, Any] = client.get(f"/api/v1/jobs/{job_id}").json()
        if job["state"] in FINISHED:
            return job
        assert time.monotonic() < deadline, job
        if runner is not None:
            runner.pump()
        else:
            time.sleep(0.05)


def test_a_bulk_edit_runs_as_a_job(client: httpx.Client, engine: Engine, config: Config) -> None:
    ids = [contacts.create(engine, {"email": f"api{i}@x.com"}).id for i in range(3)]
    nobody = contacts.create(engine, {"firstname": "No email"}).id

    answer = client.post(
        "/api/v1/bulk/statuses",
        json={
            "channel": "EMAIL",
            "status": "UNSUBSCRIBED",
            "subscriptionIds": [1],
            "contactIds": [*ids, nobody],
            "explanation": "Asked at the fair",
        },
    )

    assert answer.status_code == 202, answer.text
    queued = answer.json()
    assert (queued["kind"], queued["total"], queued["done"]) == ("bulk_edit", 4, 0)
    job = _finish(client, engine, config, queued["id"])
    assert job["state"] == "SUCCEEDED"
    assert job["summary"] == {"applied": 3, "no_email": 1}
    assert job["createdBy"].startswith("api_token:")
    results = client.get(job["resultsUrl"])
    assert results.status_code == 200
    lines = list(csv.DictReader(io.StringIO(results.text)))
    assert [line["outcome"] for line in lines] == ["APPLIED", "APPLIED", "APPLIED", "NO_EMAIL"]
    history = services.history(engine, "api0@x.com", Channel.EMAIL)
    assert [(e.source, e.legal_basis_explanation) for e in history.entries] == [
        ("BULK", "Asked at the fair")
    ]
    listed = client.get("/api/v1/jobs").json()["results"]
    assert [j["id"] for j in listed] == [queued["id"]]


def test_bad_bulk_edits_are_refused_before_anything_runs(client: httpx.Client) -> None:
    unknown = client.post(
        "/api/v1/bulk/statuses",
        json={"status": "UNSUBSCRIBED", "subscriptionIds": [99]},
    )
    wrong_channel = client.post(
        "/api/v1/bulk/statuses",
        json={"channel": "SMS", "status": "UNSUBSCRIBED", "subscriptionIds": [1]},
    )

    assert unknown.status_code == 400 and "Unknown subscriptionId 99" in unknown.json()["message"]
    assert wrong_channel.status_code == 400 and "is a EMAIL type" in wrong_channel.json()["message"]
    assert client.get("/api/v1/jobs").json()["results"] == []


def test_cancelling_and_unknown_jobs(client: httpx.Client, engine: Engine) -> None:
    contacts.create(engine, {"email": "c@x.com"})
    missing = client.get("/api/v1/jobs/999")
    assert missing.status_code == 404

    queued = client.post(
        "/api/v1/bulk/statuses", json={"status": "UNSUBSCRIBED", "subscriptionIds": [1]}
    ).json()
    cancelled = client.post(f"/api/v1/jobs/{queued['id']}/cancel").json()

    assert cancelled["state"] in FINISHED  # cancelled, unless the worker was quicker
    if cancelled["state"] == "CANCELLED":
        assert client.get(f"/api/v1/jobs/{queued['id']}/results").status_code in (200, 404)


def test_an_opt_out_list_uploaded_and_imported(
    client: httpx.Client, engine: Engine, config: Config
) -> None:
    body = "Email\nup1@x.com\n\nnot-an-address\nUP1@x.com\n".encode("utf-16")
    headers = {"Content-Type": "text/csv"}

    wrong = client.post("/api/v1/imports/optouts?expectRows=4", content=body, headers=headers)
    answer = client.post("/api/v1/imports/optouts?expectRows=3", content=body, headers=headers)

    assert wrong.status_code == 400
    assert "The file has 3 rows, not 4: nothing was imported." in wrong.json()["message"]
    assert answer.status_code == 202, answer.text
    job = _finish(client, engine, config, answer.json()["id"])
    assert (job["kind"], job["state"]) == ("import_optouts", "SUCCEEDED")
    assert "file" not in job["params"]  # where the server keeps its copy is its own business
    lines = list(csv.DictReader(io.StringIO(client.get(job["resultsUrl"]).text)))
    assert [(line["line"], line["outcome"]) for line in lines] == [
        ("2", "APPLIED"),
        ("3", "BLANK"),
        ("4", "BAD_ROW"),
        ("5", "DUPLICATE"),
    ]
    view = services.read_statuses(engine, "up1@x.com", Channel.EMAIL)
    assert view.unsubscribed_from_all


def test_an_upload_that_is_not_a_list_is_refused(client: httpx.Client) -> None:
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    broken = client.post(
        "/api/v1/imports/optouts?expectRows=1",
        content=b"PK\x03\x04 not really a workbook",
        headers={"Content-Type": xlsx},
    )
    transform = client.post(
        "/api/v1/imports/optouts?expectRows=1&encoding=rot13",
        content=b"Email\na@x.com\n",
        headers={"Content-Type": "text/csv"},
    )

    assert broken.status_code == 400 and "cannot be read as XLSX" in broken.json()["message"]
    assert transform.status_code == 400 and "rot13" in transform.json()["message"]
    # Python's "undefined" codec exists but refuses every byte (found by schemathesis).
    undefined = client.post(
        "/api/v1/imports/optouts?expectRows=1&encoding=undefined",
        content=b"Email\na@x.com\n",
        headers={"Content-Type": "text/csv"},
    )
    assert undefined.status_code == 400 and "undefined" in undefined.json()["message"]
    # A NUL in the name makes the codec lookup raise ValueError (found by schemathesis).
    nul = client.post(
        "/api/v1/imports/optouts?expectRows=1&encoding=utf%008",
        content=b"Email\na@x.com\n",
        headers={"Content-Type": "text/csv"},
    )
    assert nul.status_code == 400 and nul.json()["message"].startswith("Unknown text encoding")
