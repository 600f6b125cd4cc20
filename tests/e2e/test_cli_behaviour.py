"""Behaviour around the acceptance items that a user of the CLI would notice."""

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.e2e.helpers import (
    CONSENTRY,
    Cli,
    cli_env,
    ok,
    one_line,
    query,
    run_consentry,
    table,
    type_ids,
)


def _brand_with_two_types(consentry: Cli) -> str:
    """Business units on, unit "Brand2" with types "Brand2 News" and "Brand2 Deals"; its id."""
    ok(consentry("settings", "set", "business_units_enabled", "true"))
    ok(consentry("units", "create", "Brand2"))
    unit = next(r["id"] for r in table(ok(consentry("units", "list"))) if r["name"] == "Brand2")
    ok(consentry("types", "create", "Brand2 News", "--business-unit", unit))
    ok(consentry("types", "create", "Brand2 Deals", "--business-unit", unit))
    return unit


def test_resubscribing_in_a_unit_clears_its_opt_out_but_not_its_other_types(
    consentry: Cli,
) -> None:
    unit = _brand_with_two_types(consentry)
    ids = type_ids(consentry)
    ok(consentry("unsubscribe-all", "b@x.com", "--business-unit", unit))

    resubscribed = consentry(
        "status", "set", "b@x.com", "--type", str(ids["Brand2 News"]), "--status", "SUBSCRIBED",
        "--legal-basis", "LEGITIMATE_INTEREST_CLIENT", "--explanation", "Asked at the counter",
    )  # fmt: skip

    assert "RESUBSCRIBE_OCCURRED" in ok(resubscribed)
    status = ok(consentry("status", "get", "b@x.com"))
    assert "Unsubscribed from all email: false" in status
    rows = {row["name"]: row for row in table(status)}
    assert rows["Brand2 News"]["may send"].startswith("yes")
    assert rows["Brand2 Deals"]["status"] == "UNSUBSCRIBED"
    assert rows["Brand2 Deals"]["may send"].startswith("no")


def test_a_workflow_cannot_undo_a_unit_wide_opt_out(consentry: Cli) -> None:
    unit = _brand_with_two_types(consentry)
    deals = str(type_ids(consentry)["Brand2 Deals"])
    ok(consentry("unsubscribe-all", "b@x.com", "--business-unit", unit))

    refused = consentry(
        "status", "set", "b@x.com", "--type", deals, "--status", "SUBSCRIBED",
        "--source", "WORKFLOW",
    )  # fmt: skip

    assert refused.returncode == 1
    assert "cannot resubscribe" in one_line(refused.stderr)
    assert "Unsubscribed from all email: true" in ok(consentry("status", "get", "b@x.com"))


def test_an_account_wide_opt_out_covers_every_unit(consentry: Cli) -> None:
    _brand_with_two_types(consentry)

    ok(consentry("unsubscribe-all", "c@x.com"))

    rows = table(ok(consentry("status", "get", "c@x.com")))
    assert len(rows) == 5
    assert all(row["may send"].startswith("no") for row in rows), rows


def test_concurrent_cli_writers_keep_the_ledger_chain_intact(
    consentry: Cli, database_url: str
) -> None:
    marketing = str(type_ids(consentry)["Marketing Information"])
    addresses = [f"user{n}@x.com" for n in range(6)]

    with ThreadPoolExecutor(max_workers=len(addresses)) as pool:
        results = list(
            pool.map(
                lambda address: consentry(
                    "status", "set", address, "--type", marketing, "--status", "UNSUBSCRIBED"
                ),
                addresses,
            )
        )

    assert [result.returncode for result in results] == [0] * len(addresses), [
        result.stderr for result in results
    ]
    ids = [row[0] for row in query(database_url, "SELECT id FROM ledger ORDER BY id")]
    assert ids == list(range(1, len(addresses) + 1)), "ledger ids must be gapless"
    assert f"{len(addresses)} entries, chain intact" in ok(consentry("ledger", "verify"))


def test_serve_rejects_a_port_out_of_range(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [CONSENTRY, "serve", "--host", "127.0.0.1", "--port", "99999"],
            env=cli_env(database_url),
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        deadline = time.monotonic() + 30
        while server.poll() is None and time.monotonic() < deadline:
            if "Uvicorn running" in log.read_text():
                pytest.fail(f"`serve --port 99999` started serving:\n{log.read_text()}")
            time.sleep(0.2)
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)

    assert server.returncode == 2
    assert "99999" in one_line(log.read_text())


def _unreachable(database_url: str) -> str:
    """A URL like the test database's that cannot be opened: no such directory, or no server."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return "sqlite:////proc/consentry-e2e/consentry.db"
    return url.set(port=1).render_as_string(hide_password=False)


def test_an_unreachable_database_gets_a_message_not_a_traceback(
    database_url: str, tmp_path: Path
) -> None:
    result = run_consentry(_unreachable(database_url), tmp_path, "types", "list")

    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip(), "the user is told what went wrong"
