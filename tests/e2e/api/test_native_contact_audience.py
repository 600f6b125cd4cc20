"""Eligibility of every contact matching a filter, streamed as NDJSON."""

import json

import httpx

URL = "/api/v1/eligibility/audience/contacts"


def _contacts(client: httpx.Client, *people: tuple[str, str]) -> None:
    inputs = [{"properties": {"email": email, "country": country}} for email, country in people]
    assert client.post(
        "/crm/v3/objects/contacts/batch/create", json={"inputs": inputs}
    ).status_code in (200, 201)


def _lines(response: httpx.Response) -> list[dict[str, object]]:
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_matching_contacts_are_answered_with_reasons(client: httpx.Client) -> None:
    _contacts(client, ("de1@x.com", "DE"), ("de2@x.com", "DE"), ("fr@x.com", "FR"))
    client.post(
        "/communication-preferences/v4/statuses/de2@x.com",
        json={"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": 1},
    )
    response = client.post(
        URL,
        params={"subscriptionId": 1},
        json={
            "filterGroups": [
                {"filters": [{"propertyName": "country", "operator": "EQ", "value": "DE"}]}
            ]
        },
    )
    assert response.status_code == 200
    assert _lines(response) == [
        {"address": "de1@x.com", "allowed": True, "reason": "NOT_SPECIFIED_EMAIL"},
        {"address": "de2@x.com", "allowed": False, "reason": "UNSUBSCRIBED"},
    ]


def test_filter_on_computed_opt_out_property(client: httpx.Client) -> None:
    _contacts(client, ("a@x.com", "DE"), ("b@x.com", "DE"))
    client.post(
        "/communication-preferences/v4/statuses/b@x.com/unsubscribe-all",
        params={"channel": "EMAIL"},
    )
    response = client.post(
        URL,
        params={"subscriptionId": 1},
        json={
            "filterGroups": [
                {
                    "filters": [
                        {"propertyName": "hs_email_optout", "operator": "EQ", "value": "true"}
                    ]
                }
            ]
        },
    )
    assert _lines(response) == [
        {"address": "b@x.com", "allowed": False, "reason": "UNSUBSCRIBED_FROM_ALL"}
    ]


def test_a_bad_filter_is_a_400_before_any_line(client: httpx.Client) -> None:
    response = client.post(
        URL,
        params={"subscriptionId": 1},
        json={
            "filterGroups": [
                {"filters": [{"propertyName": "country", "operator": "NOPE", "value": "DE"}]}
            ]
        },
    )
    assert response.status_code == 400
    assert response.json()["category"] == "VALIDATION_ERROR"


def test_an_unknown_type_is_a_400(client: httpx.Client) -> None:
    response = client.post(URL, params={"subscriptionId": 999}, json={"filterGroups": []})
    assert response.status_code == 400
    assert response.json()["errors"][0]["in"] == "subscriptionId"
