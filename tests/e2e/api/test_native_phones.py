"""The phone channels' native routes through a real server: stop requests from elsewhere,
the review queue (a possible stop resolved into an opt-out, or dismissed) and quiet hours."""

import httpx
from sqlalchemy import Engine

from consentry import services
from consentry.domain import Actor, ActorKind, Channel, Source, Status
from consentry.services import channels
from consentry.services.keywords import Inbound, handle_inbound

NUMBER = "+14155550123"


def _subscribed(engine: Engine, channel: Channel, type_name: str) -> int:
    type_id = next(t.id for t in services.list_types(engine) if t.name == type_name)
    provenance = services.Provenance(Source.USER, Actor(ActorKind.USER, "test"))
    change = services.StatusChange(NUMBER, channel, type_id, Status.SUBSCRIBED, provenance)
    assert services.set_status(engine, change).decision.applied
    return type_id


def test_a_stop_request_by_phone_call_opts_out_of_that_channel_only(
    client: httpx.Client, engine: Engine
) -> None:
    channels.setup_sms(engine, "+14155550100", "twilio-token-123456")
    channels.setup_whatsapp(engine, "106540352242922", "verify-token-1", "app-secret-123456")
    sms = _subscribed(engine, Channel.SMS, "SMS Marketing")
    whatsapp = _subscribed(engine, Channel.WHATSAPP, "WhatsApp Marketing")

    answer = client.post(
        "/api/v1/stop-requests",
        json={
            "channel": "SMS",
            "number": "(415) 555-0123",
            "via": "PHONE_CALL",
            "evidence": "Called support on 3 Dec: 'please stop the texts'",
        },
    )

    assert answer.status_code == 201, answer.text
    assert answer.json()["number"] == NUMBER and answer.json()["ledgerIds"]
    assert not services.check_eligibility(engine, NUMBER, sms).allowed
    assert services.check_eligibility(engine, NUMBER, whatsapp).allowed
    history = services.history(engine, NUMBER, Channel.SMS)
    assert any(
        entry.evidence.get("text", "").startswith("Called support") for entry in history.entries
    )


def test_a_whatsapp_stop_request_by_ticket_ends_transactional_messages_too(
    client: httpx.Client, engine: Engine
) -> None:
    channels.setup_whatsapp(engine, "106540352242922", "verify-token-1", "app-secret-123456")
    marketing = _subscribed(engine, Channel.WHATSAPP, "WhatsApp Marketing")
    transactional = _subscribed(engine, Channel.WHATSAPP, "WhatsApp Transactional")

    answer = client.post(
        "/api/v1/stop-requests",
        json={"channel": "WHATSAPP", "number": NUMBER, "via": "TICKET", "evidence": "#4411"},
    )

    assert answer.status_code == 201, answer.text
    assert not services.check_eligibility(engine, NUMBER, marketing).allowed
    assert not services.check_eligibility(engine, NUMBER, transactional).allowed


def test_a_stop_request_on_email_or_a_bad_number_is_a_400(client: httpx.Client) -> None:
    email = client.post(
        "/api/v1/stop-requests", json={"channel": "EMAIL", "number": "a@x.com", "evidence": "x"}
    )
    bad = client.post(
        "/api/v1/stop-requests", json={"channel": "SMS", "number": "12", "evidence": "x"}
    )
    assert (email.status_code, bad.status_code) == (400, 400)
    assert "number" in bad.text


def test_a_review_item_resolves_into_an_opt_out(client: httpx.Client, engine: Engine) -> None:
    channels.setup_sms(engine, "+14155550100", "twilio-token-123456")
    sms = _subscribed(engine, Channel.SMS, "SMS Marketing")
    handled = handle_inbound(
        engine, Inbound(Channel.SMS, NUMBER, "how do I stop these", "twilio", "SM1")
    )
    assert handled.review_id is not None
    assert services.check_eligibility(engine, NUMBER, sms).allowed

    queue = client.get("/api/v1/review-queue").json()["results"]
    assert [(i["number"], i["body"], i["resolution"]) for i in queue] == [
        (NUMBER, "how do I stop these", None)
    ]
    resolved = client.post(
        f"/api/v1/review-queue/{queue[0]['id']}/resolve", json={"resolution": "OPT_OUT"}
    )

    assert resolved.status_code == 200, resolved.text
    assert resolved.json()["resolution"] == "OPT_OUT" and resolved.json()["ledgerId"]
    assert not services.check_eligibility(engine, NUMBER, sms).allowed
    assert client.get("/api/v1/review-queue").json()["results"] == []
    again = client.post(
        f"/api/v1/review-queue/{queue[0]['id']}/resolve", json={"resolution": "DISMISSED"}
    )
    assert again.status_code == 409
    missing = client.post("/api/v1/review-queue/999/resolve", json={"resolution": "DISMISSED"})
    assert missing.status_code == 404


def test_a_dismissed_item_changes_no_status(client: httpx.Client, engine: Engine) -> None:
    channels.setup_sms(engine, "+14155550100", "twilio-token-123456")
    sms = _subscribed(engine, Channel.SMS, "SMS Marketing")
    handled = handle_inbound(engine, Inbound(Channel.SMS, NUMBER, "wrong number", "twilio"))

    answer = client.post(
        f"/api/v1/review-queue/{handled.review_id}/resolve", json={"resolution": "DISMISSED"}
    )

    assert answer.json()["resolution"] == "DISMISSED" and answer.json()["ledgerId"] is None
    assert services.check_eligibility(engine, NUMBER, sms).allowed
    everything = client.get("/api/v1/review-queue", params={"includeResolved": "true"}).json()
    assert [item["resolution"] for item in everything["results"]] == ["DISMISSED"]


def test_quiet_hours_answer_for_the_numbers_zone_or_a_given_one(client: httpx.Client) -> None:
    answer = client.get("/api/v1/quiet-hours", params={"number": NUMBER})
    assert answer.status_code == 200
    assert answer.json()["timeZones"] == ["America/Los_Angeles"]
    assert isinstance(answer.json()["allowed"], bool)
    given = client.get("/api/v1/quiet-hours", params={"number": NUMBER, "timeZone": "Asia/Tokyo"})
    assert given.json()["timeZones"] == ["Asia/Tokyo"]
    bad = client.get("/api/v1/quiet-hours", params={"number": NUMBER, "timeZone": "Nowhere"})
    assert bad.status_code == 400 and "timeZone" in bad.text
