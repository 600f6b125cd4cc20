"""`consentry ledger rebuild --check` on the real command: exit 0 when the tables equal the
fold of the ledger, exit 1 naming each row that drifted, and it writes nothing."""

from sqlalchemy import Engine

from consentry import services
from consentry.domain import Status
from tests.e2e.helpers import Cli, execute, ok, one_line, query
from tests.integration.helpers import change


def test_check_passes_then_names_a_drifted_row_without_fixing_it(
    consentry: Cli, engine: Engine, database_url: str
) -> None:
    services.set_status(engine, change("a@x.com", Status.SUBSCRIBED))
    services.set_status(engine, change("b@x.com", Status.UNSUBSCRIBED))

    shown = one_line(ok(consentry("ledger", "rebuild", "--check")))
    assert "Projection matches the ledger: 2 subscribers, 2 entries folded" in shown

    execute(database_url, "UPDATE subscription_statuses SET status = 'SUBSCRIBED'")
    refused = consentry("ledger", "rebuild", "--check")
    assert refused.returncode == 1, refused.stdout
    message = one_line(refused.stderr)
    assert "type 1: ledger says status=UNSUBSCRIBED" in message and "1 differences" in message
    rows = query(database_url, "SELECT status FROM subscription_statuses ORDER BY subscriber_id")
    assert [row[0] for row in rows] == ["SUBSCRIBED", "SUBSCRIBED"]  # reported, not rewritten


def test_rebuild_without_check_is_refused(consentry: Cli) -> None:
    refused = consentry("ledger", "rebuild")
    assert refused.returncode == 2 and "--check" in one_line(refused.stderr)
