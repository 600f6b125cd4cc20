"""Native API: suppressions recorded, listed page by page and lifted, each in the ledger."""

from typing import Any

import httpx

from tests.e2e.api.shapes import TIME, error, masked

SUPPRESSIONS = "/api/v1/suppressions"
UA = {"User-Agent": "native-tests"}


def suppression(address: str, kind: str, ledger_id: int, detail: str = "") -> dict[str, Any]:
    return {
        "channel": "EMAIL",
        "address": address,
        "kind": kind,
        "detail": detail,
        "createdAt": TIME,
        "ledgerId": ledger_id,
    }


def _record(
    client: httpx.Client, address: str, kind: str = "HARD_BOUNCE", **extra: Any
) -> httpx.Response:
    body = {"address": address, "kind": kind, **extra}
    return client.post(SUPPRESSIONS, json=body, headers=UA)


def test_record_is_201_then_200_when_already_there(client: httpx.Client) -> None:
    first = _record(client, "Ann@X.com", detail="550 5.1.1 no such user")
    again = _record(client, "ann@x.com", detail="550 again")

    bounce = suppression("ann@x.com", "HARD_BOUNCE", 1, "550 5.1.1 no such user")
    assert first.status_code == 201
    assert masked(first.json()) == {"suppression": bounce, "applied": True, "ledgerId": 1}
    assert again.status_code == 200
    assert masked(again.json()) == {"suppression": bounce, "applied": False, "ledgerId": 2}


def test_suppression_blocks_sending(client: httpx.Client) -> None:
    _record(client, "a@x.com", "SPAM_COMPLAINT")
    answer = client.post(
        "/api/v1/eligibility/check", json={"address": "a@x.com", "subscriptionId": 1}
    )
    assert answer.json()["reason"] == "SUPPRESSED"
    assert answer.json()["suppression"] == "SPAM_COMPLAINT"


def test_list_pages_and_filters(client: httpx.Client) -> None:
    for n, kind in enumerate(["HARD_BOUNCE", "QUARANTINE", "HARD_BOUNCE"]):
        _record(client, f"u{n}@x.com", kind)

    first = client.get(SUPPRESSIONS, params={"limit": 2})
    assert masked(first.json()) == {
        "results": [
            suppression("u0@x.com", "HARD_BOUNCE", 1),
            suppression("u1@x.com", "QUARANTINE", 2),
        ],
        "paging": {"next": {"after": "2"}},
    }
    rest = client.get(SUPPRESSIONS, params={"limit": 2, "after": "2"})
    assert masked(rest.json()) == {
        "results": [suppression("u2@x.com", "HARD_BOUNCE", 3)],
        "paging": None,
    }
    bounces = client.get(SUPPRESSIONS, params={"kind": "HARD_BOUNCE"}).json()["results"]
    assert [s["address"] for s in bounces] == ["u0@x.com", "u2@x.com"]
    one = client.get(SUPPRESSIONS, params={"channel": "EMAIL", "address": "U1@x.com"})
    assert [s["address"] for s in one.json()["results"]] == ["u1@x.com"]


def test_lift_records_unsuppress_and_answers_404_when_nothing_is_there(
    client: httpx.Client,
) -> None:
    _record(client, "a@x.com", detail="mailbox full")
    lifted = client.delete(f"{SUPPRESSIONS}/EMAIL/A@x.com/HARD_BOUNCE", headers=UA)

    assert lifted.status_code == 200
    assert masked(lifted.json()) == {
        "suppression": suppression("a@x.com", "HARD_BOUNCE", 1, "mailbox full"),
        "applied": True,
        "ledgerId": 2,
    }
    assert client.get(SUPPRESSIONS).json() == {"results": [], "paging": None}
    ledger = client.get("/api/v1/subscribers/EMAIL/a@x.com/ledger").json()["results"]
    assert [(e["action"], e["outcome"], e["message"]) for e in ledger] == [
        ("SUPPRESS", "APPLIED", "Hard bounce: mailbox full"),
        ("UNSUPPRESS", "APPLIED", "Hard bounce lifted."),
    ]
    assert ledger[1]["evidence"] == {"user_agent": "native-tests", "ip": "127.0.0.1"}

    again = client.delete(f"{SUPPRESSIONS}/EMAIL/a@x.com/HARD_BOUNCE")
    message = "a@x.com is not suppressed for HARD_BOUNCE on EMAIL."
    assert again.status_code == 404
    assert masked(again.json()) == error(
        "OBJECT_NOT_FOUND",
        message,
        errors=[{"message": message, "code": "NOT_FOUND", "in": "kind"}],
    )


def test_400s_name_the_field(client: httpx.Client) -> None:
    cases = {
        "address": _record(client, "not-an-address"),
        "kind": _record(client, "a@x.com", "BOUNCE"),
        "channel": client.get(SUPPRESSIONS, params={"address": "a@x.com"}),
        "limit": client.get(SUPPRESSIONS, params={"limit": 0}),
        "after": client.get(SUPPRESSIONS, params={"after": "x"}),
    }
    for field, response in cases.items():
        assert response.status_code == 400, field
        assert [e["in"] for e in response.json()["errors"]] == [field], field
    assert cases["address"].json()["message"] == (
        "Invalid email address 'not-an-address': An email address must have an @-sign."
    )
