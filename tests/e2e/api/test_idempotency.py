"""Idempotency-Key: a repeated write is answered from the first answer and changes nothing."""

from collections.abc import Callable

import httpx
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Channel

URL = "/communication-preferences/v4/statuses/a@x.com"
BODY = {"channel": "EMAIL", "statusState": "UNSUBSCRIBED", "subscriptionId": 1}


def _post(client: httpx.Client, key: str, body: dict[str, object] = BODY) -> httpx.Response:
    return client.post(URL, json=body, headers={"Idempotency-Key": key})


def test_repeat_replays_the_first_answer_and_writes_no_second_entry(
    client: httpx.Client, engine: Engine
) -> None:
    first = _post(client, "key-1")
    again = _post(client, "key-1")

    assert first.status_code == again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    assert len(services.history(engine, "a@x.com", Channel.EMAIL).entries) == 1


def test_without_a_key_a_repeat_is_recorded_as_no_change(
    client: httpx.Client, engine: Engine
) -> None:
    client.post(URL, json=BODY)
    client.post(URL, json=BODY)
    outcomes = [e.outcome for e in services.history(engine, "a@x.com", Channel.EMAIL).entries]
    assert outcomes == ["APPLIED", "NO_CHANGE"]


def test_a_key_reused_for_another_request_is_refused(client: httpx.Client) -> None:
    _post(client, "key-2")
    other = _post(client, "key-2", {**BODY, "statusState": "SUBSCRIBED"})
    assert other.status_code == 400
    assert "different request" in other.json()["message"]


def test_keys_belong_to_their_token(
    base_url: str, make_token: Callable[..., str], engine: Engine
) -> None:
    for _ in range(2):
        token = make_token("communication_preferences.write")
        httpx.post(
            base_url + URL,
            json=BODY,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "shared"},
        )
    assert len(services.history(engine, "a@x.com", Channel.EMAIL).entries) == 2


def test_refusals_are_replayed_too(client: httpx.Client, engine: Engine) -> None:
    _post(client, "k0")
    refused = _post(client, "k3", {**BODY, "statusState": "SUBSCRIBED"})
    again = _post(client, "k3", {**BODY, "statusState": "SUBSCRIBED"})
    assert refused.status_code == again.status_code == 400
    assert again.json() == refused.json()
    assert len(services.history(engine, "a@x.com", Channel.EMAIL).entries) == 2


def test_an_unusable_key_is_400(client: httpx.Client) -> None:
    assert _post(client, "x" * 201).status_code == 400


def test_read_only_posts_are_not_replayed(client: httpx.Client) -> None:
    url = "/communication-preferences/v4/statuses/batch/read?channel=EMAIL"
    before = client.post(url, json={"inputs": ["a@x.com"]}, headers={"Idempotency-Key": "r"})
    _post(client, "write")
    after = client.post(url, json={"inputs": ["a@x.com"]}, headers={"Idempotency-Key": "r"})
    assert "idempotent-replayed" not in after.headers
    statuses = [
        r["statuses"][0]["status"]
        for r in (before.json()["results"][0], after.json()["results"][0])
    ]
    assert statuses == ["NOT_SPECIFIED", "UNSUBSCRIBED"]
