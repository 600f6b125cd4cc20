"""Exports after imports: the suppression list (labelled as such), contacts with computed
opt-out properties, current statuses, the ledger between two times, and a consent receipt."""

import csv
import io
import json
from pathlib import Path

from tests.e2e.helpers import Cli, ok


def _imported(consentry: Cli, tmp_path: Path) -> None:
    optouts = tmp_path / "optouts.csv"
    optouts.write_text("Email\ngone@x.com\n")
    people = tmp_path / "contacts.csv"
    people.write_text("email,firstname,status:2\ngone@x.com,Gone,\nann@x.com,Ann,SUBSCRIBED\n")
    ok(consentry("import", "optouts", str(optouts), "--expect-rows", "1"))
    ok(consentry("import", "contacts", str(people)))


def test_the_suppression_list_says_what_it_is(consentry: Cli, tmp_path: Path) -> None:
    _imported(consentry, tmp_path)

    result = consentry("export", "suppression")

    assert result.returncode == 0, result.stderr
    assert (
        "SUPPRESSION LIST" in result.stderr and "Do not use it as a mailing list" in result.stderr
    )
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {row["list"] for row in rows} == {"SUPPRESSION"}
    assert {(row["address"], row["reason"], row["scope"]) for row in rows} == {
        ("gone@x.com", "UNSUBSCRIBED_FROM_ALL", "account"),
        ("gone@x.com", "UNSUBSCRIBED", "type:1"),
        ("gone@x.com", "UNSUBSCRIBED", "type:2"),
        ("gone@x.com", "UNSUBSCRIBED", "type:3"),
    }


def test_contacts_statuses_and_ledger(consentry: Cli, tmp_path: Path) -> None:
    _imported(consentry, tmp_path)
    target = tmp_path / "contacts-export.csv"

    ok(consentry("export", "contacts", "-o", str(target)))
    statuses = ok(consentry("export", "statuses", "--format", "ndjson"))
    ledger = ok(consentry("export", "ledger", "--since", "2000-01-01", "--format", "ndjson"))
    later = ok(consentry("export", "ledger", "--since", "2999-01-01"))

    with target.open(encoding="utf-8", newline="") as source:
        people = {row["email"]: row for row in csv.DictReader(source)}
    assert people["gone@x.com"]["hs_email_optout"] == "true"
    assert people["gone@x.com"]["hs_email_optout_1"] == "true"
    assert people["ann@x.com"]["hs_email_optout"] == "false"
    assert people["ann@x.com"]["firstname"] == "Ann"
    records = [json.loads(line) for line in statuses.splitlines()]
    assert {
        "address": "ann@x.com",
        "subscription_type_id": 2,
        "status": "SUBSCRIBED",
    }.items() <= next(r for r in records if r["address"] == "ann@x.com").items()
    assert any(r["subscription_type"] == "ALL (PORTAL_WIDE)" for r in records)
    entries = [json.loads(line) for line in ledger.splitlines()]
    assert [e["id"] for e in entries] == list(range(1, len(entries) + 1))
    assert {e["source"] for e in entries} == {"IMPORT"}
    assert later.splitlines()[0].startswith("id,recorded_at,") and len(later.splitlines()) == 1


def test_a_consent_receipt(consentry: Cli, tmp_path: Path) -> None:
    _imported(consentry, tmp_path)

    document = json.loads(ok(consentry("receipt", "GONE@x.com")))

    assert document["subscriber"]["key"] == "gone@x.com"
    assert document["unsubscribedFromAll"] is True
    assert [e["action"] for e in document["entries"]] == ["SET_WIDE", *["SET_STATUS"] * 3]
    assert all(e["intact"] for e in document["entries"])


def test_since_and_until_belong_to_the_ledger(consentry: Cli) -> None:
    refused = consentry("export", "contacts", "--since", "2020-01-01")
    assert refused.returncode == 2
    bad = consentry("export", "ledger", "--until", "soon")
    assert bad.returncode == 2 and "is not a time" in bad.stderr
