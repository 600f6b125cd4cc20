"""Native API: one subscriber's statuses with the sending answer, ledger pages, `asOf`, the
consent receipt, and ledger verification."""

import hashlib
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Actor, ActorKind, Channel, Source, Status
from tests.e2e.api.shapes import HASH, TIME, masked

V4 = "/communication-preferences/v4/statuses"
# The caller's request id is kept on each ledger entry its request writes.
UA = {"User-Agent": "native-tests", "X-Request-Id": "native-tests-1"}
NOTICE = "Yes, email me offers. I can unsubscribe at any time."


def _v4(client: httpx.Client, address: str, state: str, type_id: int = 1) -> None:
    body = {"channel": "EMAIL", "statusState": state, "subscriptionId": type_id}
    assert client.post(f"{V4}/{address}", json=body, headers=UA).status_code == 200


def status(
    type_id: int,
    name: str,
    state: str,
    reason: str,
    *,
    kind: str = "MARKETING",
    allowed: bool = False,
    source: str | None = None,
) -> dict[str, Any]:
    return {
        "subscriptionId": type_id,
        "subscriptionName": name,
        "businessUnitId": 0,
        "kind": kind,
        "archived": False,
        "status": state,
        "confirmed": True,
        "source": source,
        "occurredAt": TIME if source else None,
        "legalBasis": None,
        "legalBasisExplanation": None,
        "eligibility": {"allowed": allowed, "reason": reason, "suppression": None},
    }


def entry(entry_id: int, **fields: Any) -> dict[str, Any]:
    """A ledger entry as the API writes it: a status set through v4 with the test's token."""
    return {
        "id": entry_id,
        "recordedAt": TIME,
        "occurredAt": TIME,
        "action": "SET_STATUS",
        "channel": "EMAIL",
        "subscriberKey": "a@x.com",
        "address": "a@x.com",
        "contactId": None,
        "actorKind": "API_TOKEN",
        "actorId": "1",
        "source": "API",
        "subscriptionId": 1,
        "wideType": None,
        "businessUnitId": 0,
        "oldStatus": "NOT_SPECIFIED",
        "requestedStatus": "SUBSCRIBED",
        "newStatus": "SUBSCRIBED",
        "outcome": "APPLIED",
        "successReason": "REQUESTED_CHANGE_OCCURRED",
        "refusal": None,
        "message": "Subscribed.",
        "suppression": None,
        "legalBasis": None,
        "legalBasisExplanation": None,
        "evidence": {"user_agent": "native-tests", "ip": "127.0.0.1"},
        "noticeHash": None,
        "requestId": "native-tests-1",
        "prevHash": HASH,
        "entryHash": HASH,
        "erasedAt": None,
        **fields,
    }


UNSUBSCRIBED = {
    "oldStatus": "SUBSCRIBED",
    "requestedStatus": "UNSUBSCRIBED",
    "newStatus": "UNSUBSCRIBED",
    "message": "Unsubscribed.",
}


def test_subscriber_statuses_with_the_sending_answer(client: httpx.Client) -> None:
    _v4(client, "A@x.com", "UNSUBSCRIBED")
    client.post("/api/v1/suppressions", json={"address": "a@x.com", "kind": "QUARANTINE"})

    response = client.get("/api/v1/subscribers/EMAIL/a@x.com")

    assert response.status_code == 200
    assert masked(response.json()) == {
        "subscriber": {"channel": "EMAIL", "address": "a@x.com"},
        "known": True,
        "statuses": [
            {
                **status(1, "Marketing Information", "UNSUBSCRIBED", "SUPPRESSED", source="API"),
                "eligibility": {
                    "allowed": False,
                    "reason": "SUPPRESSED",
                    "suppression": "QUARANTINE",
                },
            },
            {
                **status(2, "One to One", "NOT_SPECIFIED", "SUPPRESSED", kind="ONE_TO_ONE"),
                "eligibility": {
                    "allowed": False,
                    "reason": "SUPPRESSED",
                    "suppression": "QUARANTINE",
                },
            },
            {
                **status(3, "Customer Service Communication", "NOT_SPECIFIED", "SUPPRESSED"),
                "eligibility": {
                    "allowed": False,
                    "reason": "SUPPRESSED",
                    "suppression": "QUARANTINE",
                },
            },
        ],
        "unsubscribedFromAll": False,
        "wideOptOuts": [],
        "suppressions": [
            {
                "channel": "EMAIL",
                "address": "a@x.com",
                "kind": "QUARANTINE",
                "detail": "",
                "createdAt": TIME,
                "ledgerId": 2,
            }
        ],
    }


def test_an_unknown_address_reads_not_specified(client: httpx.Client) -> None:
    body = client.get("/api/v1/subscribers/EMAIL/new@x.com", params={"businessUnitId": 0}).json()
    assert masked(body) == {
        "subscriber": {"channel": "EMAIL", "address": "new@x.com"},
        "known": False,
        "statuses": [
            status(
                1, "Marketing Information", "NOT_SPECIFIED", "NOT_SPECIFIED_EMAIL", allowed=True
            ),
            status(
                2,
                "One to One",
                "NOT_SPECIFIED",
                "NOT_SPECIFIED_EMAIL",
                kind="ONE_TO_ONE",
                allowed=True,
            ),
            status(
                3,
                "Customer Service Communication",
                "NOT_SPECIFIED",
                "NOT_SPECIFIED_EMAIL",
                allowed=True,
            ),
        ],
        "unsubscribedFromAll": False,
        "wideOptOuts": [],
        "suppressions": [],
    }


