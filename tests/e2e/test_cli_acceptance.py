"""Issue 2's acceptance, through the real `consentry` command on SQLite and on PostgreSQL.

Exit codes the CLI promises: 0 done; 1 refused by the rulebook or a failed check; 2 bad input,
not found, or a database that needs `consentry db upgrade`.
"""

import pytest

from consentry.storage import migrate
from consentry.storage.engine import make_engine
from tests.e2e.helpers import Cli, count, execute, ok, one_line, query, table, type_ids

DEFAULT_TYPES = {"Marketing Information", "One to One", "Customer Service Communication"}


# --- Migrations and the default types ---------------------------------------------------------


def test_db_upgrade_on_an_empty_database_creates_the_three_default_types(cli: Cli) -> None:
    upgraded = ok(cli("db", "upgrade"))
    assert f"to {migrate.head_revision()}" in upgraded

    types = table(ok(cli("types", "list")))

    assert {row["name"] for row in types} == DEFAULT_TYPES
    assert all(row["channel"] == "EMAIL" and row["unit"] == "0" for row in types)


def test_db_upgrade_twice_is_harmless(consentry: Cli) -> None:
    again = ok(consentry("db", "upgrade"))

    assert "already at the latest revision" in again
    assert {row["name"] for row in table(ok(consentry("types", "list")))} == DEFAULT_TYPES


@pytest.mark.parametrize(
    "command",
    [
        ["types", "list"],
        ["units", "list"],
        ["status", "get", "a@x.com"],
        ["status", "set", "a@x.com", "--type", "1", "--status", "UNSUBSCRIBED"],
        ["unsubscribe-all", "a@x.com"],
        ["history", "a@x.com"],
        ["ledger", "verify"],
        ["settings", "get"],
    ],
    ids=lambda command: "-".join(command[:2]),
)
def test_commands_on_an_unmigrated_database_say_to_run_db_upgrade(
    cli: Cli, database_url: str, command: list[str]
) -> None:
    result = cli(*command)

    assert result.returncode == 2, result.stdout + result.stderr
    assert "consentry db upgrade" in one_line(result.stderr)
    engine = make_engine(database_url)
    try:
        assert migrate.current_revision(engine) is None, "the command must not migrate by itself"
    finally:
        engine.dispose()


# --- The rulebook: opt-out, refused resubscribes, resubscribe with a legal basis ---------------


def test_resubscribe_rules_and_history_of_all_four_attempts(consentry: Cli) -> None:
    marketing = str(type_ids(consentry)["Marketing Information"])
    status_set = ("status", "set", "a@x.com", "--type", marketing)

    opted_out = consentry(*status_set, "--status", "UNSUBSCRIBED", "--source", "USER")
    assert "UNSUBSCRIBED" in ok(opted_out)

    by_workflow = consentry(*status_set, "--status", "SUBSCRIBED", "--source", "WORKFLOW")
    assert by_workflow.returncode == 1
    assert "cannot resubscribe" in one_line(by_workflow.stderr)
    assert "stays UNSUBSCRIBED" in one_line(by_workflow.stderr)

    without_basis = consentry(*status_set, "--status", "SUBSCRIBED", "--source", "USER")
    assert without_basis.returncode == 1
    assert "legal basis" in one_line(without_basis.stderr)

    with_basis = consentry(
        *status_set,
        "--status",
        "SUBSCRIBED",
        "--source",
        "USER",
        "--legal-basis",
        "LEGITIMATE_INTEREST_CLIENT",
        "--explanation",
        "Asked by phone to get offers again",
    )
    out = ok(with_basis)
    assert "SUBSCRIBED" in out
    assert "RESUBSCRIBE_OCCURRED" in out

    history = table(ok(consentry("history", "a@x.com")))
    assert [row["change"] for row in history] == [
        "NOT_SPECIFIED → UNSUBSCRIBED",
        "UNSUBSCRIBED → SUBSCRIBED",
        "UNSUBSCRIBED → SUBSCRIBED",
        "UNSUBSCRIBED → SUBSCRIBED",
    ]
    outcomes = [row["outcome"].split()[0] for row in history]
    assert outcomes == ["APPLIED", "REFUSED", "REFUSED", "APPLIED"]
    assert [row["source"] for row in history].count("Workflow") == 1
    assert "cannot resubscribe" in history[1]["message"]
    assert "legal basis" in history[2]["message"]
    assert "RESUBSCRIBE_OCCURRED" in history[3]["outcome"]
    assert "LEGITIMATE_INTEREST_CLIENT" in history[3]["legal basis"]
    assert "Asked by phone to get offers again" in history[3]["legal basis"]

    current = table(ok(consentry("status", "get", "a@x.com")))
    marketing_row = next(row for row in current if row["type"] == marketing)
    assert marketing_row["status"] == "SUBSCRIBED"
    assert marketing_row["may send"].startswith("yes")


