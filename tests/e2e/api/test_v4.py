"""Communication Preferences v4 over HTTP: every endpoint, whole bodies, SQLite and PostgreSQL."""

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Channel
from tests.e2e.api.shapes import CORRELATION, TIME, envelope, error, masked, public_status

V4 = "/communication-preferences/v4"
MARKETING, ONE_TO_ONE, SERVICE = (
    (1, "Marketing Information"),
    (2, "One to One"),
    (3, "Customer Service Communication"),
)


def _set(
    client: httpx.Client, address: str, state: str, type_id: int = 1, **extra: object
) -> httpx.Response:
    body = {"channel": "EMAIL", "statusState": state, "subscriptionId": type_id, **extra}
    return client.post(f"{V4}/statuses/{address}", json=body)


def test_definitions(client: httpx.Client) -> None:
    response = client.get(f"{V4}/definitions")
    assert response.status_code == 200
    first = {
        "id": "1",
        "name": "Marketing Information",
        "description": "Marketing offers and updates.",
        "purpose": "Marketing",
        "communicationMethod": "Email",
        "isActive": True,
        "isDefault": True,
        "isInternal": False,
        "createdAt": TIME,
        "updatedAt": TIME,
        "businessUnitId": 0,
    }
    body = masked(response.json())
    assert body["results"][0] == first
    assert [r["name"] for r in body["results"]] == [n for _, n in (MARKETING, ONE_TO_ONE, SERVICE)]
    assert body == envelope(body["results"])


def test_definitions_with_translations(client: httpx.Client) -> None:
    body = masked(client.get(f"{V4}/definitions", params={"includeTranslations": "true"}).json())
    assert body["results"][0]["subscriptionTranslations"] == []


def test_set_status_and_read_it_back(client: httpx.Client) -> None:
    written = _set(client, "Ann@Example.com", "UNSUBSCRIBED")
    assert written.status_code == 200
    assert masked(written.json()) == envelope(
        [
            public_status(
                "ann@example.com", *MARKETING, "UNSUBSCRIBED", reason="REQUESTED_CHANGE_OCCURRED"
            )
        ]
    )

    read = client.get(f"{V4}/statuses/ann@example.com", params={"channel": "EMAIL"})
    assert masked(read.json()) == envelope(
        [
            public_status("ann@example.com", *MARKETING, "UNSUBSCRIBED"),
            public_status("ann@example.com", *ONE_TO_ONE, "NOT_SPECIFIED", source="Not set"),
            public_status("ann@example.com", *SERVICE, "NOT_SPECIFIED", source="Not set"),
        ]
    )


def test_repeat_is_no_status_change(client: httpx.Client) -> None:
    _set(client, "a@x.com", "SUBSCRIBED")
    again = _set(client, "a@x.com", "SUBSCRIBED")
    assert again.json()["results"][0]["setStatusSuccessReason"] == "NO_STATUS_CHANGE"


def test_resubscribe_needs_basis_then_answers_resubscribe_occurred(client: httpx.Client) -> None:
    _set(client, "a@x.com", "UNSUBSCRIBED")
    refused = _set(client, "a@x.com", "SUBSCRIBED")
    assert refused.status_code == 400
    assert masked(refused.json()) == error(
        "VALIDATION_ERROR",
        "Resubscribing an address that opted out needs a legal basis and an explanation"
        " (missing: legal basis and explanation).",
        subCategory="LEGAL_BASIS_REQUIRED",
        context={"subscriberIdString": ["a@x.com"], "subscriptionId": ["1"]},
    )
    done = _set(
        client,
        "a@x.com",
        "SUBSCRIBED",
        legalBasis="CONSENT_WITH_NOTICE",
        legalBasisExplanation="Asked by email",
    )
    assert masked(done.json()) == envelope(
        [
            public_status(
                "a@x.com",
                *MARKETING,
                "SUBSCRIBED",
                reason="RESUBSCRIBE_OCCURRED",
                legal_basis="CONSENT_WITH_NOTICE",
                explanation="Asked by email",
            )
        ]
    )


def test_unsubscribe_all_and_read_it(client: httpx.Client) -> None:
    quiet = client.post(f"{V4}/statuses/a@x.com/unsubscribe-all", params={"channel": "EMAIL"})
    assert masked(quiet.json()) == envelope([])
    wide = client.get(f"{V4}/statuses/a@x.com/unsubscribe-all", params={"channel": "EMAIL"})
    assert masked(wide.json()) == envelope(
        [
            {
                "channel": "EMAIL",
                "subscriberIdString": "a@x.com",
                "status": "UNSUBSCRIBED",
                "wideStatusType": "PORTAL_WIDE",
                "businessUnitId": 0,
                "timestamp": TIME,
            }
        ]
    )
    none = client.get(f"{V4}/statuses/b@x.com/unsubscribe-all", params={"channel": "EMAIL"})
    assert masked(none.json()) == envelope([])


