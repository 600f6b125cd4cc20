"""`consentry import optouts`: the real command on files as users' tools write them."""

import csv
import re
from pathlib import Path

import pytest

from tests.e2e.helpers import Cli, count, ok, one_line, query, table

# Line by line: the file's lines and what the result file must say of each.
ROWS = [
    ("Email{d}Name", None),
    ("a@x.com{d}Ann", ("a@x.com", "APPLIED")),
    ('"b@x.com"{d}"Bob', ("b@x.com", "APPLIED")),  # a quoted newline: the record ends on line 4
    ('Smith"', None),
    ("", ("", "BLANK")),
    ("not-an-email{d}X", ("not-an-email", "BAD_ROW")),
    ("A@X.COM{d}dup", ("A@X.COM", "DUPLICATE")),
    ("{d}no address", ("", "BAD_ROW")),
    ("josé@x.com{d}Zoë", ("josé@x.com", "APPLIED")),
]
GOOD_ROWS = 6  # data rows, the blank line not counted
APPLIED = ["a@x.com", "b@x.com", "josé@x.com"]


def _write(path: Path, encoding: str, delimiter: str) -> Path:
    text = "\r\n".join(line.format(d=delimiter) for line, _ in ROWS) + "\r\n"
    path.write_bytes(text.encode(encoding))
    return path


def _expected() -> list[tuple[str, str, str]]:
    return [
        (str(number), address, outcome)
        for number, (_, answer) in enumerate(ROWS, start=1)
        if answer is not None
        for address, outcome in [answer]
    ]


def _results(output: str) -> list[dict[str, str]]:
    match = re.search(r"Results: (\S+)", output)
    assert match, output
    with open(match.group(1), encoding="utf-8", newline="") as source:
        return list(csv.DictReader(source))


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("utf-16", "\t"), ("cp1252", ",")],
)
def test_every_bad_input_case_is_reported_line_by_line(
    consentry: Cli, database_url: str, tmp_path: Path, encoding: str, delimiter: str
) -> None:
    path = _write(tmp_path / "list.csv", encoding, delimiter)

    output = ok(consentry("import", "optouts", str(path), "--expect-rows", str(GOOD_ROWS)))

    assert re.search(
        r"Job \d+ succeeded: 3 applied, 0 no change, 0 stale, 0 refused, 3 bad rows",
        one_line(output),
    )
    lines = _results(output)
    assert [(r["line"], r["address"], r["outcome"]) for r in lines] == _expected()
    assert "must have an @-sign" in lines[3]["message"]
    assert lines[5]["message"] == "No address in the address column."
    keys = [row[0] for row in query(database_url, "SELECT key FROM subscribers ORDER BY id")]
    assert keys == APPLIED
    applied = query(
        database_url,
        "SELECT address FROM ledger WHERE action = 'SET_WIDE' AND outcome = 'APPLIED'"
        " AND source = 'IMPORT' ORDER BY id",
    )
    assert [row[0] for row in applied] == APPLIED  # one entry per applied row, as given
    assert count(database_url, "contacts") == 0  # an opt-out list creates no contacts


def test_the_row_count_must_be_confirmed(consentry: Cli, database_url: str, tmp_path: Path) -> None:
    path = _write(tmp_path / "list.csv", "utf-8", ",")

    wrong = consentry("import", "optouts", str(path), "--expect-rows", "7")

    assert wrong.returncode == 2
    assert "The file has 6 rows, not 7: nothing was imported." in one_line(wrong.stderr)
    assert count(database_url, "ledger") == 0
    assert count(database_url, "jobs") == 0


