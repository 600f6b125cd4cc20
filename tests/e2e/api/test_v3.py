"""Communication Preferences v3 over HTTP, and HubSpot's own Python client against our server."""

from collections.abc import Callable

import httpx
import pytest
from hubspot import HubSpot
from hubspot.communication_preferences.exceptions import ApiException
from hubspot.communication_preferences.models import PublicUpdateSubscriptionStatusRequest

from tests.e2e.api.shapes import TIME, error, masked

V3 = "/communication-preferences/v3"


def _status(
    type_id: int, name: str, description: str, status: str, source: str, **extra: object
) -> dict[str, object]:
    return {
        "id": str(type_id),
        "name": name,
        "description": description,
        "status": status,
        "sourceOfStatus": source,
        "brandId": 0,
        "legalBasis": None,
        "legalBasisExplanation": None,
        **extra,
    }


def test_definitions(client: httpx.Client) -> None:
    body = masked(client.get(f"{V3}/definitions").json())
    assert body["subscriptionDefinitions"][1] == {
        "id": "2",
        "name": "One to One",
        "description": "One to one emails.",
        "purpose": "Sales",
        "communicationMethod": "Email",
        "isActive": True,
        "isDefault": True,
        "isInternal": False,
        "createdAt": TIME,
        "updatedAt": TIME,
        "businessUnitId": 0,
    }
    assert len(body["subscriptionDefinitions"]) == 3


def test_subscribe_unsubscribe_and_status(client: httpx.Client) -> None:
    subscribed = client.post(
        f"{V3}/subscribe", json={"emailAddress": "A@x.com", "subscriptionId": "1"}
    )
    assert subscribed.status_code == 200
    assert subscribed.json() == _status(
        1,
        "Marketing Information",
        "Marketing offers and updates.",
        "SUBSCRIBED",
        "SUBSCRIPTION_STATUS",
    )
    client.post(f"{V3}/unsubscribe", json={"emailAddress": "a@x.com", "subscriptionId": "3"})
    body = client.get(f"{V3}/status/email/a@x.com").json()
    assert body["recipient"] == "a@x.com"
    assert [(s["id"], s["status"]) for s in body["subscriptionStatuses"]] == [
        ("1", "SUBSCRIBED"),
        ("2", "NOT_SUBSCRIBED"),
        ("3", "NOT_SUBSCRIBED"),
    ]


def test_v3_refuses_to_resubscribe(client: httpx.Client) -> None:
    client.post(f"{V3}/unsubscribe", json={"emailAddress": "a@x.com", "subscriptionId": "1"})
    refused = client.post(
        f"{V3}/subscribe",
        json={
            "emailAddress": "a@x.com",
            "subscriptionId": "1",
            "legalBasis": "LEGITIMATE_INTEREST_CLIENT",
            "legalBasisExplanation": "customer",
        },
    )
    assert refused.status_code == 400
    assert masked(refused.json()) == error(
        "VALIDATION_ERROR",
        "You cannot subscribe an unsubscribed address.",
        subCategory="RESUBSCRIBE_FORBIDDEN",
        context={"subscriberIdString": ["a@x.com"], "subscriptionId": ["1"]},
    )


def test_wide_opt_out_shows_every_type_not_subscribed_with_the_wide_source(
    client: httpx.Client,
) -> None:
    client.post(f"{V3}/subscribe", json={"emailAddress": "a@x.com", "subscriptionId": "1"})
    client.post(
        "/communication-preferences/v4/statuses/a@x.com/unsubscribe-all",
        params={"channel": "EMAIL"},
    )
    statuses = client.get(f"{V3}/status/email/a@x.com").json()["subscriptionStatuses"]
    assert {(s["status"], s["sourceOfStatus"]) for s in statuses} == {
        ("NOT_SUBSCRIBED", "PORTAL_WIDE_STATUS")
    }


@pytest.mark.parametrize("subscription_id", ["abc", "999", "¹", "٣", "99999999999999999999"])
def test_bad_subscription_id_is_400_naming_it(client: httpx.Client, subscription_id: str) -> None:
    response = client.post(
        f"{V3}/subscribe", json={"emailAddress": "a@x.com", "subscriptionId": subscription_id}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["in"] == "subscriptionId"


def test_hubspot_python_client_works_by_changing_only_base_url_and_token(
    base_url: str, make_token: Callable[..., str]
) -> None:
    hubspot = HubSpot(
        access_token=make_token("communication_preferences.read_write"), host=base_url
    )
    preferences = hubspot.communication_preferences

    definitions = preferences.definition_api.get_page().subscription_definitions
    assert [d.name for d in definitions] == [
        "Marketing Information",
        "One to One",
        "Customer Service Communication",
    ]

    subscribed = preferences.status_api.subscribe(
        public_update_subscription_status_request=(
            PublicUpdateSubscriptionStatusRequest(email_address="fan@x.com", subscription_id="1")
        )
    )
    assert subscribed.status == "SUBSCRIBED"
    unsubscribed = preferences.status_api.unsubscribe(
        public_update_subscription_status_request=(
            PublicUpdateSubscriptionStatusRequest(email_address="fan@x.com", subscription_id="1")
        )
    )
    assert unsubscribed.status == "NOT_SUBSCRIBED"

    status = preferences.status_api.get_email_status(email_address="fan@x.com")
    assert status.recipient == "fan@x.com"
    assert status.subscription_statuses[0].status == "NOT_SUBSCRIBED"

    with pytest.raises(ApiException) as refused:
        preferences.status_api.subscribe(
            public_update_subscription_status_request=(
                PublicUpdateSubscriptionStatusRequest(
                    email_address="fan@x.com", subscription_id="1"
                )
            )
        )
    assert refused.value.status == 400
    assert "You cannot subscribe an unsubscribed address." in refused.value.body