def test_unsubscribe_all_verbose_lists_every_type(client: httpx.Client) -> None:
    response = client.post(
        f"{V4}/statuses/a@x.com/unsubscribe-all", params={"channel": "EMAIL", "verbose": "true"}
    )
    assert masked(response.json()) == envelope(
        [
            public_status("a@x.com", *t, "UNSUBSCRIBED", reason="UNSUBSCRIBE_FROM_ALL_OCCURRED")
            for t in (MARKETING, ONE_TO_ONE, SERVICE)
        ]
    )


def test_batch_read_with_a_bad_input_answers_207(client: httpx.Client) -> None:
    _set(client, "a@x.com", "SUBSCRIBED")
    response = client.post(
        f"{V4}/statuses/batch/read",
        params={"channel": "EMAIL"},
        json={"inputs": ["a@x.com", "not-an-email"]},
    )
    assert response.status_code == 207
    body = masked(response.json())
    assert body["results"][0]["subscriberIdString"] == "a@x.com"
    assert body["results"][0]["statuses"][0] == public_status("a@x.com", *MARKETING, "SUBSCRIBED")
    assert body["numErrors"] == 1
    (problem,) = body["errors"]
    assert problem["category"] == "VALIDATION_ERROR" and problem["status"] == "error"
    assert problem["context"] == {"subscriberIdString": ["not-an-email"]}
    assert problem["errors"][0]["in"] == "email" and "@-sign" in problem["message"]


def test_batch_write_thousand_inputs_in_one_call(client: httpx.Client) -> None:
    inputs = [
        {
            "subscriberIdString": f"user{n}@x.com",
            "channel": "EMAIL",
            "statusState": "UNSUBSCRIBED" if n % 2 else "SUBSCRIBED",
            "subscriptionId": 1,
        }
        for n in range(1000)
    ]
    response = client.post(f"{V4}/statuses/batch/write", json={"inputs": inputs})
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 1000 and "errors" not in body
    assert body["results"][1]["status"] == "UNSUBSCRIBED"


def test_batch_write_partial_failure_names_each_input(client: httpx.Client) -> None:
    _set(client, "out@x.com", "UNSUBSCRIBED")
    inputs = [
        {
            "subscriberIdString": "ok@x.com",
            "channel": "EMAIL",
            "statusState": "SUBSCRIBED",
            "subscriptionId": 1,
        },
        {
            "subscriberIdString": "ok@x.com",
            "channel": "EMAIL",
            "statusState": "SUBSCRIBED",
            "subscriptionId": 999,
        },
        {
            "subscriberIdString": "out@x.com",
            "channel": "EMAIL",
            "statusState": "SUBSCRIBED",
            "subscriptionId": 1,
        },
    ]
    response = client.post(f"{V4}/statuses/batch/write", json={"inputs": inputs})
    assert response.status_code == 207
    body = masked(response.json())
    assert [r["subscriberIdString"] for r in body["results"]] == ["ok@x.com"]
    unknown, refused = body["errors"]
    assert "Unknown subscriptionId 999" in unknown["message"]
    assert unknown["errors"][0]["in"] == "subscriptionId"
    assert refused["subCategory"] == "LEGAL_BASIS_REQUIRED"
    assert refused["context"] == {"subscriberIdString": ["out@x.com"], "subscriptionId": ["1"]}


def test_batch_over_the_limit_is_refused_naming_it(client: httpx.Client) -> None:
    response = client.post(
        f"{V4}/statuses/batch/read",
        params={"channel": "EMAIL"},
        json={"inputs": [f"u{n}@x.com" for n in range(1001)]},
    )
    assert response.status_code == 400
    assert "at most 1000 inputs" in response.json()["message"]


def test_batch_unsubscribe_all_and_read(client: httpx.Client) -> None:
    response = client.post(
        f"{V4}/statuses/batch/unsubscribe-all",
        params={"channel": "EMAIL"},
        json={"inputs": ["a@x.com", "b@x.com"]},
    )
    assert masked(response.json()) == envelope(
        [{"subscriberIdString": "a@x.com"}, {"subscriberIdString": "b@x.com"}]
    )
    read = client.post(
        f"{V4}/statuses/batch/unsubscribe-all/read",
        params={"channel": "EMAIL"},
        json={"inputs": ["a@x.com", "c@x.com"]},
    )
    assert masked(read.json()) == envelope(
        [
            {
                "subscriberIdString": "a@x.com",
                "wideStatuses": [
                    {
                        "channel": "EMAIL",
                        "subscriberIdString": "a@x.com",
                        "status": "UNSUBSCRIBED",
                        "wideStatusType": "PORTAL_WIDE",
                        "businessUnitId": 0,
                        "timestamp": TIME,
                    }
                ],
            },
            {"subscriberIdString": "c@x.com", "wideStatuses": []},
        ]
    )


