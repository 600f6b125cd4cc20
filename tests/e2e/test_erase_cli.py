"""`consentry erase` on the real command: a dry run changes nothing, the confirmation is asked
and a "no" erases nothing, `--yes` erases, the ledger verifies and the projection still matches,
and an import of the erased address afterwards leaves it suppressed."""

import subprocess
from pathlib import Path

from sqlalchemy import Engine

from consentry import services
from consentry.domain import Status
from tests.e2e.helpers import CONSENTRY, Cli, cli_env, ok, one_line, query
from tests.integration.helpers import change


def test_erase_asks_then_erases_and_a_later_import_stays_suppressed(
    consentry: Cli, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    services.set_status(engine, change("ann@example.com", Status.UNSUBSCRIBED))

    dry = one_line(ok(consentry("erase", "ann@example.com", "--dry-run")))
    assert "Would erase 1 address(es)" in dry and "2 ledger" not in dry
    declined = subprocess.run(
        [CONSENTRY, "erase", "ann@example.com"],
        env=cli_env(database_url),
        cwd=tmp_path,
        input="n\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert declined.returncode == 1 and "cannot be undone" in one_line(declined.stdout)
    assert query(database_url, "SELECT count(*) FROM subscription_statuses") == [(1,)]

    erased = one_line(ok(consentry("erase", "Ann@Example.com", "--yes")))
    assert "Erased. Ledger entry 2 records it" in erased
    assert query(database_url, "SELECT count(*) FROM subscription_statuses") == [(0,)]
    assert "chain intact" in one_line(ok(consentry("ledger", "verify")))
    assert "Projection matches" in one_line(ok(consentry("ledger", "rebuild", "--check")))
    again = consentry("erase", "ann@example.com", "--yes")
    assert again.returncode == 2 and "was erased before" in one_line(again.stderr)

    csv = tmp_path / "old-list.csv"
    csv.write_text("email,status\nann@example.com,subscribed\n")
    ok(consentry("import", "contacts", str(csv), "--map", "status=status:1"))
    shown = one_line(ok(consentry("status", "get", "ann@example.com")))
    assert "Suppressed: ERASED" in shown and "no (SUPPRESSED)" in shown


def test_an_address_that_is_neither_is_refused(consentry: Cli) -> None:
    refused = consentry("erase", "not an address", "--yes")
    assert refused.returncode == 2
    assert "Neither an email address (no @) nor a phone number" in one_line(refused.stderr)