def test_an_address_is_matched_whatever_its_case(consentry: Cli) -> None:
    marketing = str(type_ids(consentry)["Marketing Information"])
    ok(
        consentry(
            "status", "set", "Jane.Doe@Example.COM", "--type", marketing, "--status", "UNSUBSCRIBED"
        )
    )

    history = table(ok(consentry("history", "jane.doe@example.com")))

    assert len(history) == 1
    assert history[0]["change"] == "NOT_SPECIFIED → UNSUBSCRIBED"


# --- The ledger's hash chain ---------------------------------------------------------------------


def _four_ledger_entries(consentry: Cli, database_url: str) -> None:
    """Unsubscribe-all account-wide: one wide entry and one per default type."""
    ok(consentry("unsubscribe-all", "t@x.com"))
    assert [row[0] for row in query(database_url, "SELECT id FROM ledger ORDER BY id")] == [
        1,
        2,
        3,
        4,
    ]
    assert "4 entries, chain intact" in ok(consentry("ledger", "verify"))


def test_a_fresh_ledger_verifies(consentry: Cli) -> None:
    assert "chain intact" in ok(consentry("ledger", "verify"))


@pytest.mark.parametrize(
    "edit",
    [
        "message = 'Nothing to see here.'",
        "actor_id = 'cli:someone-else'",
        "source = 'API'",
        "recorded_at = '2020-01-01 00:00:00'",
        "new_status = 'NOT_SPECIFIED'",
        "evidence = '{}'",
        "address = 'other@x.com'",
    ],
    ids=lambda edit: edit.split()[0],
)
def test_editing_a_ledger_entry_by_hand_fails_verification_naming_it(
    consentry: Cli, database_url: str, edit: str
) -> None:
    _four_ledger_entries(consentry, database_url)
    execute(database_url, f"UPDATE ledger SET {edit} WHERE id = 2")

    result = consentry("ledger", "verify")

    assert result.returncode == 1
    assert "FAILED at entry 2" in one_line(result.stderr)


def test_editing_a_refusal_into_an_applied_change_fails_verification(
    consentry: Cli, database_url: str
) -> None:
    marketing = str(type_ids(consentry)["Marketing Information"])
    ok(consentry("status", "set", "a@x.com", "--type", marketing, "--status", "UNSUBSCRIBED"))
    refused = consentry(
        "status", "set", "a@x.com", "--type", marketing, "--status", "SUBSCRIBED",
        "--source", "WORKFLOW",
    )  # fmt: skip
    assert refused.returncode == 1
    execute(database_url, "UPDATE ledger SET outcome = 'APPLIED', refusal = NULL WHERE id = 2")

    result = consentry("ledger", "verify")

    assert result.returncode == 1
    assert "FAILED at entry 2" in one_line(result.stderr)


def test_deleting_a_middle_ledger_entry_fails_verification_naming_it(
    consentry: Cli, database_url: str
) -> None:
    _four_ledger_entries(consentry, database_url)
    execute(database_url, "DELETE FROM ledger WHERE id = 2")

    result = consentry("ledger", "verify")

    assert result.returncode == 1
    message = one_line(result.stderr)
    assert "FAILED at entry 2" in message
    assert "missing" in message


def test_deleting_the_last_ledger_entry_fails_verification(
    consentry: Cli, database_url: str
) -> None:
    _four_ledger_entries(consentry, database_url)
    execute(database_url, "DELETE FROM ledger WHERE id = 4")

    result = consentry("ledger", "verify")

    assert result.returncode == 1
    assert "FAILED at entry 4" in one_line(result.stderr)


# --- Business units ------------------------------------------------------------------------------


def test_units_cannot_be_created_while_business_units_are_off(consentry: Cli) -> None:
    result = consentry("units", "create", "Brand2")

    assert result.returncode == 2
    assert "consentry settings set business_units_enabled true" in one_line(result.stderr)
    assert [row["name"] for row in table(ok(consentry("units", "list")))] == ["Account"]


def test_unsubscribe_all_in_one_business_unit_leaves_unit_0_sendable(consentry: Cli) -> None:
    ok(consentry("settings", "set", "business_units_enabled", "true"))
    created = ok(consentry("units", "create", "Brand2"))
    unit = next(
        row["id"] for row in table(ok(consentry("units", "list"))) if row["name"] == "Brand2"
    )
    assert f"business unit {unit}" in created
    ok(consentry("types", "create", "Brand2 News", "--business-unit", unit))
    brand_type = str(type_ids(consentry)["Brand2 News"])

    ok(consentry("unsubscribe-all", "b@x.com", "--business-unit", unit))

    status = ok(consentry("status", "get", "b@x.com"))
    assert "Unsubscribed from all email: true" in status
    rows = {row["name"]: row for row in table(status)}
    for name in DEFAULT_TYPES:
        assert rows[name]["unit"] == "0"
        assert rows[name]["may send"].startswith("yes"), rows[name]
    assert rows["Brand2 News"]["type"] == brand_type
    assert rows["Brand2 News"]["unit"] == unit
    assert rows["Brand2 News"]["status"] == "UNSUBSCRIBED"
    assert rows["Brand2 News"]["may send"].startswith("no"), rows["Brand2 News"]
    assert "UNSUBSCRIBED" in rows["Brand2 News"]["may send"]


