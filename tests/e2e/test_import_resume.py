"""Killing the importing process (SIGKILL) in the middle of a 200,000-row opt-out import, then
starting a worker: the job resumes from its last committed chunk and ends with exactly the
database an uninterrupted import writes — for a list of distinct new addresses, one applied
"unsubscribe from all" entry per row, in file order, with gapless ledger ids: no row applied
twice (that would add a NO_CHANGE entry) and none skipped (that would leave a gap).

The import is scoped to a business unit without types, so each row is one ledger entry and the
test stays near a minute; the chunking and resuming are the same as for any scope.
"""

import csv
import subprocess
import time
from pathlib import Path

from tests.e2e.helpers import CONSENTRY, Cli, cli_env, execute, ok, query

ROWS = 200_000


def _job(database_url: str) -> tuple[str, int]:
    rows = query(database_url, "SELECT state, done FROM jobs")
    return (rows[0][0], rows[0][1]) if rows else ("", 0)


def test_a_killed_import_resumes_exactly_where_it_stopped(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    ok(consentry("settings", "set", "business_units_enabled", "true"))
    ok(consentry("units", "create", "Imports"))
    path = tmp_path / "optouts.csv"
    path.write_text("Email\n" + "".join(f"r{i}@example.com\n" for i in range(ROWS)))
    env = cli_env(database_url) | {
        "CONSENTRY_JOB_LEASE_SECONDS": "1",
        "CONSENTRY_JOBS_DIR": str(tmp_path / "jobs"),
    }
    command = [CONSENTRY, "import", "optouts", str(path), "--expect-rows", str(ROWS)]
    with (tmp_path / "import.log").open("w") as log:
        importing = subprocess.Popen(
            [*command, "--business-unit", "1"], env=env, cwd=tmp_path, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 240
        while _job(database_url)[1] < 40_000:
            assert importing.poll() is None, (tmp_path / "import.log").read_text()
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.1)
        importing.kill()
        importing.wait()

    state, done = _job(database_url)
    assert state == "RUNNING" and 0 < done < ROWS
    time.sleep(1.5)  # the dead process's lease runs out
    if database_url.startswith("postgresql"):
        # The test server runs with autovacuum off: without statistics of the grown tables,
        # the resumed worker's prepared lookups would scan them (production analyzes itself).
        execute(database_url, "ANALYZE")
    resumed = subprocess.run(
        [CONSENTRY, "worker", "--until-idle"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert resumed.returncode == 0, resumed.stderr

    assert _job(database_url) == ("SUCCEEDED", ROWS)
    entries = query(database_url, "SELECT id, address, action, outcome FROM ledger ORDER BY id")
    assert [tuple(e) for e in entries] == [
        (i + 1, f"r{i}@example.com", "SET_WIDE", "APPLIED") for i in range(ROWS)
    ]
    wide = query(
        database_url,
        "SELECT s.key, w.ledger_id, w.opted_out, w.business_unit_id FROM wide_statuses w"
        " JOIN subscribers s ON s.id = w.subscriber_id ORDER BY w.ledger_id",
    )
    assert [tuple(w) for w in wide] == [(f"r{i}@example.com", i + 1, True, 1) for i in range(ROWS)]
    assert query(database_url, "SELECT COUNT(*) FROM subscribers")[0][0] == ROWS
    result_path = query(database_url, "SELECT result_path FROM jobs")[0][0]
    with open(result_path, encoding="utf-8", newline="") as source:
        lines = [(r["line"], r["outcome"]) for r in csv.DictReader(source)]
    assert lines == [(str(i + 2), "APPLIED") for i in range(ROWS)]
    verify = subprocess.run(
        [CONSENTRY, "ledger", "verify"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert verify.returncode == 0 and "chain intact" in verify.stdout
