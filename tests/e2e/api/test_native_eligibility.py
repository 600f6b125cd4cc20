"""Native API: eligibility for one address, a batch, an uploaded audience streamed as NDJSON,
and the one-time legal basis for one one-to-one email."""

import json
from typing import Any

import httpx

from tests.e2e.api.shapes import error, masked

ELIGIBILITY = "/api/v1/eligibility"
V4 = "/communication-preferences/v4/statuses"


def _v4(client: httpx.Client, address: str, state: str, type_id: int = 1) -> None:
    body = {"channel": "EMAIL", "statusState": state, "subscriptionId": type_id}
    assert client.post(f"{V4}/{address}", json=body).status_code == 200


def _states(client: httpx.Client) -> None:
    _v4(client, "in@x.com", "SUBSCRIBED")
    _v4(client, "out@x.com", "UNSUBSCRIBED")
    client.post("/api/v1/suppressions", json={"address": "bounced@x.com", "kind": "HARD_BOUNCE"})


def answer(address: str, allowed: bool, reason: str, **extra: Any) -> dict[str, Any]:
    return {
        "address": address,
        "allowed": allowed,
        "reason": reason,
        "suppression": None,
        "message": None,
        **extra,
    }


def test_check_one_address(client: httpx.Client) -> None:
    _states(client)
    response = client.post(
        f"{ELIGIBILITY}/check", json={"address": "In@X.com", "subscriptionId": 1}
    )
    assert response.status_code == 200
    assert response.json() == answer("In@X.com", True, "SUBSCRIBED", subscriptionId=1)
    bounced = client.post(
        f"{ELIGIBILITY}/check", json={"address": "bounced@x.com", "subscriptionId": 1}
    )
    assert bounced.json() == answer(
        "bounced@x.com", False, "SUPPRESSED", suppression="HARD_BOUNCE", subscriptionId=1
    )


def test_check_refusals_name_the_field(client: httpx.Client) -> None:
    bad = client.post(f"{ELIGIBILITY}/check", json={"address": "nope", "subscriptionId": 1})
    message = "Invalid email address 'nope': An email address must have an @-sign."
    assert bad.status_code == 400
    assert masked(bad.json()) == error(
        "VALIDATION_ERROR",
        message,
        errors=[{"message": message, "code": "INVALID_ADDRESS", "in": "address"}],
    )
    unknown = client.post(f"{ELIGIBILITY}/check", json={"address": "a@x.com", "subscriptionId": 9})
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["in"] == "subscriptionId"
    missing = client.post(f"{ELIGIBILITY}/check", json={"address": "a@x.com"})
    assert [e["in"] for e in missing.json()["errors"]] == ["subscriptionId"]


def test_batch(client: httpx.Client) -> None:
    _states(client)
    addresses = ["in@x.com", "out@x.com", "bounced@x.com", "new@x.com", "bad"]
    response = client.post(
        f"{ELIGIBILITY}/batch", json={"subscriptionId": 1, "addresses": addresses}
    )
    assert response.status_code == 200
    assert response.json() == {
        "subscriptionId": 1,
        "results": [
            answer("in@x.com", True, "SUBSCRIBED"),
            answer("out@x.com", False, "UNSUBSCRIBED"),
            answer("bounced@x.com", False, "SUPPRESSED", suppression="HARD_BOUNCE"),
            answer("new@x.com", True, "NOT_SPECIFIED_EMAIL"),
            answer(
                "bad",
                False,
                "INVALID_ADDRESS",
                message="Invalid email address 'bad': An email address must have an @-sign.",
            ),
        ],
    }


def test_batch_of_a_thousand_and_over(client: httpx.Client) -> None:
    thousand = [f"u{n}@x.com" for n in range(1_000)]
    ok = client.post(f"{ELIGIBILITY}/batch", json={"subscriptionId": 3, "addresses": thousand})
    assert len(ok.json()["results"]) == 1_000
    over = client.post(
        f"{ELIGIBILITY}/batch", json={"subscriptionId": 3, "addresses": [*thousand, "x@x.com"]}
    )
    assert over.status_code == 400
    assert [e["in"] for e in over.json()["errors"]] == ["addresses"]
    empty = client.post(f"{ELIGIBILITY}/batch", json={"subscriptionId": 3, "addresses": []})
    assert empty.status_code == 400


