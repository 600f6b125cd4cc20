"""Native API: POST /api/v1/erasures erases a person through a real server (GDPR 17)."""

import httpx

ERASURES = "/api/v1/erasures"


def _subscribe(client: httpx.Client, address: str) -> None:
    answer = client.post(
        f"/communication-preferences/v4/statuses/{address}",
        json={"channel": "EMAIL", "statusState": "SUBSCRIBED", "subscriptionId": 1},
    )
    assert answer.status_code == 200, answer.text


def test_erasure_answers_counts_and_the_address_comes_back_suppressed(
    client: httpx.Client,
) -> None:
    _subscribe(client, "ann@example.com")
    dry = client.post(ERASURES, json={"address": "Ann@Example.com", "dryRun": True})
    assert dry.status_code == 200
    assert dry.json()["subscribers"] == 1 and dry.json()["dryRun"] is True
    assert client.get("/api/v1/subscribers/EMAIL/ann@example.com").status_code == 200

    done = client.post(ERASURES, json={"address": "ann@example.com"})
    body = done.json()
    assert done.status_code == 200, body
    assert (body["subscribers"], body["ledgerEntriesBlanked"], body["dryRun"]) == (1, 1, False)
    assert "ann" not in done.text.lower()  # counts only
    assert client.get("/api/v1/ledger/verify").json()["ok"] is True

    _subscribe(client, "ann@example.com")  # an API opt-in for the erased address
    answer = client.post(
        "/api/v1/eligibility/check", json={"address": "ann@example.com", "subscriptionId": 1}
    )
    assert (answer.json()["reason"], answer.json()["suppression"]) == ("SUPPRESSED", "ERASED")


def test_bad_unknown_and_repeated_erasures(client: httpx.Client) -> None:
    bad = client.post(ERASURES, json={"address": "ann@"})
    assert bad.status_code == 400 and "address" in bad.text
    unknown = client.post(ERASURES, json={"address": "nobody@example.com"})
    assert unknown.status_code == 404 and "Nothing is held" in unknown.text
    assert client.post(ERASURES, json={"adress": "x@example.com"}).status_code == 400
    _subscribe(client, "bob@example.com")
    assert client.post(ERASURES, json={"address": "bob@example.com"}).status_code == 200
    again = client.post(ERASURES, json={"address": "bob@example.com"})
    assert again.status_code == 404 and "erased before" in again.text