def test_a_file_without_an_address_column_is_refused(consentry: Cli, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("Name,Phone\nAnn,+14155550123\n")

    refused = consentry("import", "optouts", str(path), "--expect-rows", "1")

    assert refused.returncode == 2
    assert "expected an Email column for EMAIL (headers found: 'Name', 'Phone')" in one_line(
        refused.stderr
    )


def test_the_encoding_can_be_chosen(consentry: Cli, database_url: str, tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_bytes("Email\nrené@x.com\n".encode("latin-1"))

    ok(consentry("import", "optouts", str(path), "--expect-rows", "1", "--encoding", "latin-1"))

    assert query(database_url, "SELECT key FROM subscribers")[0][0] == "rené@x.com"


def test_importing_the_same_file_again_changes_nothing(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    path = _write(tmp_path / "list.csv", "utf-8", ",")
    ok(consentry("import", "optouts", str(path), "--expect-rows", str(GOOD_ROWS)))
    snapshot = (
        "SELECT subscriber_id, subscription_type_id, status, ledger_id"
        " FROM subscription_statuses ORDER BY 1, 2"
    )
    before = query(database_url, snapshot)
    wide_before = query(database_url, "SELECT * FROM wide_statuses ORDER BY subscriber_id")

    again = ok(consentry("import", "optouts", str(path), "--expect-rows", str(GOOD_ROWS)))

    assert "0 applied, 3 no change" in one_line(again)
    assert query(database_url, snapshot) == before
    assert query(database_url, "SELECT * FROM wide_statuses ORDER BY subscriber_id") == wide_before
    assert [r["outcome"] for r in _results(again)][:2] == ["NO_CHANGE", "NO_CHANGE"]


def test_one_business_unit_and_the_sms_channel(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    ok(consentry("settings", "set", "business_units_enabled", "true"))
    ok(consentry("units", "create", "Brand B"))
    emails = tmp_path / "emails.csv"
    emails.write_text("email\nu@x.com\n")
    phones = tmp_path / "phones.csv"
    phones.write_text("Name,Mobile Phone\nAnn,+1 415 555 0123\nBob,12\n")

    ok(consentry("import", "optouts", str(emails), "--expect-rows", "1", "--business-unit", "1"))
    output = ok(
        consentry("import", "optouts", str(phones), "--expect-rows", "2", "--channel", "SMS")
    )

    wide = query(
        database_url, "SELECT wide_type, business_unit_id FROM wide_statuses ORDER BY subscriber_id"
    )
    assert [tuple(row) for row in wide] == [("BUSINESS_UNIT_WIDE", 1), ("PORTAL_WIDE", 0)]
    assert (
        query(database_url, "SELECT key FROM subscribers WHERE channel = 'SMS'")[0][0]
        == "+14155550123"
    )
    assert [r["outcome"] for r in _results(output)] == ["APPLIED", "BAD_ROW"]


def test_an_xlsx_file(consentry: Cli, database_url: str, tmp_path: Path) -> None:
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    sheet = book.active
    for row in (["Email", "Name"], ["x1@x.com", "One"], [None, None], ["x2@x.com", "Two"]):
        sheet.append(row)
    path = tmp_path / "list.xlsx"
    book.save(path)

    output = ok(consentry("import", "optouts", str(path), "--expect-rows", "2"))

    assert [(r["line"], r["outcome"]) for r in _results(output)] == [
        ("2", "APPLIED"),
        ("3", "BLANK"),
        ("4", "APPLIED"),
    ]
    assert count(database_url, "wide_statuses") == 2


def test_a_queued_import_runs_on_the_worker_and_jobs_can_be_followed(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    path = _write(tmp_path / "list.csv", "utf-8", ",")
    queued = ok(consentry("import", "optouts", str(path), "--expect-rows", "6", "--queue"))
    other = ok(consentry("import", "optouts", str(path), "--expect-rows", "6", "--queue"))
    assert "Job 1: 6 rows" in queued and "Queued" in queued and "Job 2" in other

    assert "Job 2 is CANCELLED" in ok(consentry("jobs", "cancel", "2"))
    ok(consentry("worker", "--until-idle"))

    listed = table(ok(consentry("jobs", "list")))
    assert [(row["id"], row["state"], row["done"]) for row in listed] == [
        ("2", "CANCELLED", "0"),
        ("1", "SUCCEEDED", "6"),
    ]
    shown = one_line(ok(consentry("jobs", "show", "1")))
    assert "Summary: 3 applied, 0 no change, 0 stale, 0 refused, 3 bad rows" in shown
    assert count(database_url, "wide_statuses") == 3
    kept = list((tmp_path / "var" / "jobs" / "inputs").iterdir())
    assert len(kept) == 1  # the finished job's copy of the file is gone; the cancelled one's stays


def test_the_ledger_names_an_existing_contact_and_no_contact_is_created(
    consentry: Cli, database_url: str, tmp_path: Path
) -> None:
    people = tmp_path / "people.csv"
    people.write_text("email,firstname\nknown@x.com,Kim\n")
    ok(consentry("import", "contacts", str(people)))
    optouts = tmp_path / "optouts.csv"
    optouts.write_text("Email\nKnown@x.com\nstranger@x.com\n")

    ok(consentry("import", "optouts", str(optouts), "--expect-rows", "2"))

    entries = query(
        database_url,
        "SELECT address, contact_id FROM ledger WHERE action = 'SET_WIDE' ORDER BY id",
    )
    contact_id = query(database_url, "SELECT id FROM contacts")[0][0]
    assert [tuple(e) for e in entries] == [("Known@x.com", contact_id), ("stranger@x.com", None)]
    assert count(database_url, "contacts") == 1