def test_wide_opt_out_shows(client: httpx.Client) -> None:
    client.post(f"{V4}/a@x.com/unsubscribe-all", params={"channel": "EMAIL"})
    body = masked(client.get("/api/v1/subscribers/EMAIL/a@x.com").json())
    assert body["unsubscribedFromAll"] is True
    assert body["wideOptOuts"] == [
        {"wideType": "PORTAL_WIDE", "businessUnitId": 0, "source": "API", "occurredAt": TIME}
    ]
    assert {s["eligibility"]["reason"] for s in body["statuses"]} == {"UNSUBSCRIBED_FROM_ALL"}


def test_ledger_pages(client: httpx.Client) -> None:
    _v4(client, "a@x.com", "SUBSCRIBED")
    _v4(client, "a@x.com", "UNSUBSCRIBED")
    _v4(client, "b@x.com", "SUBSCRIBED")

    first = client.get("/api/v1/subscribers/EMAIL/A@X.com/ledger", params={"limit": 1})
    assert first.status_code == 200
    assert masked(first.json()) == {
        "subscriber": {"channel": "EMAIL", "address": "a@x.com"},
        "results": [entry(1)],
        "paging": {"next": {"after": "1"}},
        "asOf": None,
    }
    rest = client.get("/api/v1/subscribers/EMAIL/a@x.com/ledger", params={"after": 1})
    assert masked(rest.json()) == {
        "subscriber": {"channel": "EMAIL", "address": "a@x.com"},
        "results": [entry(2, **UNSUBSCRIBED)],
        "paging": None,
        "asOf": None,
    }


def test_ledger_as_of(client: httpx.Client, engine: Engine) -> None:
    user = services.Provenance(Source.IMPORT, Actor(ActorKind.USER, "u1"))
    for day, state in (("2025-01-01", Status.SUBSCRIBED), ("2025-03-01", Status.UNSUBSCRIBED)):
        when = replace(user, occurred_at=datetime.fromisoformat(day).replace(tzinfo=UTC))
        services.set_status(engine, services.StatusChange("a@x.com", Channel.EMAIL, 1, state, when))

    body = client.get(
        "/api/v1/subscribers/EMAIL/a@x.com/ledger", params={"asOf": "2025-02-01T00:00:00Z"}
    ).json()
    assert [e["newStatus"] for e in body["results"]] == ["SUBSCRIBED"]
    assert body["results"][0]["occurredAt"] == "2025-01-01T00:00:00.000Z"
    assert body["asOf"] == {
        "time": "2025-02-01T00:00:00.000Z",
        "statuses": [{"subscriptionId": 1, "status": "SUBSCRIBED"}],
        "wideOptOuts": [],
    }
    later = client.get(
        "/api/v1/subscribers/EMAIL/a@x.com/ledger", params={"asOf": "2025-06-01T00:00:00"}
    ).json()
    assert later["asOf"]["statuses"] == [{"subscriptionId": 1, "status": "UNSUBSCRIBED"}]
    assert later["asOf"]["time"] == "2025-06-01T00:00:00.000Z"


def test_receipt_exports_every_entry_with_hashes_and_notice_text(
    client: httpx.Client, engine: Engine
) -> None:
    contact = services.Provenance(
        Source.PREFERENCE_CENTER,
        Actor(ActorKind.CONTACT),
        evidence={"ip": "203.0.113.5"},
        notice_text=NOTICE,
    )
    services.set_status(
        engine, services.StatusChange("a@x.com", Channel.EMAIL, 1, Status.SUBSCRIBED, contact)
    )
    _v4(client, "a@x.com", "UNSUBSCRIBED")

    response = client.get("/api/v1/subscribers/EMAIL/a@x.com/receipt")

    assert response.status_code == 200
    assert response.headers["content-disposition"] == (
        'attachment; filename="consent-receipt-email-a_x.com.json"'
    )
    body = masked(response.json())
    assert body["receiptVersion"] == "1" and body["generatedAt"] == TIME
    assert body["statuses"][0] == status(
        1, "Marketing Information", "UNSUBSCRIBED", "UNSUBSCRIBED", source="API"
    )
    assert body["entries"] == [
        entry(
            1,
            actorKind="CONTACT",
            actorId=None,
            source="PREFERENCE_CENTER",
            evidence={"ip": "203.0.113.5"},
            noticeHash=hashlib.sha256(NOTICE.encode()).hexdigest(),
            noticeText=NOTICE,
            requestId=None,  # written by a service call, outside any request
            intact=True,
        ),
        entry(2, **UNSUBSCRIBED, noticeText=None, intact=True),
    ]
    assert set(body) == {
        "receiptVersion",
        "generatedAt",
        "subscriber",
        "known",
        "statuses",
        "unsubscribedFromAll",
        "wideOptOuts",
        "suppressions",
        "entries",
    }


def test_verify_the_ledger(client: httpx.Client) -> None:
    _v4(client, "a@x.com", "SUBSCRIBED")
    response = client.get("/api/v1/ledger/verify")
    assert response.json() == {"ok": True, "checked": 1, "firstBrokenId": None, "problem": ""}


def test_bad_addresses_and_channels_are_400_naming_them(client: httpx.Client) -> None:
    cases = {
        "address": client.get("/api/v1/subscribers/EMAIL/nobody"),
        "channel": client.get("/api/v1/subscribers/FAX/a@x.com"),
        "asOf": client.get("/api/v1/subscribers/EMAIL/a@x.com/ledger", params={"asOf": "soon"}),
        "limit": client.get("/api/v1/subscribers/EMAIL/a@x.com/ledger", params={"limit": 5000}),
    }
    for field, response in cases.items():
        assert response.status_code == 400, field
        assert [e["in"] for e in response.json()["errors"]] == [field], field
    receipt = client.get("/api/v1/subscribers/SMS/12/receipt")
    assert receipt.status_code == 400 and receipt.json()["errors"][0]["in"] == "address"