def test_audience_streams_one_ndjson_line_per_address(client: httpx.Client) -> None:
    _states(client)
    addresses = [f"user{n}@example.com" for n in range(4_995)]
    addresses[10:10] = ["in@x.com", "out@x.com", "bounced@x.com", "not an address", "IN@X.COM"]
    csv = "Name,Email\n" + "".join(f"N{n},{a}\n" for n, a in enumerate(addresses))

    with client.stream(
        "POST",
        f"{ELIGIBILITY}/audience",
        params={"subscriptionId": 1},
        content=csv.encode(),
        headers={"Content-Type": "text/csv"},
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/x-ndjson"
        assert "content-length" not in response.headers  # streamed, not buffered
        lines = [json.loads(line) for line in response.iter_lines() if line]

    assert len(lines) == 5_000
    assert [line["address"] for line in lines] == addresses
    assert lines[10:15] == [
        {"address": "in@x.com", "allowed": True, "reason": "SUBSCRIBED"},
        {"address": "out@x.com", "allowed": False, "reason": "UNSUBSCRIBED"},
        {
            "address": "bounced@x.com",
            "allowed": False,
            "reason": "SUPPRESSED",
            "suppression": "HARD_BOUNCE",
        },
        {
            "address": "not an address",
            "allowed": False,
            "reason": "INVALID_ADDRESS",
            "message": "Invalid email address 'not an address': An email address must have an"
            " @-sign.",
        },
        {"address": "IN@X.COM", "allowed": True, "reason": "SUBSCRIBED"},
    ]
    assert lines[0] == {
        "address": "user0@example.com",
        "allowed": True,
        "reason": "NOT_SPECIFIED_EMAIL",
    }


def test_audience_as_plain_lines_or_json(client: httpx.Client) -> None:
    _states(client)
    plain = client.post(
        f"{ELIGIBILITY}/audience",
        params={"subscriptionId": 1},
        content=b"\xef\xbb\xbfout@x.com\r\n\r\n  in@x.com  \n",
        headers={"Content-Type": "text/plain; charset=utf-8"},
    )
    as_json = client.post(
        f"{ELIGIBILITY}/audience",
        params={"subscriptionId": 1},
        json={"addresses": ["out@x.com", "in@x.com"]},
    )
    expected = (
        '{"address":"out@x.com","allowed":false,"reason":"UNSUBSCRIBED"}\n'
        '{"address":"in@x.com","allowed":true,"reason":"SUBSCRIBED"}\n'
    )
    assert plain.text == expected
    assert as_json.text == expected


def test_audience_refusals_come_before_the_stream(client: httpx.Client) -> None:
    url = f"{ELIGIBILITY}/audience"
    unknown = client.post(url, params={"subscriptionId": 99}, content=b"a@x.com\n")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["in"] == "subscriptionId"
    missing = client.post(url, content=b"a@x.com\n")
    assert [e["in"] for e in missing.json()["errors"]] == ["subscriptionId"]
    bad_json = client.post(url, params={"subscriptionId": 1}, json={"emails": ["a@x.com"]})
    assert bad_json.status_code == 400
    assert bad_json.json()["errors"][0]["in"] == "addresses"
    broken = client.post(
        url,
        params={"subscriptionId": 1},
        content=b"{",
        headers={"Content-Type": "application/json"},
    )
    assert broken.status_code == 400
    xml = client.post(
        url,
        params={"subscriptionId": 1},
        content=b"<a/>",
        headers={"Content-Type": "application/xml"},
    )
    assert xml.status_code == 415


def test_one_time_legal_basis_for_a_one_to_one_email(client: httpx.Client) -> None:
    client.patch("/api/v1/settings", json={"dataPrivacyMode": True})
    client.post(f"{V4}/a@x.com/unsubscribe-all", params={"channel": "EMAIL"})
    before = client.post(f"{ELIGIBILITY}/check", json={"address": "a@x.com", "subscriptionId": 2})
    assert before.json()["reason"] == "UNSUBSCRIBED_FROM_ALL"

    body = {
        "address": "a@x.com",
        "subscriptionId": 2,
        "legalBasis": "PERFORMANCE_OF_CONTRACT",
        "explanation": "Their invoice is overdue",
    }
    response = client.post(f"{ELIGIBILITY}/one-to-one", json=body)

    assert response.status_code == 200
    ledger_id = response.json()["ledgerId"]
    assert response.json() == answer(
        "a@x.com", True, "ONE_TIME_LEGAL_BASIS", subscriptionId=2, ledgerId=ledger_id
    )
    entries = client.get("/api/v1/subscribers/EMAIL/a@x.com/ledger").json()["results"]
    last = entries[-1]
    assert (last["id"], last["action"], last["outcome"], last["subscriptionId"]) == (
        ledger_id,
        "ONE_TIME_LEGAL_BASIS",
        "APPLIED",
        2,
    )
    assert (last["legalBasis"], last["legalBasisExplanation"]) == (
        "PERFORMANCE_OF_CONTRACT",
        "Their invoice is overdue",
    )
    after = client.post(f"{ELIGIBILITY}/check", json={"address": "a@x.com", "subscriptionId": 2})
    assert after.json()["allowed"] is False  # the basis was for that one message


def test_one_time_legal_basis_refusals(client: httpx.Client) -> None:
    body = {
        "address": "a@x.com",
        "subscriptionId": 1,
        "legalBasis": "PERFORMANCE_OF_CONTRACT",
        "explanation": "Invoice",
    }
    marketing = client.post(f"{ELIGIBILITY}/one-to-one", json=body)
    message = (
        "Subscription type 1 (Marketing Information) is a MARKETING type; a one-time legal"
        " basis applies to ONE_TO_ONE types only."
    )
    assert marketing.status_code == 400
    assert masked(marketing.json()) == error(
        "VALIDATION_ERROR",
        message,
        errors=[{"message": message, "code": "INVALID_INPUT", "in": "subscriptionId"}],
    )
    cases = {
        "legalBasis": {**body, "subscriptionId": 2, "legalBasis": "BECAUSE"},
        "explanation": {**body, "subscriptionId": 2, "explanation": ""},
        "address": {**body, "subscriptionId": 2, "address": "nope"},
    }
    for field, payload in cases.items():
        response = client.post(f"{ELIGIBILITY}/one-to-one", json=payload)
        assert response.status_code == 400, field
        assert [e["in"] for e in response.json()["errors"]] == [field], field
    assert client.get("/api/v1/subscribers/EMAIL/a@x.com/ledger").json()["results"] == []