def test_unsubscribe_all_in_an_unknown_business_unit_is_rejected(
    consentry: Cli, database_url: str
) -> None:
    ok(consentry("settings", "set", "business_units_enabled", "true"))

    result = consentry("unsubscribe-all", "b@x.com", "--business-unit", "99")

    assert result.returncode == 2
    assert "does not exist" in one_line(result.stderr)
    assert count(database_url, "ledger") == 0


# --- Invalid input: a clear message, nothing written ----------------------------------------------


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("not-an-email", "must have an @-sign"),
        ("a@x", "not valid"),
    ],
)
def test_an_invalid_email_is_rejected_and_nothing_is_written(
    consentry: Cli, database_url: str, address: str, problem: str
) -> None:
    marketing = str(type_ids(consentry)["Marketing Information"])

    result = consentry("status", "set", address, "--type", marketing, "--status", "UNSUBSCRIBED")

    assert result.returncode == 2
    message = one_line(result.stderr)
    assert f"Invalid email address '{address}'" in message
    assert problem in message
    assert count(database_url, "ledger") == 0
    assert count(database_url, "subscribers") == 0
    assert consentry("history", address).returncode == 2


@pytest.mark.parametrize("number", ["+1", "hello"])
def test_an_invalid_phone_number_is_rejected_and_nothing_is_written(
    consentry: Cli, database_url: str, number: str
) -> None:
    ok(consentry("types", "create", "Text alerts", "--channel", "SMS"))
    sms_type = str(type_ids(consentry)["Text alerts"])
    ledger_before = count(database_url, "ledger")

    result = consentry(
        "status", "set", number, "--channel", "SMS", "--type", sms_type, "--status", "UNSUBSCRIBED"
    )

    assert result.returncode == 2
    assert f"Invalid phone number '{number}'" in one_line(result.stderr)
    assert count(database_url, "ledger") == ledger_before
    assert count(database_url, "subscribers") == 0


def test_a_valid_phone_number_is_stored_in_e164(consentry: Cli) -> None:
    ok(consentry("types", "create", "Text alerts", "--channel", "SMS"))
    sms_type = str(type_ids(consentry)["Text alerts"])

    out = consentry(
        "status", "set", "+1 415 555 2671", "--channel", "SMS", "--type", sms_type,
        "--status", "UNSUBSCRIBED",
    )  # fmt: skip

    assert "+14155552671" in ok(out)
    assert len(table(ok(consentry("history", "+14155552671", "--channel", "SMS")))) == 1


def test_an_unknown_type_is_rejected_and_nothing_is_written(
    consentry: Cli, database_url: str
) -> None:
    result = consentry("status", "set", "a@x.com", "--type", "999", "--status", "UNSUBSCRIBED")

    assert result.returncode == 2
    message = one_line(result.stderr).lower()
    assert "999" in message
    assert "subscription type" in message
    assert "does not exist" in message or "no subscription type has that id" in message
    assert count(database_url, "ledger") == 0
    assert count(database_url, "subscribers") == 0
    assert "No history" in ok(consentry("history", "a@x.com"))


# --- Settings ------------------------------------------------------------------------------------


def test_settings_get_lists_every_setting_with_its_default(consentry: Cli) -> None:
    values = {row["setting"]: row["value"] for row in table(ok(consentry("settings", "get")))}

    assert values["data_privacy_mode"] == "false"
    assert values["business_units_enabled"] == "false"
    assert {"double_opt_in", "sms_enabled", "whatsapp_enabled"} <= values.keys()


def test_settings_set_changes_what_settings_get_reads(consentry: Cli) -> None:
    assert "data_privacy_mode = true" in ok(
        consentry("settings", "set", "data_privacy_mode", "true")
    )

    assert ok(consentry("settings", "get", "data_privacy_mode")).strip() == "true"


def test_settings_set_rejects_a_bad_value_naming_the_setting(consentry: Cli) -> None:
    result = consentry("settings", "set", "data_privacy_mode", "maybe")

    assert result.returncode == 2
    message = one_line(result.stderr)
    assert "data_privacy_mode" in message
    assert "maybe" in message
    assert ok(consentry("settings", "get", "data_privacy_mode")).strip() == "false"


@pytest.mark.parametrize(
    "command", [["set", "no_such_setting", "true"], ["get", "no_such_setting"]]
)
def test_an_unknown_setting_is_rejected_naming_it_and_the_known_ones(
    consentry: Cli, command: list[str]
) -> None:
    result = consentry("settings", *command)

    assert result.returncode == 2
    message = one_line(result.stderr)
    assert "Unknown setting 'no_such_setting'" in message
    assert "data_privacy_mode" in message
