"""The WhatsApp Cloud API webhook through a real server, on SQLite and PostgreSQL: the
verification handshake, real-format payloads (text, button and interactive replies) with valid
and invalid signatures, and that a WhatsApp opt-out never touches SMS."""

from collections.abc import Iterator

import httpx
import pytest

from consentry.domain import Channel, Status
from tests.e2e.helpers import count, query
from tests.e2e.phone_channels import VERIFY_TOKEN, Phones, phones, whatsapp_payload

WA_ID = "14155550123"
NUMBER = "+" + WA_ID


@pytest.fixture
def wa(database_url: str) -> Iterator[Phones]:
    yield from phones(database_url)


def test_the_verification_handshake_echoes_the_challenge_only_for_the_right_token(
    wa: Phones,
) -> None:
    params = {
        "hub.mode": "subscribe",
        "hub.verify_token": VERIFY_TOKEN,
        "hub.challenge": "1158201444",
    }
    ok = httpx.get(wa.base_url + "/webhooks/whatsapp", params=params)
    assert (ok.status_code, ok.text) == (200, "1158201444")

    wrong = httpx.get(
        wa.base_url + "/webhooks/whatsapp", params={**params, "hub.verify_token": "guess"}
    )
    assert wrong.status_code == 403
    assert "1158201444" not in wrong.text

    # A provider's callback is a machine's path: a malformed handshake gets the JSON error.
    long = httpx.get(
        wa.base_url + "/webhooks/whatsapp", params={**params, "hub.challenge": "9" * 201}
    )
    assert long.status_code == 400
    assert long.headers["content-type"] == "application/json"
    assert long.json()["errors"][0]["in"] == "hub.challenge"


def test_a_text_stop_opts_out_of_every_whatsapp_type_and_not_sms(
    wa: Phones, database_url: str
) -> None:
    wa.opt_in(NUMBER, Channel.WHATSAPP, "WhatsApp Marketing")
    wa.opt_in(NUMBER, Channel.SMS, "SMS Marketing")

    answer = wa.whatsapp(whatsapp_payload(WA_ID, {"type": "text", "text": {"body": "STOP"}}))

    assert answer.status_code == 200
    (handled,) = answer.json()["handled"]
    assert handled["intent"] == "OPT_OUT" and "unsubscribed" in handled["reply"]
    assert wa.status(NUMBER, Channel.WHATSAPP, "WhatsApp Marketing") is Status.UNSUBSCRIBED
    assert wa.status(NUMBER, Channel.WHATSAPP, "WhatsApp Transactional") is Status.UNSUBSCRIBED
    assert not wa.sendable(NUMBER, "WhatsApp Marketing")
    assert wa.sendable(NUMBER, "SMS Marketing")
    sources = query(
        database_url, "SELECT DISTINCT source, actor_kind FROM ledger WHERE channel = 'WHATSAPP'"
        " AND new_status = 'UNSUBSCRIBED'",
    )  # fmt: skip
    assert sources == [("WHATSAPP_KEYWORD", "PROVIDER")]


@pytest.mark.parametrize(
    "message",
    [
        {"type": "button", "button": {"text": "Stop promotions", "payload": "STOP_PROMOS"}},
        {
            "type": "interactive",
            "interactive": {
                "type": "button_reply",
                "button_reply": {"id": "unsubscribe", "title": "Unsubscribe"},
            },
        },
        {"type": "text", "text": {"body": "no me envíen más mensajes"}},
    ],
    ids=["button", "interactive", "spanish-text"],
)
def test_button_interactive_and_plain_language_replies_opt_out(
    wa: Phones, message: dict[str, object]
) -> None:
    wa.opt_in(NUMBER, Channel.WHATSAPP, "WhatsApp Marketing")

    answer = wa.whatsapp(whatsapp_payload(WA_ID, message))

    assert answer.status_code == 200
    assert answer.json()["handled"][0]["intent"] == "OPT_OUT"
    assert not wa.sendable(NUMBER, "WhatsApp Marketing")


def test_a_bad_signature_answers_403_and_changes_nothing(wa: Phones, database_url: str) -> None:
    wa.opt_in(NUMBER, Channel.WHATSAPP, "WhatsApp Marketing")
    before = count(database_url, "ledger")
    payload = whatsapp_payload(WA_ID, {"type": "text", "text": {"body": "STOP"}})

    forged = wa.whatsapp(payload, secret="someone-elses-secret")
    unsigned = httpx.post(wa.base_url + "/webhooks/whatsapp", json=payload)

    assert (forged.status_code, unsigned.status_code) == (403, 403)
    assert count(database_url, "ledger") == before
    assert wa.sendable(NUMBER, "WhatsApp Marketing")


def test_status_callbacks_and_other_numbers_change_nothing(wa: Phones, database_url: str) -> None:
    before = count(database_url, "ledger")
    statuses = whatsapp_payload(WA_ID, {"type": "text", "text": {"body": "STOP"}})
    value = statuses["entry"][0]["changes"][0]["value"]
    value["statuses"] = [{"id": "wamid.x", "status": "delivered", "recipient_id": WA_ID}]
    del value["messages"]
    other_number = whatsapp_payload(WA_ID, {"type": "text", "text": {"body": "STOP"}})
    other_number["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = "999999"

    assert wa.whatsapp(statuses).json() == {"handled": []}
    assert wa.whatsapp(other_number).json() == {"handled": []}
    assert count(database_url, "ledger") == before


def test_start_on_whatsapp_from_a_number_that_never_opted_in_creates_no_consent(
    wa: Phones, database_url: str
) -> None:
    answer = wa.whatsapp(whatsapp_payload(WA_ID, {"type": "text", "text": {"body": "START"}}))

    assert answer.json()["handled"][0]["intent"] == "OPT_IN"
    assert wa.status(NUMBER, Channel.WHATSAPP, "WhatsApp Marketing") is Status.NOT_SPECIFIED
    assert not wa.sendable(NUMBER, "WhatsApp Marketing")
    assert count(database_url, "ledger") == 0


def test_a_huge_body_is_refused_unread(wa: Phones, database_url: str) -> None:
    answer = httpx.post(
        wa.base_url + "/webhooks/whatsapp",
        content=b"{" + b" " * 2_000_000 + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert answer.status_code == 413
    assert count(database_url, "ledger") == 0
