"""W: a workflow over contacts that already exist (issue "Workflows …").

"Enroll existing contacts now" is a job over every contact matching the trigger; the steps then
run on the worker, each one through the rulebook with its ledger entry. Both halves are timed
through the real CLI: `consentry workflows run` (the job, with its progress bar) and
`consentry worker --until-idle` (the steps). No target in PERFORMANCE.md: the figures are
reported so a regression shows.
"""

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine, insert

from benchmarks import data
from benchmarks.harness import Result, run_cli, run_measured
from consentry.storage.tables import contacts

if TYPE_CHECKING:
    from benchmarks.scenarios import Run

# The quick scale keeps `make bench` short; the full scale is the 100,000 the issue names.
SIZES = {"quick": 20_000, "full": 100_000}

WORKFLOW = {
    "name": "Customers get marketing",
    "enrollmentTrigger": {
        "filterGroups": [
            {"filters": [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "customer"}]}
        ]
    },
    "actions": [
        {
            "type": "MANAGE_SUBSCRIPTION",
            "channel": "EMAIL",
            "status": "SUBSCRIBED",
            "subscriptionId": "1",
            "legalBasis": "LEGITIMATE_INTEREST_CLIENT",
            "legalBasisExplanation": "Existing customer",
        }
    ],
}


def seed_contacts(engine: Engine, count: int) -> None:
    """`count` contacts, every tenth a lead (so the trigger selects 90 %), written directly:
    seeding is not what is measured."""
    now = datetime.now(UTC)
    with engine.begin() as connection:
        for start in range(0, count, 10_000):
            rows = []
            for index in range(start, min(count, start + 10_000)):
                address = data.address(index)
                stage = "lead" if index % 10 == 9 else "customer"
                rows.append(
                    {
                        "email_key": address,
                        "properties": {"email": address, "lifecyclestage": stage},
                        "created_at": now,
                        "updated_at": now,
                        "archived": False,
                    }
                )
            connection.execute(insert(contacts), rows)


def enroll_existing(run: "Run") -> list[Result]:
    count = SIZES[run.scale.name]
    matching = count - count // 10
    spec = run.workdir / "workflow.json"
    spec.write_text(json.dumps(WORKFLOW))
    with run.database() as database:
        seed_contacts(database.engine, count)
        run_cli(database.url, run.workdir, "workflows", "create", "--file", str(spec), "--enable")
        seconds, peak, _ = run_measured(database.url, run.workdir, "workflows", "run", "1")
        step_seconds, step_peak, _ = run_measured(
            database.url, run.workdir, "worker", "--until-idle"
        )
        with database.engine.connect() as connection:
            applied = connection.exec_driver_sql(
                "SELECT COUNT(*) FROM ledger WHERE actor_kind = 'WORKFLOW' AND outcome = 'APPLIED'"
            ).scalar()
    if applied != matching:
        raise RuntimeError(f"the workflow applied {applied} changes for {matching} contacts")
    return [
        Result(
            "W",
            f"enroll {count:,} existing contacts ({matching:,} match), a job with the CLI",
            matching,
            seconds,
            "contacts/s",
            "— (reported)",
            None,
            peak_rss_mb=peak,
        ),
        Result(
            "W",
            f"run the subscribe step for {matching:,} enrollments on the worker",
            matching,
            step_seconds,
            "changes/s",
            "— (reported)",
            None,
            peak_rss_mb=step_peak,
        ),
    ]