def test_batch_unsubscribe_all_verbose(client: httpx.Client) -> None:
    response = client.post(
        f"{V4}/statuses/batch/unsubscribe-all",
        params={"channel": "EMAIL", "verbose": "true"},
        json={"inputs": ["a@x.com"]},
    )
    statuses = masked(response.json())["results"][0]["statuses"]
    assert [s["subscriptionId"] for s in statuses] == [1, 2, 3]
    assert {s["setStatusSuccessReason"] for s in statuses} == {"UNSUBSCRIBE_FROM_ALL_OCCURRED"}


def test_sms_subscriber_in_e164(client: httpx.Client, engine: Engine) -> None:
    sms = services.create_type(engine, services.NewType("SMS Promotions", channel=Channel.SMS))
    response = client.post(
        f"{V4}/statuses/+1 (415) 555-0123",
        json={"channel": "SMS", "statusState": "UNSUBSCRIBED", "subscriptionId": sms.id},
    )
    assert masked(response.json()) == envelope(
        [
            public_status(
                "+14155550123",
                sms.id,
                "SMS Promotions",
                "UNSUBSCRIBED",
                channel="SMS",
                reason="REQUESTED_CHANGE_OCCURRED",
            )
        ]
    )
    opt_in = client.post(
        f"{V4}/statuses/+14155550123",
        json={
            "channel": "SMS",
            "statusState": "SUBSCRIBED",
            "subscriptionId": sms.id,
            "legalBasis": "CONSENT_WITH_NOTICE",
            "legalBasisExplanation": "Texted START",
        },
    )
    assert opt_in.status_code == 400
    assert opt_in.json()["subCategory"] == "CHANNEL_NOT_ENABLED"


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", f"{V4}/definitions", "communication_preferences.read"),
        ("GET", f"{V4}/statuses/a@x.com?channel=EMAIL", "communication_preferences.read"),
        ("POST", f"{V4}/statuses/a@x.com", "communication_preferences.write"),
        (
            "POST",
            f"{V4}/statuses/batch/read?channel=EMAIL",
            "communication_preferences.statuses.batch.read",
        ),
        ("POST", f"{V4}/statuses/batch/write", "communication_preferences.statuses.batch.write"),
    ],
)
def test_missing_scope_is_403_naming_it(
    base_url: str, make_token: Callable[..., str], method: str, path: str, scope: str
) -> None:
    token = make_token("crm.objects.contacts.read")
    response = httpx.request(
        method, base_url + path, json={"inputs": []}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 403
    body = masked(response.json())
    assert body["category"] == "MISSING_SCOPES" and body["correlationId"] == CORRELATION
    assert body["context"] == {"requiredScopes": [scope]}


def test_bad_or_missing_token_is_401(base_url: str) -> None:
    missing = httpx.get(f"{base_url}{V4}/definitions")
    wrong = httpx.get(f"{base_url}{V4}/definitions", headers={"Authorization": "Bearer cst_nope"})
    assert missing.status_code == wrong.status_code == 401
    assert wrong.json()["category"] == "INVALID_AUTHENTICATION"


def test_malformed_json_and_missing_field_are_400(client: httpx.Client) -> None:
    bad = client.post(
        f"{V4}/statuses/a@x.com", content=b"{nope", headers={"content-type": "application/json"}
    )
    missing = client.post(f"{V4}/statuses/a@x.com", json={"channel": "EMAIL", "subscriptionId": 1})
    assert bad.status_code == missing.status_code == 400
    assert masked(missing.json()) == error(
        "VALIDATION_ERROR",
        "statusState: Field required",
        errors=[{"message": "statusState: Field required", "code": "MISSING", "in": "statusState"}],
    )


def test_links_generate(client: httpx.Client) -> None:
    response = client.post(
        f"{V4}/links/generate",
        params={"channel": "EMAIL"},
        json={"subscriberIdString": "Ann@X.com", "subscriptionId": 1, "language": "de"},
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {
        "subscriberIdString",
        "managePreferencesUrl",
        "unsubscribeAllUrl",
        "unsubscribeSingleUrl",
    }
    assert body["subscriberIdString"] == "ann@x.com"
    assert body["managePreferencesUrl"].startswith("http://127.0.0.1:8000/preferences/")
    assert body["unsubscribeAllUrl"].endswith("?lang=de")
    # The token reveals nothing: not the address, nor its parts (a random token may contain
    # three given letters by chance, so the whole address and its domain are what is checked).
    assert not {"ann@x.com", "ann%40x.com", "x.com"} & set(body["unsubscribeSingleUrl"].split("/"))
    assert (
        "ann@x" not in body["unsubscribeSingleUrl"] and "ann%40" not in body["unsubscribeSingleUrl"]
    )
    without_type = client.post(
        f"{V4}/links/generate",
        params={"channel": "EMAIL"},
        json={"subscriberIdString": "ann@x.com"},
    ).json()
    assert "unsubscribeSingleUrl" not in without_type


def test_links_for_a_type_of_another_channel_are_refused(client: httpx.Client) -> None:
    response = client.post(
        f"{V4}/links/generate",
        params={"channel": "SMS"},
        json={"subscriberIdString": "+14155550123", "subscriptionId": 1},
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["in"] == "subscriptionId"
