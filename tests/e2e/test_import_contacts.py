"""`consentry import contacts`: contacts upserted by email and per-type statuses decided by the
rulebook, with original timestamps, legal bases, `--map` and `--dry-run`."""

import csv
import json
import re
from pathlib import Path

from tests.e2e.helpers import Cli, count, ok, one_line, query

FILE = (
    "Email,First Name,lastname,Marketing Information,status:2,occurred_at,Notes\n"
    "a@x.com,Ann,A,SUBSCRIBED,UNSUBSCRIBED,2024-01-01T10:00:00Z,hello\n"
    "b@x.com,Bob,B,opted in,,,\n"
    "pref@x.com,Pat,P,SUBSCRIBED,,,\n"
    "bad,,,SUBSCRIBED,,,\n"
    "c@x.com,,,maybe,,,\n"
    "A@x.com,Dup,,,,,\n"
)
MAP = ("--map", "First Name=firstname", "--map", "Notes=ignore")


def _results(output: str) -> list[tuple[str, str, str, str]]:
    match = re.search(r"Results: (\S+)", output)
    assert match, output
    with open(match.group(1), encoding="utf-8", newline="") as source:
        return [
            (r["line"], r["target"], r["outcome"], r["message"]) for r in csv.DictReader(source)
        ]


def _statuses(database_url: str) -> list[tuple[str, int, str, str]]:
    rows = query(
        database_url,
        "SELECT s.key, t.subscription_type_id, t.status, t.source FROM subscription_statuses t"
        " JOIN subscribers s ON s.id = t.subscriber_id ORDER BY 1, 2",
    )
    return [tuple(row) for row in rows]


def _file(tmp_path: Path, text: str = FILE) -> str:
    path = tmp_path / "contacts.csv"
    path.write_text(text)
    return str(path)


def test_contacts_and_statuses_row_by_row(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    ok(
        consentry(
            "status",
            "set",
            "pref@x.com",
            "--type",
            "1",
            "--status",
            "UNSUBSCRIBED",
            "--source",
            "PREFERENCE_CENTER",
        )
    )

    output = ok(consentry("import", "contacts", _file(tmp_path), *MAP))

    assert (
        "3 applied, 0 no change, 0 stale, 1 refused, 3 bad rows (3 contacts created)"
        in one_line(output)
    )
    lines = _results(output)
    assert [line[:3] for line in lines] == [
        ("2", "contact", "CREATED"),
        ("2", "Marketing Information (1)", "APPLIED"),
        ("2", "One to One (2)", "APPLIED"),
        ("3", "contact", "CREATED"),
        ("3", "Marketing Information (1)", "APPLIED"),
        ("4", "contact", "CREATED"),
        ("4", "Marketing Information (1)", "REFUSED"),
        ("5", "row", "BAD_ROW"),
        ("6", "row", "BAD_ROW"),
        ("7", "row", "DUPLICATE"),
    ]
    # The preference-page opt-out stands, and the result file says why.
    assert lines[6][3].startswith(
        "An import cannot resubscribe an address that opted out. It is UNSUBSCRIBED via"
        " Subscription preferences page since "
    )
    assert "Unknown status 'maybe'" in lines[8][3]
    assert _statuses(database_url) == [
        ("a@x.com", 1, "SUBSCRIBED", "IMPORT"),
        ("a@x.com", 2, "UNSUBSCRIBED", "IMPORT"),
        ("b@x.com", 1, "SUBSCRIBED", "IMPORT"),
        ("pref@x.com", 1, "UNSUBSCRIBED", "PREFERENCE_CENTER"),
    ]
    people = query(database_url, "SELECT email_key, properties FROM contacts ORDER BY id")
    assert [row[0] for row in people] == ["a@x.com", "b@x.com", "pref@x.com"]
    first = people[0][1] if isinstance(people[0][1], dict) else json.loads(people[0][1])
    assert first == {"email": "a@x.com", "firstname": "Ann", "lastname": "A"}  # Notes ignored
    imported = query(
        database_url,
        "SELECT COUNT(*) FROM ledger WHERE source = 'IMPORT' AND outcome = 'APPLIED'",
    )
    assert imported[0][0] == 3  # one ledger entry per applied row
    stamped = query(database_url, "SELECT occurred_at FROM ledger WHERE address = 'a@x.com'")
    assert all(str(row[0]).startswith("2024-01-01 10:00:00") for row in stamped)


def test_older_rows_are_stale_and_a_second_import_changes_nothing(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    ok(consentry("import", "contacts", _file(tmp_path), *MAP))
    before = _statuses(database_url)
    older = "email,status:2,occurred_at\na@x.com,SUBSCRIBED,2023-06-01T00:00:00Z\n"
    stale = ok(consentry("import", "contacts", _file(tmp_path, older)))
    again = ok(consentry("import", "contacts", _file(tmp_path), *MAP))

    assert [line[2] for line in _results(stale)] == ["UNCHANGED", "STALE"]
    assert "0 applied, 4 no change, 0 stale, 0 refused, 3 bad rows" in one_line(again)
    assert {line[2] for line in _results(again) if line[1] == "contact"} == {"UNCHANGED"}
    assert _statuses(database_url) == before
    assert count(database_url, "contacts") == 3


def test_a_dry_run_reports_and_writes_nothing(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    ledger_before = count(database_url, "ledger")

    output = ok(consentry("import", "contacts", _file(tmp_path), *MAP, "--dry-run"))

    assert "Dry run, nothing written: 4 applied" in one_line(output)
    assert ("2", "Marketing Information (1)", "APPLIED", "Subscribed.") in _results(output)
    assert count(database_url, "contacts") == 0
    assert count(database_url, "ledger") == ledger_before
    assert count(database_url, "subscription_statuses") == 0


def test_data_privacy_mode_requires_legal_basis_columns(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    ok(consentry("settings", "set", "data_privacy_mode", "true"))
    refused = consentry(
        "import", "contacts", _file(tmp_path, "email,status:1\na@x.com,SUBSCRIBED\n")
    )
    assert refused.returncode == 2
    assert "needs legal_basis and explanation columns" in one_line(refused.stderr)

    with_basis = (
        "email,status:1,legal basis,explanation\n"
        "a@x.com,SUBSCRIBED,LEGITIMATE_INTEREST_CLIENT,Signed up at the fair\n"
    )
    ok(consentry("import", "contacts", _file(tmp_path, with_basis)))

    recorded = query(
        database_url, "SELECT legal_basis, legal_basis_explanation FROM subscription_statuses"
    )
    assert tuple(recorded[0]) == ("LEGITIMATE_INTEREST_CLIENT", "Signed up at the fair")


def test_a_column_naming_an_unknown_type_is_refused(consentry: Cli, tmp_path: Path) -> None:
    refused = consentry(
        "import", "contacts", _file(tmp_path, "email,status:99\na@x.com,SUBSCRIBED\n")
    )

    assert refused.returncode == 2
    assert "names subscription type 99, which does not exist" in one_line(refused.stderr)
